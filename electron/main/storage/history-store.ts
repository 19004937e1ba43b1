import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import { IpcFailure } from '../../../shared/ipc/result'
import {
  imFailureSchema,
  imMessageSchema,
  imStateSchema,
  type ConversationSummary,
  type History,
  type ImFailure,
  type ImMessage,
  type ImState
} from '../../../shared/types/im'
import { normalizeAor, sipUriSchema } from '../../../shared/types/sip'
import {
  appendDurably,
  errorCode,
  errorDetail,
  PRIVATE_DIR_MODE,
  setAside,
  storageOf,
  writeFailed,
  type FileHandlePort,
  type Storage
} from './durable'

/**
 * One line of a conversation file. The file is an append-only event log (JSON Lines): messages
 * are never rewritten; a delivery-state change or "read up to here" is a new line. The objects are
 * not strict: a field a later version adds (a de-duplication key, say) is ignored here, so files
 * stay readable both ways.
 */
const eventSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('msg'), msg: imMessageSchema }),
  z.object({
    t: z.literal('state'),
    id: z.string(),
    state: imStateSchema,
    failure: imFailureSchema.optional(),
    at: z.string()
  }),
  z.object({ t: z.literal('read'), at: z.string() })
])

type HistoryEvent = z.infer<typeof eventSchema>
type StateEvent = Extract<HistoryEvent, { t: 'state' }>

/** Files are read backward in chunks of this size, so opening one never reads it whole. */
const CHUNK_BYTES = 64 * 1024
/** Longer than any record can be (a 100,000-character body, escaped): past it is garbage. */
const MAX_LINE_BYTES = 1024 * 1024
/**
 * How far back opening a conversation reads to find the last "read" marker. A conversation
 * never read in more than this shows "at least" that many unread messages.
 */
const OPEN_SCAN_BYTES = 2 * 1024 * 1024
/** Messages a history request returns when it names no limit. */
export const DEFAULT_HISTORY_PAGE = 200
/** How every record of ours starts (JSON.stringify puts `t` first): anything else is not one. */
const RECORD_START = Buffer.from('{"t":"')
/** Reading yields to the event loop after this long, so a huge or hostile file never stalls it. */
const SLICE_MS = 8

/** What loading found besides the messages. */
export interface LoadReport {
  /** A partial last line (a crash mid-append) was ignored and cut off. */
  tornLine: boolean
  /** Complete lines that were not valid events, skipped (in the part read so far). */
  corruptLines: number
  /** Outgoing messages left unsent by a previous run, now marked failed. */
  interrupted: number
}

interface Conversation {
  file: string
  /** Bytes of the file that end on a record boundary: where the next append goes. */
  size: number
  /**
   * Messages read so far, oldest first: the newest when the conversation was opened, older
   * pages put in front as they are asked for, this run's messages appended.
   */
  messages: ImMessage[]
  byId: Map<string, ImMessage>
  /** The bytes of the file before this offset have not been read yet; 0 when all have. */
  unscanned: number
  /** State changes met reading backward whose message lies further back: the newest wins. */
  pending: Map<string, StateEvent>
  /** Reading backward met a "read" marker (or the start): the unread count is settled. */
  unreadSettled: boolean
  unread: number
  /** Valid records met reading backward (none at all in a non-empty file: it is damaged). */
  validRecords: number
  report: LoadReport
  /** Appends, one at a time. */
  writes: Promise<unknown>
  /** Backward reads, one at a time. */
  reads: Promise<unknown>
}

/** A conversation with nothing in it yet, kept in `file`. */
function emptyConversation(file: string): Conversation {
  return {
    file,
    size: 0,
    messages: [],
    byId: new Map(),
    unscanned: 0,
    pending: new Map(),
    unreadSettled: true,
    unread: 0,
    validRecords: 0,
    report: { tornLine: false, corruptLines: 0, interrupted: 0 },
    writes: Promise.resolve(),
    reads: Promise.resolve()
  }
}

/** JSON.parse that gives undefined for bad text (a corrupt line is skipped, not fatal). */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Runs `op` after the previous one on `chain` settles; returns its promise. */
function serial<T>(conv: Conversation, chain: 'writes' | 'reads', op: () => Promise<T>) {
  const next = conv[chain].then(op, op)
  conv[chain] = next.catch(() => undefined)
  return next
}

/** Reads exactly `buffer.length` bytes at `position`. */
async function readAt(handle: FileHandlePort, buffer: Buffer, position: number): Promise<void> {
  let done = 0
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done)
    if (bytesRead === 0) throw new Error('the file became shorter while it was read')
    done += bytesRead
  }
}

/** Reason recorded for outgoing messages the previous run could not deliver. */
export const INTERRUPTED_REASON = 'not delivered: TrustLine closed before the server accepted it'

const isUnfinishedSend = (m: ImMessage) =>
  m.direction === 'out' && (m.state === 'queued' || m.state === 'sending')

/** File name for a conversation: the normalized peer URI, percent-encoded (safe on every OS). */
export function conversationFileName(conversation: string): string {
  return `${encodeURIComponent(normalizeAor(conversation)).replace(/\*/g, '%2A').replace(/\./g, '%2E')}.jsonl`
}

/**
 * Message history, one crash-safe JSON Lines log per conversation.
 *
 * Every append goes through the one persistence path (storage/durable): written whole and fsync'd
 * before the promise resolves, or rolled back and rejected, so an acknowledged event survives a
 * crash or power cut and a failed one never leaves half a line for the next to be glued onto.
 *
 * Opening a conversation reads it backward from the end, in chunks: the newest messages and the
 * unread count first, older ones page by page as they are asked for, so a history of any size
 * opens in bounded time and memory. A crash mid-append can only leave a torn last line; opening
 * cuts it off and says so. A file in which nothing can be read, or a file where the history
 * folder belongs, is moved aside under a new name and reported.
 */
export class HistoryStore {
  readonly dir: string
  readonly #conversations = new Map<string, Promise<Conversation>>()
  readonly #storage: Storage
  #folderChecked: Promise<void> | null = null

  constructor(dir: string, storage: Partial<Storage> = {}) {
    this.dir = join(dir, 'history')
    this.#storage = storageOf(storage)
  }

  /**
   * A page of a conversation: the `limit` messages before the message `before` (the newest when
   * absent), oldest first, with the unread count, whether older ones exist, and what opening
   * repaired.
   */
  async history(
    conversation: string,
    limit = DEFAULT_HISTORY_PAGE,
    before?: string
  ): Promise<History> {
    const conv = await this.#get(conversation)
    return serial(conv, 'reads', async () => {
      let end = conv.messages.length
      if (before !== undefined) {
        end = conv.messages.findIndex((m) => m.id === before)
        if (end < 0) {
          throw new IpcFailure(
            'unknown-message',
            `There is no message ${before} in the conversation with ${normalizeAor(conversation)}.`
          )
        }
      }
      if (end < limit && conv.unscanned > 0) {
        const wanted = limit - end
        end += (await this.#readOlder(conv, (added) => added >= wanted, 'repair')).length
      }
      const start = Math.max(0, end - limit)
      return {
        conversation: normalizeAor(conversation),
        messages: conv.messages.slice(start, end).map((m) => ({ ...m })),
        unread: conv.unread,
        recoveredTornLine: conv.report.tornLine,
        hasOlder: start > 0 || conv.unscanned > 0
      }
    })
  }

  /** What loading a conversation found (torn line, corrupt lines, interrupted sends). */
  async loadReport(conversation: string): Promise<LoadReport> {
    return { ...(await this.#get(conversation)).report }
  }

  /** Appends a new message (durably) and returns it; rejects when it could not be stored. */
  async append(message: ImMessage): Promise<ImMessage> {
    const conv = await this.#get(message.conversation)
    const msg = { ...message, conversation: normalizeAor(message.conversation) }
    await this.#write(conv, { t: 'msg', msg })
    this.#apply(conv, { t: 'msg', msg })
    return { ...msg }
  }

  /** One message of a conversation by id (a receipt names the message it is about). */
  async message(conversation: string, id: string): Promise<ImMessage | undefined> {
    const msg = (await this.#get(conversation)).byId.get(id)
    return msg ? { ...msg } : undefined
  }

  /** Records a delivery-state change; returns the updated message, or undefined if unknown. */
  async updateState(
    conversation: string,
    id: string,
    state: ImState,
    failure?: ImFailure
  ): Promise<ImMessage | undefined> {
    const conv = await this.#get(conversation)
    if (!conv.byId.has(id)) return undefined
    const event: StateEvent = { t: 'state', id, state, at: new Date().toISOString() }
    if (failure) event.failure = failure
    await this.#write(conv, event)
    this.#apply(conv, event)
    const msg = conv.byId.get(id)
    return msg ? { ...msg } : undefined
  }

  /**
   * The received message with this dedupe key (sender, Call-ID, CSeq), if there is one. Copies
   * come soon after the first (a resend after a lost connection), so this looks among the
   * messages read so far: at least the newest DEFAULT_HISTORY_PAGE of the file, and this run's.
   */
  async findReceived(conversation: string, dedupeKey: string): Promise<ImMessage | undefined> {
    const { messages } = await this.#get(conversation)
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i]!
      if (m.direction === 'in' && m.dedupeKey === dedupeKey) return { ...m }
    }
    return undefined
  }

  /** Marks everything received so far as read. */
  async markRead(conversation: string): Promise<void> {
    const conv = await this.#get(conversation)
    if (conv.unread === 0) return
    const event: HistoryEvent = { t: 'read', at: new Date().toISOString() }
    await this.#write(conv, event)
    this.#apply(conv, event)
  }

  /** Unread incoming messages in a conversation. */
  async unread(conversation: string): Promise<number> {
    return (await this.#get(conversation)).unread
  }

  /**
   * Every conversation with a history file, newest last message first (conversations without
   * messages last): what a conversation list shows after a restart. A file that cannot be read
   * is left out and logged, never fatal for the others.
   */
  async summaries(): Promise<ConversationSummary[]> {
    const out: ConversationSummary[] = []
    for (const name of await this.conversations()) {
      // A stray file whose name is not a SIP address (copied in by hand, say) is not a chat.
      if (!sipUriSchema.safeParse(name).success) {
        this.#storage.log(`history: ignored ${conversationFileName(name)}: not a SIP address`)
        continue
      }
      try {
        // A conversation not opened in this run is peeked at without being kept: listing them
        // must not hold messages of every chat in memory. One found damaged is opened for real,
        // which moves it aside and tells the user, once.
        const key = normalizeAor(name)
        const cached = this.#conversations.get(key)
        let summary = cached ? await cached : await this.#peek(key)
        if (!cached && summary.validRecords === 0 && summary.report.corruptLines > 0) {
          summary = await this.#get(key)
        }
        const last = summary.messages.at(-1)
        out.push({
          conversation: key,
          ...(last ? { last: { ...last } } : {}),
          unread: summary.unread
        })
      } catch (e) {
        this.#storage.log(`history: ${name}: ${errorDetail(e)}`)
      }
    }
    const at = (s: ConversationSummary) => (s.last ? Date.parse(s.last.sentAt) || 0 : -Infinity)
    return out.sort((a, b) => at(b) - at(a))
  }

  /** Conversations that have a history file. */
  async conversations(): Promise<string[]> {
    let names: string[]
    try {
      await this.#checkFolder()
      names = await this.#storage.fs.readdir(this.dir)
    } catch {
      return []
    }
    return names
      .filter((n) => n.endsWith('.jsonl'))
      .map((n) => {
        try {
          return decodeURIComponent(n.slice(0, -'.jsonl'.length))
        } catch {
          return null
        }
      })
      .filter((n): n is string => n !== null)
  }

  #get(conversation: string): Promise<Conversation> {
    const key = normalizeAor(conversation)
    let conv = this.#conversations.get(key)
    if (!conv) {
      conv = this.#load(key)
      this.#conversations.set(key, conv)
      // A failed load (e.g. permission error) must not stick; retry on next use.
      conv.catch(() => this.#conversations.delete(key))
    }
    return conv
  }

  /**
   * The history folder must be a folder: a file in its place (copied, restored wrongly) is moved
   * aside and reported, and a fresh folder is made on the next write.
   */
  #checkFolder(): Promise<void> {
    const { fs } = this.#storage
    this.#folderChecked ??= (async () => {
      try {
        if ((await fs.stat(this.dir)).isDirectory()) return
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return
        throw error
      }
      await setAside(this.#storage, {
        file: 'history-folder',
        path: this.dir,
        damage: 'not-a-folder',
        detail: 'a file is where the history folder belongs',
        kept: 0
      })
    })()
    const checked = this.#folderChecked
    checked.catch(() => {
      if (this.#folderChecked === checked) this.#folderChecked = null
    })
    return checked
  }

  /**
   * Opens a conversation: repairs a torn last line, then reads backward until the unread count
   * is settled (the last "read" marker) and the newest page is in (what a copy of a received
   * message is looked for in), or OPEN_SCAN_BYTES were read. A file with nothing readable in what
   * was read is moved aside and reported, and the conversation starts afresh.
   */
  async #load(key: string): Promise<Conversation> {
    await this.#checkFolder()
    const conv = emptyConversation(join(this.dir, conversationFileName(key)))
    const size = await this.#fileSize(conv.file)
    if (size === 0) return conv
    const good = await this.#repairTail(conv, size, 'repair')
    if (good !== null) {
      conv.size = conv.unscanned = good
      conv.unreadSettled = false
      await this.#readOlder(
        conv,
        (added, read) =>
          (conv.unreadSettled && added >= DEFAULT_HISTORY_PAGE) || read >= OPEN_SCAN_BYTES,
        'repair'
      )
      // The count is final from here on: paging further back does not change it.
      conv.unreadSettled = true
    }
    if (good === null || (conv.validRecords === 0 && conv.report.corruptLines > 0)) {
      return this.#setAside(conv, good === null ? 'no line ends in the last MiB' : null)
    }
    if (conv.report.corruptLines) {
      this.#storage.log(`history ${conv.file}: skipped ${conv.report.corruptLines} corrupt line(s)`)
    }
    return conv
  }

  /** Size of a file; 0 when it does not exist. */
  async #fileSize(file: string): Promise<number> {
    try {
      return (await this.#storage.fs.stat(file)).size
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0
      throw error
    }
  }

  /** Moves a history file with nothing readable aside, tells the user, starts afresh. */
  async #setAside(conv: Conversation, why: string | null): Promise<Conversation> {
    const damaged = {
      file: 'history' as const,
      path: conv.file,
      damage: 'no-valid-records' as const,
      detail: why ?? `${conv.report.corruptLines} line(s) read from the end, none of them a record`,
      kept: 0
    }
    try {
      await setAside(this.#storage, damaged)
    } catch (error) {
      throw new IpcFailure(
        'storage-failed',
        `${conv.file} holds nothing readable and could not be moved aside (${errorCode(error)}).`
      )
    }
    return emptyConversation(conv.file)
  }

  /**
   * Finds where the last complete line ends. With `repair`, an unfinished last line is dealt
   * with: a torn append of ours (a crash mid-write, never acknowledged) is cut off; anything else
   * is ended with a newline, so it is kept and skipped as a corrupt line and the next append
   * starts on a line of its own. Returns the length up to the last complete line, or null when
   * no line ends in the last MAX_LINE_BYTES (nothing there is ours).
   */
  async #repairTail(
    conv: Conversation,
    size: number,
    mode: 'repair' | 'peek'
  ): Promise<number | null> {
    const { fs, log } = this.#storage
    let lastNewline = -1
    let tail = Buffer.alloc(0)
    const handle = await fs.open(conv.file, 'r')
    try {
      for (let from = size; from > 0 && size - from < MAX_LINE_BYTES;) {
        const start = Math.max(0, from - CHUNK_BYTES, size - MAX_LINE_BYTES)
        const chunk = Buffer.alloc(from - start)
        await readAt(handle, chunk, start)
        const at = chunk.lastIndexOf(0x0a)
        if (at >= 0) {
          lastNewline = start + at
          break
        }
        from = start
      }
      if (lastNewline + 1 < size) {
        const head = Math.min(RECORD_START.length, size - lastNewline - 1)
        tail = Buffer.alloc(head)
        await readAt(handle, tail, lastNewline + 1)
      }
    } finally {
      await handle.close()
    }
    if (lastNewline + 1 === size) return size
    if (lastNewline < 0 && size > MAX_LINE_BYTES) return null
    if (mode === 'peek') return lastNewline + 1
    const torn = size - lastNewline - 1
    if (tail.equals(RECORD_START.subarray(0, tail.length))) {
      // Torn last line: the process died inside the append. Its event was never acknowledged,
      // so dropping it loses nothing that was promised; cut it off so appends stay line-aligned.
      conv.report.tornLine = true
      log(`history ${conv.file}: ignored a torn last line (${torn} bytes)`)
      const h = await fs.open(conv.file, 'r+')
      try {
        await h.truncate(lastNewline + 1)
        await h.datasync()
      } finally {
        await h.close()
      }
      return lastNewline + 1
    }
    log(`history ${conv.file}: the last ${torn} bytes are not a record; kept and skipped`)
    return appendDurably(fs, conv.file, Buffer.from('\n'), size)
  }

  /**
   * Reads a conversation without keeping it and without repairing the file: the newest message
   * and the unread count. A send the previous run left unfinished shows as the failure the real
   * load will record.
   */
  async #peek(key: string): Promise<Conversation> {
    const conv = emptyConversation(join(this.dir, conversationFileName(key)))
    const size = await this.#fileSize(conv.file)
    if (size === 0) return conv
    const good = await this.#repairTail(conv, size, 'peek')
    if (good === null) {
      conv.report.corruptLines++
      return conv
    }
    conv.unscanned = good
    conv.unreadSettled = false
    await this.#readOlder(
      conv,
      (added, read) => (added > 0 && conv.unreadSettled) || read >= OPEN_SCAN_BYTES,
      'peek'
    )
    return conv
  }

  /**
   * Reads backward from `conv.unscanned`, chunk by chunk, until `enough(messages added, bytes
   * read)` or the start of the file, and puts the messages found in front of `conv.messages`.
   * Sends a previous run left unfinished are marked failed (and, with `repair`, recorded so).
   * Returns the messages added, oldest first.
   */
  async #readOlder(
    conv: Conversation,
    enough: (added: number, read: number) => boolean,
    mode: 'repair' | 'peek'
  ): Promise<ImMessage[]> {
    const added: ImMessage[] = []
    const from = conv.unscanned
    let slice = performance.now()
    const handle = await this.#storage.fs.open(conv.file, 'r')
    try {
      let window = CHUNK_BYTES
      while (conv.unscanned > 0 && !enough(added.length, from - conv.unscanned)) {
        const end = conv.unscanned
        const start = Math.max(0, end - window)
        const chunk = Buffer.alloc(end - start)
        await readAt(handle, chunk, start)
        // The chunk ends where the last line read began, normally right after a newline; bytes
        // after its last newline belong to a line already skipped as garbage.
        const last = chunk.lastIndexOf(0x0a)
        // Unless at the start of the file, the chunk's first bytes end a line that began before
        // it: the lines read are those after its first newline.
        let first = 0
        if (start > 0) {
          const newline = chunk.indexOf(0x0a)
          if (newline < 0 || newline === last) {
            if (end - start < MAX_LINE_BYTES) {
              window *= 2
              continue
            }
            // No record is this long: skip it as one corrupt line.
            conv.report.corruptLines++
            conv.unscanned = start
            window = CHUNK_BYTES
            continue
          }
          first = newline + 1
        }
        window = CHUNK_BYTES
        let lineEnd = last
        let stopped = false
        while (lineEnd >= first) {
          const newline = lineEnd === 0 ? -1 : chunk.lastIndexOf(0x0a, lineEnd - 1)
          const lineStart = Math.max(newline + 1, first)
          this.#applyBackward(conv, chunk.subarray(lineStart, lineEnd), added)
          conv.unscanned = start + lineStart
          lineEnd = lineStart - 1
          if (enough(added.length, from - conv.unscanned)) {
            stopped = true
            break
          }
          if (performance.now() - slice > SLICE_MS) {
            await new Promise((resolve) => setImmediate(resolve))
            slice = performance.now()
          }
        }
        if (!stopped) conv.unscanned = start + first
      }
    } finally {
      await handle.close()
    }
    if (conv.unscanned === 0) {
      conv.unreadSettled = true
      conv.pending.clear()
    }
    added.reverse()
    for (const [i, msg] of added.entries()) {
      if (!isUnfinishedSend(msg)) continue
      // Outgoing messages still queued or sending belong to a previous run that ended before
      // the server answered (this run's are appended past what is read here). Say so rather
      // than leave them pending forever.
      const failed: ImMessage = {
        ...msg,
        state: 'failed',
        failure: { code: 'interrupted', reason: INTERRUPTED_REASON }
      }
      added[i] = failed
      conv.byId.set(msg.id, failed)
      if (mode === 'repair') {
        conv.report.interrupted++
        const event: StateEvent = {
          t: 'state',
          id: msg.id,
          state: 'failed',
          failure: { code: 'interrupted', reason: INTERRUPTED_REASON },
          at: new Date().toISOString()
        }
        // Reading does not fail because this could not be written: the next open marks it again.
        await this.#write(conv, event).catch(() => undefined)
      }
    }
    conv.messages = [...added, ...conv.messages]
    return added
  }

  /** Takes one line met reading backward into account. */
  #applyBackward(conv: Conversation, line: Buffer, added: ImMessage[]): void {
    if (line.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0d)) return
    // Not even worth parsing (a garbage file is mostly this, and a failed parse is slow).
    const parsed = line.subarray(0, RECORD_START.length).equals(RECORD_START)
      ? eventSchema.safeParse(safeJson(line.toString('utf8')))
      : null
    if (!parsed?.success) {
      conv.report.corruptLines++
      return
    }
    conv.validRecords++
    const event = parsed.data
    if (event.t === 'read') {
      conv.unreadSettled = true
    } else if (event.t === 'state') {
      if (!conv.pending.has(event.id)) conv.pending.set(event.id, event)
    } else if (!conv.byId.has(event.msg.id)) {
      const msg = { ...event.msg }
      const state = conv.pending.get(msg.id)
      if (state) {
        conv.pending.delete(msg.id)
        msg.state = state.state
        if (state.failure) msg.failure = state.failure
        else delete msg.failure
      }
      conv.byId.set(msg.id, msg)
      added.push(msg)
      if (msg.direction === 'in' && !conv.unreadSettled) conv.unread++
    }
  }

  /** Takes an event this run appended into account. */
  #apply(conv: Conversation, event: HistoryEvent): void {
    if (event.t === 'msg') {
      if (conv.byId.has(event.msg.id)) return
      const msg = { ...event.msg }
      conv.messages.push(msg)
      conv.byId.set(msg.id, msg)
      if (msg.direction === 'in') conv.unread++
    } else if (event.t === 'state') {
      const msg = conv.byId.get(event.id)
      if (!msg) return
      msg.state = event.state
      if (event.failure) msg.failure = event.failure
      else delete msg.failure
    } else {
      conv.unread = 0
    }
  }

  /** Appends one event durably, after the ones before it; rejects (storage-failed) otherwise. */
  #write(conv: Conversation, event: HistoryEvent): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8')
    return serial(conv, 'writes', async () => {
      try {
        await this.#storage.fs.mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE })
        conv.size = await appendDurably(this.#storage.fs, conv.file, bytes, conv.size)
      } catch (error) {
        throw writeFailed(this.#storage, 'history', conv.file, error)
      }
    })
  }
}
