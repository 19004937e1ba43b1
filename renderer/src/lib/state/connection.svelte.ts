import type { ConnectionInfo } from '../../../../shared/types/connection'
import { api } from '../api'
import { settle, type UiError } from './result'
import { trust } from './trust.svelte'

/** How the server was found (discovery trace) and the pending DNS-hijack question, if any. */
class ConnectionStore {
  info = $state.raw<ConnectionInfo | null>(null)
  error = $state.raw<UiError | null>(null)
  /** The answer just given to the DNS-hijack question, until the next sign-in. */
  answered = $state<'allowed' | 'refused' | null>(null)
  #unsubscribe: (() => void) | null = null

  async start(): Promise<void> {
    this.#unsubscribe ??= api.connection.onChanged((info) => {
      this.info = info
    })
    const info = await settle(
      () => api.connection.get(),
      (e) => (this.error = e)
    )
    if (info) {
      this.info = info
      this.error = null
    }
  }

  /**
   * Records the answer to the pending DNS-hijack question; true once the core saved it. The
   * session (`session.answerQuestion`) goes on with the sign-in that asked.
   */
  async answer(allow: boolean): Promise<boolean> {
    const question = this.info?.question
    if (!question) return false
    const ok = await trust.decideDomain(question.sipDomain, question.serverHost, allow)
    if (!ok) return false
    this.answered = allow ? 'allowed' : 'refused'
    if (this.info) this.info = { ...this.info, question: null }
    return true
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }
}

/** The connection singleton. */
export const connection = new ConnectionStore()
