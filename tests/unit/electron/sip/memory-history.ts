import type { ImHistory } from '../../../../electron/main/sip/im'
import type { ImMessage } from '../../../../shared/types/im'

/** In-memory IM history for SIP tests: messages by id and the order of what happened. */
export class MemoryHistory implements ImHistory {
  readonly byId = new Map<string, ImMessage>()
  /** `id:state` for every append and state change, in order. */
  readonly events: string[] = []

  async append(m: ImMessage) {
    await Promise.resolve()
    this.byId.set(m.id, { ...m })
    this.events.push(`${m.id}:${m.state}`)
    return { ...m }
  }

  async message(_c: string, id: string) {
    await Promise.resolve()
    const m = this.byId.get(id)
    return m ? { ...m } : undefined
  }

  async history(c: string) {
    await Promise.resolve()
    return {
      messages: [...this.byId.values()].filter((m) => m.conversation === c).map((m) => ({ ...m }))
    }
  }

  async updateState(
    _c: string,
    id: string,
    state: ImMessage['state'],
    failure?: ImMessage['failure']
  ) {
    await Promise.resolve()
    const m = this.byId.get(id)
    if (!m) return undefined
    m.state = state
    if (failure) m.failure = failure
    else delete m.failure
    this.events.push(`${id}:${state}`)
    return { ...m }
  }

  async findReceived(conversation: string, dedupeKey: string) {
    await Promise.resolve()
    const m = [...this.byId.values()].find(
      (x) => x.conversation === conversation && x.direction === 'in' && x.dedupeKey === dedupeKey
    )
    return m ? { ...m } : undefined
  }
}

/** Polls `cond` every 5 ms; throws after `ms`. */
export async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 5))
  }
}
