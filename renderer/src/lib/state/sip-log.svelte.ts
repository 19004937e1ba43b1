/**
 * One SIP message as the ladder shows it. Local type: the contract has no SIP log channel yet
 * (`sip:get-log` invoke and `sip:log-appended` event are requested from the core team); once
 * they exist this type moves to shared/types and `start()` subscribes.
 */
export interface SipLogEntry {
  id: string
  /** `out` = we sent it, `in` = the server sent it. */
  direction: 'in' | 'out'
  /** ISO 8601. */
  at: string
  /** Request line or status line, e.g. `REGISTER sip:example.org SIP/2.0` or `SIP/2.0 200 OK`. */
  firstLine: string
  /** Header lines, credentials already redacted by the core. */
  headers: string[]
  /** Body with message text redacted by the core; empty when there is none. */
  body: string
}

/** The SIP log for the helpdesk ladder. */
class SipLogStore {
  entries = $state.raw<SipLogEntry[]>([])
  /** False until the core offers the log channels. */
  available = $state(false)

  /** Replaces the log (used by tests and, later, by the `sip:get-log` answer). */
  load(entries: SipLogEntry[]): void {
    this.entries = entries
    this.available = true
  }

  append(entry: SipLogEntry): void {
    this.entries = [...this.entries, entry]
  }
}

/** The SIP log singleton. */
export const sipLog = new SipLogStore()
