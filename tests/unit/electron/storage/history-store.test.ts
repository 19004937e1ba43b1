import { appendFile, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  conversationFileName,
  HistoryStore,
  INTERRUPTED_REASON
} from '../../../../electron/main/storage/history-store'
import type { ImMessage } from '../../../../shared/types/im'
import { NoticeBoard } from '../../../../electron/main/notices'
import { FaultyFs } from './faulty-fs'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-history-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const bob = 'sip:bob@example.org'
function msg(id: string, over: Partial<ImMessage> = {}): ImMessage {
  return {
    id,
    conversation: bob,
    direction: 'in',
    body: `hello ${id} — ünïcødé 👋`,
    sentAt: new Date(0).toISOString(),
    state: 'received',
    ...over
  }
}
const file = () => join(dir, 'history', conversationFileName(bob))

describe('HistoryStore', () => {
  it('persists messages, state changes and unread counts across instances', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('1'))
    await a.append(msg('2'))
    await a.append(msg('3', { direction: 'out', state: 'sending' }))
    await a.updateState(bob, '3', 'failed', { status: 404, reason: 'Not Found' })
    expect(await a.unread(bob)).toBe(2)

    const b = new HistoryStore(dir)
    const h = await b.history(bob)
    expect(h.messages.map((m) => [m.id, m.state])).toEqual([
      ['1', 'received'],
      ['2', 'received'],
      ['3', 'failed']
    ])
    expect(h.messages[2]?.failure).toEqual({ status: 404, reason: 'Not Found' })
    expect(h.messages[0]?.body).toBe('hello 1 — ünïcødé 👋')
    expect(h.unread).toBe(2)
    expect(h.recoveredTornLine).toBe(false)
  })

  it('finds one message by id (what a receipt names), with its states after a restart', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('out-1', { direction: 'out', state: 'sending' }))
    await a.updateState(bob, 'out-1', 'accepted')
    await a.updateState(bob, 'out-1', 'delivered')
    const b = new HistoryStore(dir)
    expect(await b.message('sip:bob@EXAMPLE.org', 'out-1')).toMatchObject({
      id: 'out-1',
      direction: 'out',
      state: 'delivered'
    })
    expect(await b.message(bob, 'nope')).toBeUndefined()
    const copy = await b.message(bob, 'out-1')
    copy!.state = 'failed'
    expect((await b.message(bob, 'out-1'))?.state).toBe('delivered')
  })

  it('stores state changes as appended events, never rewriting a line', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('1', { direction: 'out', state: 'sending' }))
    const before = await readFile(file(), 'utf8')
    await a.updateState(bob, '1', 'accepted')
    const after = await readFile(file(), 'utf8')
    expect(after.startsWith(before)).toBe(true)
    expect(after.trim().split('\n')).toHaveLength(2)
  })

  it('ignores and reports a torn last line, keeps the rest, and appends cleanly after', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('1'))
    await a.append(msg('2'))
    await appendFile(file(), '{"t":"msg","msg":{"id":"3","conv')
    const b = new HistoryStore(dir)
    const h = await b.history(bob)
    expect(h.messages.map((m) => m.id)).toEqual(['1', '2'])
    expect(h.recoveredTornLine).toBe(true)
    await b.append(msg('4'))
    const c = new HistoryStore(dir)
    expect((await c.history(bob)).messages.map((m) => m.id)).toEqual(['1', '2', '4'])
    expect((await c.loadReport(bob)).tornLine).toBe(false)
  })

  it('skips a corrupt complete line in the middle and counts it', async () => {
    await mkdir(join(dir, 'history'), { recursive: true })
    const good = (id: string) => JSON.stringify({ t: 'msg', msg: msg(id) })
    await writeFile(file(), `${good('1')}\nnot json\n{"t":"bogus"}\n${good('2')}\n`)
    const s = new HistoryStore(dir)
    expect((await s.history(bob)).messages.map((m) => m.id)).toEqual(['1', '2'])
    expect((await s.loadReport(bob)).corruptLines).toBe(2)
  })

  it('marks outgoing messages left queued or sending by a previous run as failed', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('q', { direction: 'out', state: 'queued' }))
    await a.append(msg('s', { direction: 'out', state: 'sending' }))
    await a.append(msg('ok', { direction: 'out', state: 'accepted' }))
    const b = new HistoryStore(dir)
    const h = await b.history(bob)
    expect(h.messages.map((m) => m.state)).toEqual(['failed', 'failed', 'accepted'])
    expect(h.messages[0]?.failure?.reason).toBe(INTERRUPTED_REASON)
    expect((await b.loadReport(bob)).interrupted).toBe(2)
  })

  it('resets unread on mark-read, durably', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('1'))
    await a.markRead(bob)
    await a.append(msg('2'))
    expect(await a.unread(bob)).toBe(1)
    expect(await new HistoryStore(dir).unread(bob)).toBe(1)
  })

  it('keys conversations by normalized URI and lists them', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('1', { conversation: 'sip:bob@EXAMPLE.org' }))
    expect((await a.history(bob)).messages).toHaveLength(1)
    expect(await a.conversations()).toEqual([bob])
    expect(conversationFileName('sip:../../etc@x')).not.toContain('/')
  })

  it('limits history to the most recent messages', async () => {
    const a = new HistoryStore(dir)
    for (const id of ['1', '2', '3']) await a.append(msg(id))
    expect((await a.history(bob, 2)).messages.map((m) => m.id)).toEqual(['2', '3'])
  })

  it('serializes concurrent appends into whole lines', async () => {
    const a = new HistoryStore(dir)
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.append(msg(String(i)))))
    const lines = (await readFile(file(), 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(50)
    for (const l of lines) expect(() => JSON.parse(l) as unknown).not.toThrow()
  })

  it('summarises every conversation after a restart, newest first, skipping stray files', async () => {
    const carol = 'sip:Carol@Example.org'
    const a = new HistoryStore(dir)
    await a.append(msg('b1', { sentAt: '2026-11-01T10:00:00.000Z' }))
    await a.append(msg('c1', { conversation: carol, sentAt: '2026-11-02T10:00:00.000Z' }))
    await a.append(
      msg('c2', {
        conversation: carol,
        direction: 'out',
        state: 'accepted',
        sentAt: '2026-11-02T10:01:00.000Z'
      })
    )
    await writeFile(join(dir, 'history', 'notes.jsonl'), '{"t":"read","at":"x"}\n')
    const logged: string[] = []
    const list = await new HistoryStore(dir, { log: (m) => logged.push(m) }).summaries()
    expect(list.map((s) => [s.conversation, s.unread, s.last?.id])).toEqual([
      ['sip:Carol@example.org', 1, 'c2'],
      ['sip:bob@example.org', 1, 'b1']
    ])
    expect(logged.join('\n')).toMatch(/notes\.jsonl: not a SIP address/)
    expect(await new HistoryStore(join(dir, 'nothing-here')).summaries()).toEqual([])
  })

  it('lists without loading for good: no repair written, a torn line still found on opening', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('1'))
    await a.append(msg('2', { direction: 'out', state: 'sending' }))
    await appendFile(file(), '{"t":"msg","msg":{"id":"3"')
    const before = await readFile(file(), 'utf8')
    const b = new HistoryStore(dir)
    const [summary] = await b.summaries()
    // The unfinished send shows as the failure opening the chat will record.
    expect(summary).toMatchObject({
      unread: 1,
      last: { id: '2', state: 'failed', failure: { reason: INTERRUPTED_REASON } }
    })
    expect(await readFile(file(), 'utf8')).toBe(before)
    const opened = await b.history(bob)
    expect(opened.recoveredTornLine).toBe(true)
    expect(opened.messages.map((m) => m.state)).toEqual(['received', 'failed'])
  })
})

describe('HistoryStore paging: the newest first, older ones on demand', () => {
  /**
   * 1,000 messages with state changes, read markers and a late state change for an old one,
   * written as the store writes them (appending each through it would mean 1,400 fsyncs).
   */
  async function bigHistory(): Promise<string[]> {
    const ids: string[] = []
    const lines: unknown[] = []
    const at = '2026-01-01T00:00:00.000Z'
    for (let i = 0; i < 1000; i++) {
      const id = `m${i}`
      ids.push(id)
      const out = i % 4 === 0
      lines.push({ t: 'msg', msg: msg(id, out ? { direction: 'out', state: 'sending' } : {}) })
      if (out) lines.push({ t: 'state', id, state: 'accepted', at })
      if (i % 100 === 50) lines.push({ t: 'read', at })
    }
    lines.push({
      t: 'state',
      id: 'm8',
      state: 'failed',
      failure: { status: 480, reason: 'Temporarily Unavailable' },
      at
    })
    await mkdir(join(dir, 'history'), { recursive: true })
    await writeFile(file(), lines.map((l) => `${JSON.stringify(l)}\n`).join(''))
    return ids
  }

  it('pages back through every message in order, with the right states and cursor', async () => {
    const ids = await bigHistory()
    const b = new HistoryStore(dir)
    const pages: string[][] = []
    let page = await b.history(bob, 150)
    pages.unshift(page.messages.map((m) => m.id))
    while (page.hasOlder) {
      page = await b.history(bob, 150, page.messages[0]!.id)
      pages.unshift(page.messages.map((m) => m.id))
    }
    expect(pages.flat()).toEqual(ids)
    expect(pages.map((p) => p.length)).toEqual([100, ...Array.from({ length: 6 }, () => 150)])
    const all = (await b.history(bob, 1000)).messages
    expect(all.map((m) => m.id)).toEqual(ids)
    expect(all.find((m) => m.id === 'm8')).toMatchObject({
      state: 'failed',
      failure: { status: 480, reason: 'Temporarily Unavailable' }
    })
    expect(
      all.filter((m) => m.direction === 'out').every((m) => m.id === 'm8' || m.state === 'accepted')
    ).toBe(true)
    // Read up to m950: the 49 incoming messages after it are unread (every fourth is ours).
    expect((await b.history(bob, 10)).unread).toBe(
      ids.slice(951).filter((_, i) => (951 + i) % 4 !== 0).length
    )
  })

  it('gives the same page to a store that has messages of this run appended after', async () => {
    await bigHistory()
    const b = new HistoryStore(dir)
    const newest = await b.history(bob, 5)
    await b.append(msg('new'))
    const older = await b.history(bob, 3, newest.messages[0]!.id)
    expect(older.messages.map((m) => m.id)).toEqual(['m992', 'm993', 'm994'])
    expect((await b.history(bob, 2)).messages.map((m) => m.id)).toEqual(['m999', 'new'])
  })

  it('refuses a cursor that is not a message of the conversation', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('1'))
    await expect(a.history(bob, 10, 'nope')).rejects.toMatchObject({ code: 'unknown-message' })
  })

  it('opens a large history reading only its end', async () => {
    const a = new HistoryStore(dir)
    const line = (i: number) =>
      `${JSON.stringify({ t: 'msg', msg: msg(`m${i}`, { body: 'x'.repeat(500) }) })}\n`
    await mkdir(join(dir, 'history'), { recursive: true })
    // 16 MB: far more than opening may read.
    const chunk = Array.from({ length: 1000 }, (_, i) => line(i)).join('')
    const parts = Array.from({ length: 30 }, () => chunk)
    await writeFile(file(), `${parts.join('')}{"t":"read","at":"x"}\n${line(99_999)}`)
    await a.markRead(bob)
    const fs = new FaultyFs()
    const b = new HistoryStore(dir, { fs })
    const page = await b.history(bob, 50)
    expect(page.messages.at(-1)?.id).toBe('m99999')
    expect(page.hasOlder).toBe(true)
    expect(fs.bytesRead).toBeLessThan(512 * 1024)
  })

  it('does not read a whole garbage file to open it, and sets it aside', async () => {
    await mkdir(join(dir, 'history'), { recursive: true })
    const size = 24 * 1024 * 1024
    await writeFile(file(), Buffer.alloc(size, 'not a record at all\n'))
    const fs = new FaultyFs()
    const notices = new NoticeBoard(null)
    const b = new HistoryStore(dir, { fs, notices })
    expect((await b.history(bob)).messages).toEqual([])
    expect(fs.bytesRead).toBeLessThan(size / 4)
    expect(notices.list()).toMatchObject([{ code: 'file-damaged', params: { file: 'history' } }])
    const again = new FaultyFs()
    await new HistoryStore(dir, { fs: again }).history(bob)
    expect(again.bytesRead).toBe(0)
  })

  it('keeps an unfinished last line that is not ours, and appends on a line of its own', async () => {
    const a = new HistoryStore(dir)
    await a.append(msg('1'))
    await appendFile(file(), 'scribbled by hand')
    const b = new HistoryStore(dir)
    expect((await b.history(bob)).messages.map((m) => m.id)).toEqual(['1'])
    await b.append(msg('2'))
    expect(await readFile(file(), 'utf8')).toContain('scribbled by hand\n{"t":"msg"')
    const c = new HistoryStore(dir)
    expect((await c.history(bob)).messages.map((m) => m.id)).toEqual(['1', '2'])
    expect((await c.loadReport(bob)).corruptLines).toBe(1)
  })

  it('reads files as earlier versions wrote them, and records with fields it does not know', async () => {
    await mkdir(join(dir, 'history'), { recursive: true })
    const lines = [
      { t: 'msg', msg: msg('a') },
      { t: 'msg', msg: msg('b', { direction: 'out', state: 'sending' }) },
      { t: 'read', at: '2026-01-01T00:00:00.000Z' },
      { t: 'msg', msg: { ...msg('c'), dedupe: 'sip:bob@example.org;call-id;1' }, extra: 1 },
      { t: 'state', id: 'b', state: 'accepted', at: '2026-01-01T00:00:01.000Z' }
    ]
    await writeFile(file(), lines.map((l) => `${JSON.stringify(l)}\n`).join(''))
    const h = await new HistoryStore(dir).history(bob)
    expect(h.messages.map((m) => [m.id, m.state])).toEqual([
      ['a', 'received'],
      ['b', 'accepted'],
      ['c', 'received']
    ])
    expect(h.unread).toBe(1)
  })
})
