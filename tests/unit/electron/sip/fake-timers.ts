import type { Timers } from '../../../../electron/main/sip/publish'

/** Manual clock for timer-driven SIP logic. */
export class ManualTimers implements Timers {
  #now = 0
  #next = 1
  readonly pending = new Map<number, { at: number; fn: () => void }>()

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++
    this.pending.set(id, { at: this.#now + ms, fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number)
  }

  now(): number {
    return this.#now
  }

  /** Delay of the earliest pending timer, or null. */
  nextDelay(): number | null {
    const ats = [...this.pending.values()].map((p) => p.at)
    return ats.length ? Math.min(...ats) - this.#now : null
  }

  /** Advances the clock, firing due timers in order, and lets promises settle. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, p]) => p.at <= target)
        .sort((a, b) => a[1].at - b[1].at)[0]
      if (!due) break
      this.pending.delete(due[0])
      this.#now = due[1].at
      due[1].fn()
      await flush()
    }
    this.#now = target
    await flush()
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}
