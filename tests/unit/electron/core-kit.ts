import type { Core } from '../../../electron/main/core'
import type { EventName, InvokeName, PayloadOf, ResponseOf } from '../../../shared/ipc/contract'
import type { IpcResult } from '../../../shared/ipc/result'

/**
 * Drives a core as a window would, through its dispatcher: `call` answers the value or throws
 * with the error's code and message; `waitEvent` waits for an event the core emitted (kept in
 * `seen` from the moment this is called).
 */
export function driveCore(core: Core) {
  const seen: { channel: EventName; payload: unknown }[] = []
  core.events.subscribe((channel, payload) => seen.push({ channel, payload }))
  const call = async <K extends InvokeName>(channel: K, payload?: unknown) => {
    const result = (await core.dispatcher.invoke(channel, payload)) as IpcResult<ResponseOf<K>>
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`)
    return result.value
  }
  const waitEvent = async <K extends EventName>(
    channel: K,
    match: (p: PayloadOf<K>) => boolean,
    timeoutMs = 15_000
  ): Promise<PayloadOf<K>> => {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const hit = seen.find((e) => e.channel === channel && match(e.payload as PayloadOf<K>))
      if (hit) return hit.payload as PayloadOf<K>
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`no ${channel} event matched within ${timeoutMs} ms`)
  }
  return { call, waitEvent, seen }
}
