import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ContactsStore } from '../../../../electron/main/storage/contacts-store'
import { HistoryStore } from '../../../../electron/main/storage/history-store'

const writer = join(import.meta.dirname, 'fixtures', 'durable-writer.ts')
const KILLS = 10

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-kill-loop-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/**
 * Runs the writer until it has acknowledged `acks` records, then SIGKILLs it a random moment
 * later (often inside the next write). Returns the acknowledged lines.
 */
function runAndKill(acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const acked: string[] = []
    let buffered = ''
    let stderr = ''
    let killing = false
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      acked.push(...lines)
      if (!killing && acked.length >= acks) {
        killing = true
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 4)
      }
    })
    child.on('error', reject)
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended on its own: ${stderr}`))
      // Only whole lines were printed after a write resolved; a cut one is not an ack.
      else resolve(acked)
    })
  })
}

describe('kill -9 during writes', () => {
  it('leaves no temp files once the stores start, and loses nothing acknowledged', async () => {
    const acked: string[] = []
    for (let k = 0; k < KILLS; k++) acked.push(...(await runAndKill(4 + k * 3)))
    const litter = (await readdir(dir)).filter((n) => n.endsWith('.tmp')).length
    console.log(`${KILLS} kills left ${litter} temp file(s) before the stores started`)

    const contacts = (await new ContactsStore(dir).list()).map((c) => c.uri)
    const history = await new HistoryStore(dir).history('sip:bob@example.org', 10_000)
    const ids = new Set(history.messages.map((m) => m.id))
    for (const line of acked) {
      const [kind, id] = line.split(' ')
      if (kind === 'contact') expect(contacts).toContain(`sip:u${id}@example.org`)
      else expect(ids.has(id ?? '')).toBe(true)
    }
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  }, 180_000)
})
