/**
 * Requests still waiting for an answer on one connection. When the connection goes away each
 * hears it at once: JsSIP would only notice at the transaction timeout (32 s), and the session
 * wants to move on (re-queue, re-publish) now.
 */
export class InFlight {
  readonly #lost = new Set<() => void>()
  #closed = false

  /** True once the connection is gone: new requests fail at once. */
  get closed(): boolean {
    return this.#closed
  }

  /** Calls `onLost` if the connection goes before the returned `done` is called. */
  track(onLost: () => void): () => void {
    this.#lost.add(onLost)
    return () => {
      this.#lost.delete(onLost)
    }
  }

  /** The connection is gone: every request still waiting hears it now. */
  close(): void {
    this.#closed = true
    const waiting = [...this.#lost]
    this.#lost.clear()
    for (const onLost of waiting) onLost()
  }
}
