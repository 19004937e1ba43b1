import { mkdir, open, readFile, readdir, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
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
import { syncDir } from './atomic-file'

/**
 * One line of a conversation file. The file is an append-only event log (JSON Lines): messages
 * are never rewritten; a delivery-state change or "read up to here" is a new line.
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

/** What loading found besides the messages. */
export interface LoadReport {
  /** A partial last line (a crash mid-append) was ignored and cut off. */
  tornLine: boolean
  /** Complete lines that were not valid events, skipped. */
  corruptLines: number
  /** Outgoing messages left unsent by a previous run, now marked failed. */
  interrupted: number
}

interface Conversation {
  file: string
  messages: ImMessage[]
  byId: Map<string, ImMessage>
  unread: number
  report: LoadReport
  chain: Promise<unknown>
}

/** A conversation with nothing in it yet, kept in `file`. */
function emptyConversation(file: string): Conversation {
  return {
    file,
    messages: [],
    byId: new Map(),
    unread: 0,
    report: { tornLine: false, corruptLines: 0, interrupted: 0 },
    chain: Promise.resolve()
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

/** Reason recorded for outgoing messages the previous run could not deliver. */
export const INTERRUPTED_REASON = 'not delivered: TrustLine closed before the server accepted it'

/** File name for a conversation: the normalized peer URI, percent-encoded (safe on every OS). */
export function conversationFileName(conversation: string): string {
  return `${encodeURIComponent(normalizeAor(conversation)).replace(/\*/g, '%2A').replace(/\./g, '%2E')}.jsonl`
}

/**
 * Message history, one crash-safe JSON Lines log per conversation.
 *
 * Every append is written in one `write` and fsync'd before the promise resolves, so an
 * acknowledged event survives a crash or power cut. A crash mid-append can only leave a torn
 * last line; loading ignores it, reports it, and truncates it away so later appends start on a
 * clean line. Everything before it is kept.
 */
export class HistoryStore {
  readonly dir: string
  readonly #conversations = new Map<string, Promise<Conversation>>()
  readonly #log: (message: string) => void

  constructor(dir: string, log: (message: string) => void = () => undefined) {
    this.dir = join(dir, 'history')
    this.#log = log
  }

  /** The history of a conversation, with its unread count and what loading repaired. */
  async history(conversation: string, limit?: number): Promise<History> {
    const conv = await this.#get(conversation)
    const messages = limit ? conv.messages.slice(-limit) : [...conv.messages]
    return {
      conversation: normalizeAor(conversation),
      messages: messages.map((m) => ({ ...m })),
      unread: conv.unread,
      recoveredTornLine: conv.report.tornLine
    }
  }

  /** What loading a conversation found (torn line, corrupt lines, interrupted sends). */
  async loadReport(conversation: string): Promise<LoadReport> {
    return { ...(await this.#get(conversation)).report }
  }

  /** Appends a new message (durably) and returns it. */
  async append(message: ImMessage): Promise<ImMessage> {
    const conv = await this.#get(message.conversation)
    const msg = { ...message, conversation: normalizeAor(message.conversation) }
    await this.#write(conv, { t: 'msg', msg })
    this.#apply(conv, { t: 'msg', msg })
    return { ...msg }
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
    const event: HistoryEvent = { t: 'state', id, state, at: new Date().toISOString() }
    if (failure) event.failure = failure
    await this.#write(conv, event)
    this.#apply(conv, event)
    const msg = conv.byId.get(id)
    return msg ? { ...msg } : undefined
  }

  /** The received message with this dedupe key (sender, Call-ID, CSeq), if there is one. */
  async findReceived(conversation: string, dedupeKey: string): Promise<ImMessage | undefined> {
    const { messages } = await this.#get(conversation)
    // Copies come soon after the first (a resend after a lost connection): look from the end.
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
        this.#log(`history: ignored ${conversationFileName(name)}: not a SIP address`)
        continue
      }
      try {
        // A conversation not opened in this run is read without being kept: listing them must
        // not hold every message of every chat in memory.
        const key = normalizeAor(name)
        const cached = this.#conversations.get(key)
        const conv = cached ? await cached : await this.#peek(key)
        const last = conv.messages.at(-1)
        out.push({
          conversation: key,
          ...(last ? { last: { ...last } } : {}),
          messages: conv.messages.length,
          unread: conv.unread
        })
      } catch (e) {
        this.#log(`history: ${name}: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
    const at = (s: ConversationSummary) => (s.last ? Date.parse(s.last.sentAt) || 0 : -Infinity)
    return out.sort((a, b) => at(b) - at(a))
  }

  /** Conversations that have a history file. */
  async conversations(): Promise<string[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
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
   * Reads a conversation without keeping it and without repairing the file (a torn last line
   * is skipped here and cut off when the conversation is really loaded); a send the previous
   * run left unfinished shows as the failure the real load will record.
   */
  async #peek(key: string): Promise<Pick<Conversation, 'messages' | 'unread'>> {
    const conv = emptyConversation(join(this.dir, conversationFileName(key)))
    let text: string
    try {
      text = await readFile(conv.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return conv
      throw error
    }
    for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
      if (!line.trim()) continue
      const event = eventSchema.safeParse(safeJson(line))
      if (event.success) this.#apply(conv, event.data)
    }
    const last = conv.messages.at(-1)
    if (last?.direction === 'out' && (last.state === 'queued' || last.state === 'sending')) {
      conv.messages[conv.messages.length - 1] = {
        ...last,
        state: 'failed',
        failure: { code: 'interrupted', reason: INTERRUPTED_REASON }
      }
    }
    return conv
  }

  async #load(key: string): Promise<Conversation> {
    const file = join(this.dir, conversationFileName(key))
    const conv = emptyConversation(file)
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return conv
      throw error
    }
    const lastNewline = bytes.lastIndexOf(0x0a)
    const complete = bytes.subarray(0, lastNewline + 1)
    if (lastNewline + 1 < bytes.length) {
      // Torn last line: the process died inside the append. Its event was never acknowledged,
      // so dropping it loses nothing that was promised; cut it off so appends stay line-aligned.
      conv.report.tornLine = true
      this.#log(
        `history ${file}: ignored a torn last line (${bytes.length - lastNewline - 1} bytes)`
      )
      await truncate(file, complete.length)
    }
    for (const line of complete.toString('utf8').split('\n')) {
      if (!line.trim()) continue
      const event = eventSchema.safeParse(safeJson(line))
      if (event.success) this.#apply(conv, event.data)
      else conv.report.corruptLines++
    }
    if (conv.report.corruptLines) {
      this.#log(`history ${file}: skipped ${conv.report.corruptLines} corrupt line(s)`)
    }
    // Outgoing messages still queued or sending belong to a previous run that ended before
    // the server answered. Say so rather than leave them pending forever.
    for (const msg of conv.messages) {
      if (msg.direction === 'out' && (msg.state === 'queued' || msg.state === 'sending')) {
        const event: HistoryEvent = {
          t: 'state',
          id: msg.id,
          state: 'failed',
          failure: { code: 'interrupted', reason: INTERRUPTED_REASON },
          at: new Date().toISOString()
        }
        await this.#write(conv, event)
        this.#apply(conv, event)
        conv.report.interrupted++
      }
    }
    return conv
  }

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

  #write(conv: Conversation, event: HistoryEvent): Promise<void> {
    const line = `${JSON.stringify(event)}\n`
    const op = async () => {
      await mkdir(this.dir, { recursive: true })
      const handle = await open(conv.file, 'a', 0o600)
      let created: boolean
      try {
        created = (await handle.stat()).size === 0
        await handle.write(line)
        await handle.datasync()
      } finally {
        await handle.close()
      }
      if (created) await syncDir(this.dir)
    }
    const next = conv.chain.then(op, op)
    conv.chain = next.catch(() => undefined)
    return next
  }
}
