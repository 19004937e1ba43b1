import { readdir, readFile, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest'
import { ContactsStore } from '../../../../electron/main/storage/contacts-store'
import { conversationFileName, HistoryStore } from '../../../../electron/main/storage/history-store'
import { ExceptionStore } from '../../../../electron/main/tls/exceptions'
import type { ImMessage } from '../../../../shared/types/im'
import { sampleReport } from '../../../fixtures/sample-dtos'
import { mountSmallDisk, type SmallDisk } from './small-disk'

// A real full disk: a 128 KiB tmpfs per test, most of it taken by a filler file. tmpfs gives what
// a full disk gives: short writes when a write crosses into a page it cannot allocate, then ENOSPC.
let disk: SmallDisk
beforeEach(async () => {
  disk = await mountSmallDisk(128 * 1024)
})
afterEach(async () => {
  if ('release' in disk) await disk.release()
})

async function fullDisk(
  ctx: TestContext,
  name: string
): Promise<{ dir: string; free: () => Promise<void> }> {
  if ('unavailable' in disk) {
    console.log(`skipped "${ctx.task.name}": ${disk.unavailable}`)
    ctx.skip()
    throw new Error('unreachable')
  }
  const dir = join(disk.dir, name)
  const filler = join(disk.dir, `${name}.filler`)
  await writeFile(filler, Buffer.alloc(88 * 1024, 1))
  return { dir, free: () => unlink(filler) }
}

const bob = 'sip:bob@example.org'
/** Lines of varying length, so some cross a page boundary and are cut short. */
function msg(i: number): ImMessage {
  return {
    id: `m${i}`,
    conversation: bob,
    direction: i % 3 ? 'in' : 'out',
    body: `${i}:`.padEnd(60 + ((i * 397) % 1100), 'x'),
    sentAt: new Date(i * 1000).toISOString(),
    state: i % 3 ? 'received' : 'accepted'
  }
}

describe('on a full disk nothing acknowledged is lost and nothing is glued', () => {
  it('history: appends reject when not durable; every acknowledged message survives', async (ctx) => {
    const { dir, free } = await fullDisk(ctx, 'history')
    const store = new HistoryStore(dir)
    const acked: string[] = []
    let refused = 0
    for (let i = 0; refused < 5 && i < 2000; i++) {
      try {
        await store.append(msg(i))
        acked.push(`m${i}`)
      } catch {
        refused++
      }
    }
    expect(refused).toBe(5)
    await free()
    await store.append(msg(100_000))
    acked.push('m100000')

    const reopened = new HistoryStore(dir)
    const history = await reopened.history(bob, 10_000)
    expect(history.messages.map((m) => m.id)).toEqual(acked)
    expect((await reopened.loadReport(bob)).corruptLines).toBe(0)
    // Every line is one whole record: nothing was glued onto a partial line.
    const text = await readFile(join(dir, 'history', conversationFileName(bob)), 'utf8')
    for (const line of text.trimEnd().split('\n'))
      expect(() => JSON.parse(line) as unknown).not.toThrow()
  })

  it('contacts: a change that could not be stored is refused, the file keeps the last one', async (ctx) => {
    const { dir, free } = await fullDisk(ctx, 'contacts')
    const store = new ContactsStore(dir)
    const acked: string[] = []
    let refused = 0
    for (let i = 0; refused < 3 && i < 5000; i++) {
      const uri = `sip:user${i}.${'x'.repeat(40)}@example.org`
      try {
        await store.add({ uri })
        acked.push(uri)
      } catch {
        refused++
      }
    }
    expect(refused).toBe(3)
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
    await free()
    expect((await new ContactsStore(dir).list()).map((c) => c.uri)).toEqual(acked)
  })

  it('trust exceptions: a failed save leaves no temp file and loses no accepted exception', async (ctx) => {
    const { dir, free } = await fullDisk(ctx, 'exceptions')
    const file = join(dir, 'trust-exceptions.json')
    const store = new ExceptionStore(file)
    const acked: string[] = []
    let refused = 0
    for (let i = 0; refused < 3 && i < 5000; i++) {
      const host = `sip${i}.${'x'.repeat(40)}.example.org`
      const sha256 = Array.from({ length: 32 }, (_, j) =>
        ((i + j) % 256).toString(16).padStart(2, '0').toUpperCase()
      ).join(':')
      const leaf = { ...sampleReport.sentChain[0]!, sha256 }
      store.offer({ ...sampleReport, host, port: 5061, sentChain: [leaf], builtChain: [leaf] })
      try {
        await store.accept({ host, port: 5061, sha256 })
        acked.push(host)
      } catch {
        refused++
      }
    }
    expect(refused).toBe(3)
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
    await free()
    expect((await new ExceptionStore(file).list()).map((e) => e.host)).toEqual(acked)
  })
})
