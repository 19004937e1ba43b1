import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { NoticeBoard } from '../../../../electron/main/notices'
import {
  appendDurably,
  moveAside,
  removeStaleTemps,
  writeFileAtomic
} from '../../../../electron/main/storage/durable'
import { conversationFileName, HistoryStore } from '../../../../electron/main/storage/history-store'
import { JsonStore } from '../../../../electron/main/storage/json-store'
import type { ImMessage } from '../../../../shared/types/im'
import { FaultyFs } from './faulty-fs'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-durable-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const temps = async () => (await readdir(dir)).filter((n) => n.endsWith('.tmp'))

describe('writeFileAtomic', () => {
  it.each(['short', 'enospc'] as const)(
    'fails on a %s write, keeps the old file and leaves no temp file',
    async (fault) => {
      const fs = new FaultyFs()
      const file = join(dir, 'a.json')
      await writeFileAtomic(fs, file, 'old')
      fs.nextWrite = fault
      await expect(writeFileAtomic(fs, file, 'new'.repeat(1000))).rejects.toMatchObject({
        code: fault === 'short' ? 'SHORT_WRITE' : 'ENOSPC'
      })
      expect(await readFile(file, 'utf8')).toBe('old')
      expect(await temps()).toEqual([])
    }
  )

  it('fails when the fsync fails, and the old file stays', async () => {
    const fs = new FaultyFs()
    const file = join(dir, 'a.json')
    await writeFileAtomic(fs, file, 'old')
    fs.nextSync = 'eio'
    await expect(writeFileAtomic(fs, file, 'new')).rejects.toMatchObject({ code: 'EIO' })
    expect(await readFile(file, 'utf8')).toBe('old')
    expect(await temps()).toEqual([])
  })
})

describe('appendDurably', () => {
  it.each(['short', 'enospc'] as const)(
    'rolls a %s append back to the last whole record',
    async (fault) => {
      const fs = new FaultyFs()
      const file = join(dir, 'log')
      let size = await appendDurably(fs, file, Buffer.from('one\n'), 0)
      fs.nextWrite = fault
      await expect(appendDurably(fs, file, Buffer.from('two\n'), size)).rejects.toThrow()
      expect(await readFile(file, 'utf8')).toBe('one\n')
      size = await appendDurably(fs, file, Buffer.from('three\n'), size)
      expect(await readFile(file, 'utf8')).toBe('one\nthree\n')
      expect(size).toBe(10)
    }
  )

  it('rolls back a record whose fsync failed', async () => {
    const fs = new FaultyFs()
    const file = join(dir, 'log')
    const size = await appendDurably(fs, file, Buffer.from('one\n'), 0)
    fs.nextSync = 'eio'
    await expect(appendDurably(fs, file, Buffer.from('two\n'), size)).rejects.toMatchObject({
      code: 'EIO'
    })
    expect(await readFile(file, 'utf8')).toBe('one\n')
  })

  it('when even the rollback fails, the next append cuts the partial record first', async () => {
    const fs = new FaultyFs()
    const file = join(dir, 'log')
    const size = await appendDurably(fs, file, Buffer.from('one\n'), 0)
    fs.nextWrite = 'short'
    fs.truncateFails = true
    await expect(appendDurably(fs, file, Buffer.from('two-long\n'), size)).rejects.toThrow()
    expect(await readFile(file, 'utf8')).toBe('one\ntwo-')
    fs.truncateFails = false
    await appendDurably(fs, file, Buffer.from('three\n'), size)
    expect(await readFile(file, 'utf8')).toBe('one\nthree\n')
  })
})

describe('moveAside and removeStaleTemps', () => {
  it('never overwrites an earlier backup, even within the same millisecond', async () => {
    const file = join(dir, 'x.json')
    const at = new Date('2026-01-01T00:00:00Z')
    const backups: string[] = []
    for (const content of ['first', 'second', 'third']) {
      await writeFile(file, content)
      backups.push(await moveAside(new FaultyFs(), file, at))
    }
    expect(new Set(backups).size).toBe(3)
    expect(await Promise.all(backups.map((b) => readFile(b, 'utf8')))).toEqual([
      'first',
      'second',
      'third'
    ])
  })

  it('removes temp files of dead writers, old names too, and keeps a live writer’s', async () => {
    const file = join(dir, 'contacts.json')
    const dead = 2 ** 22 + 12_345 // above Linux's default pid_max: no such process
    const names = [
      `.contacts.json.${dead}.0123456789ab.tmp`,
      '.contacts.json.0123456789ab.tmp',
      `contacts.json.${dead}.1700000000000.tmp`,
      `.contacts.json.${process.pid}.aaaaaaaaaaaa.tmp`,
      '.other.json.0123456789ab.tmp',
      'contacts.json'
    ]
    for (const n of names) await writeFile(join(dir, n), 'x')
    expect(await removeStaleTemps(new FaultyFs(), file)).toBe(3)
    expect((await readdir(dir)).sort()).toEqual(
      [
        `.contacts.json.${process.pid}.aaaaaaaaaaaa.tmp`,
        '.other.json.0123456789ab.tmp',
        'contacts.json'
      ].sort()
    )
  })
})

describe('JsonStore', () => {
  const schema = z.object({ version: z.literal(1), items: z.array(z.string()) })
  const store = (fs: FaultyFs, notices: NoticeBoard) =>
    new JsonStore(join(dir, 'items.json'), schema, () => ({ version: 1 as const, items: [] }), {
      file: 'contacts',
      storage: { fs, notices }
    })

  it('refuses a save that was not durable, says so, and keeps the file as it was', async () => {
    const fs = new FaultyFs()
    const notices = new NoticeBoard(null)
    const s = store(fs, notices)
    await s.save({ version: 1, items: ['a'] })
    for (const fault of ['short', 'enospc', 'short'] as const) {
      fs.nextWrite = fault
      await expect(s.save({ version: 1, items: ['a', 'b'] })).rejects.toMatchObject({
        code: 'storage-failed'
      })
    }
    expect((await store(new FaultyFs(), notices).load()).value.items).toEqual(['a'])
    expect(await temps()).toEqual([])
    // Repeats of the same failure are one notice with a count, listed by when it last happened.
    expect(notices.list().map((n) => [n.code, n.params, n.count])).toEqual([
      ['write-failed', expect.objectContaining({ error: 'ENOSPC' }), 1],
      ['write-failed', expect.objectContaining({ file: 'contacts', error: 'SHORT_WRITE' }), 2]
    ])
  })

  it('leaves a damaged file it cannot move aside untouched and refuses to save over it', async () => {
    const fs = new FaultyFs()
    fs.rename = () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' }))
    const notices = new NoticeBoard(null)
    await writeFile(join(dir, 'items.json'), 'garbage')
    const s = store(fs, notices)
    expect((await s.load()).value.items).toEqual([])
    expect(notices.list()[0]).toMatchObject({
      code: 'file-blocked',
      params: { damage: 'not-json' }
    })
    await expect(s.save({ version: 1, items: ['x'] })).rejects.toMatchObject({
      code: 'storage-failed'
    })
    expect(await readFile(join(dir, 'items.json'), 'utf8')).toBe('garbage')
  })
})

describe('HistoryStore on a failing disk', () => {
  const bob = 'sip:bob@example.org'
  const msg = (id: string): ImMessage => ({
    id,
    conversation: bob,
    direction: 'in',
    body: `hello ${id}`,
    sentAt: new Date(0).toISOString(),
    state: 'received'
  })

  it.each([
    ['a short write', (fs: FaultyFs) => (fs.nextWrite = 'short')],
    ['ENOSPC', (fs: FaultyFs) => (fs.nextWrite = 'enospc')],
    ['a failed fsync', (fs: FaultyFs) => (fs.nextSync = 'eio')],
    [
      'a short write whose rollback fails too',
      (fs: FaultyFs) => {
        fs.nextWrite = 'short'
        fs.truncateFails = true
      }
    ]
  ])('rejects an append after %s; nothing glued, nothing acknowledged lost', async (_n, fault) => {
    const fs = new FaultyFs()
    const notices = new NoticeBoard(null)
    const store = new HistoryStore(dir, { fs, notices })
    await store.append(msg('1'))
    fault(fs)
    await expect(store.append(msg('2'))).rejects.toMatchObject({ code: 'storage-failed' })
    fs.truncateFails = false
    await store.append(msg('3'))
    expect((await store.history(bob)).messages.map((m) => m.id)).toEqual(['1', '3'])
    const text = await readFile(join(dir, 'history', conversationFileName(bob)), 'utf8')
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: ImMessage }).msg.id)
    ).toEqual(['1', '3'])
    expect(notices.list()).toMatchObject([{ code: 'write-failed', params: { file: 'history' } }])
    const reopened = new HistoryStore(dir)
    expect((await reopened.history(bob)).messages.map((m) => m.id)).toEqual(['1', '3'])
    expect((await reopened.loadReport(bob)).corruptLines).toBe(0)
  })
})
