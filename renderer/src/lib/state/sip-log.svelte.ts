import type { SipLogEntry } from '../../../../shared/types/sip-log'
import { api } from '../api'
import { settle, type UiError } from './result'

/** The core keeps 2,000 messages; the ladder keeps as many and drops the oldest beyond that. */
const keep = 2000

/** The helpdesk's SIP log (secrets and message text already removed by the core). */
class SipLogStore {
  entries = $state.raw<SipLogEntry[]>([])
  /** False until the core answered `sip:get-log`. */
  available = $state(false)
  error = $state.raw<UiError | null>(null)
  /** Text to filter by (start line, Call-ID, method). */
  filter = $state('')
  #unsubscribe: (() => void) | null = null

  readonly shown = $derived.by(() => {
    const needle = this.filter.trim().toLowerCase()
    if (!needle) return this.entries
    return this.entries.filter(
      (e) =>
        e.startLine.toLowerCase().includes(needle) ||
        e.method.toLowerCase().includes(needle) ||
        (e.callId ?? '').toLowerCase().includes(needle)
    )
  })

  async start(): Promise<void> {
    this.#unsubscribe ??= api.sip.onLogAppended((entry) => this.append(entry))
    const entries = await settle(
      () => api.sip.getLog(),
      (e) => (this.error = e)
    )
    if (entries) this.load(entries)
  }

  /** Replaces the log with what the core kept. */
  load(entries: SipLogEntry[]): void {
    this.entries = entries.slice(-keep)
    this.available = true
    this.error = null
  }

  append(entry: SipLogEntry): void {
    if (this.entries.some((e) => e.id === entry.id)) return
    const next = [...this.entries, entry]
    this.entries = next.length > keep ? next.slice(-keep) : next
  }

  async clear(): Promise<void> {
    const result = await settle(
      () => api.sip.clearLog(),
      (e) => (this.error = e)
    )
    if (result) this.entries = []
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }
}

/** The SIP log singleton. */
export const sipLog = new SipLogStore()
