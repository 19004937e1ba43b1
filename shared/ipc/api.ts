import {
  eventNames,
  type Contract,
  invokeNames,
  type EventName,
  type InvokeName,
  type PayloadOf,
  type RequestOf,
  type ResponseOf
} from './contract'
import type { IpcResult } from './result'

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S
type DomainOf<K extends string> = K extends `${infer D}:${string}` ? D : never
type MethodOf<K extends string> = K extends `${string}:${infer M}` ? CamelCase<M> : never
type ListenerOf<K extends string> = `on${Capitalize<MethodOf<K>>}`

/** A domain's methods: one per invoke channel, one `onX(cb) → unsubscribe` per event channel. */
export type DomainApi<D extends string> = {
  [K in InvokeName as DomainOf<K> extends D ? MethodOf<K> : never]: (
    request: RequestOf<K>
  ) => Promise<IpcResult<ResponseOf<K>>>
} & {
  [K in EventName as DomainOf<K> extends D ? ListenerOf<K> : never]: (
    listener: (payload: PayloadOf<K>) => void
  ) => () => void
}

/**
 * The renderer's whole view of the core, `window.api.<domain>.<method>()`, generated from the
 * contract. No channel name and no generic send is exposed.
 */
export type Api = { [D in DomainOf<Extract<keyof Contract, string>>]: DomainApi<D> }

/** What an adapter must provide to carry the contract (Electron IPC or the loopback WebSocket). */
export interface Transport {
  invoke(channel: InvokeName, payload: unknown): Promise<IpcResult<unknown>>
  subscribe(channel: EventName, listener: (payload: unknown) => void): () => void
}

/** `'presence:set-status'` → `['presence', 'setStatus']`. */
export function methodName(channel: string): [string, string] {
  const [domain = '', verb = ''] = channel.split(':')
  return [domain, verb.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase())]
}

/** Builds the typed API object over a transport; used by the preload and the browser adapter. */
export function buildApi(transport: Transport): Api {
  const api: Record<string, Record<string, unknown>> = {}
  for (const channel of invokeNames) {
    const [domain, method] = methodName(channel)
    api[domain] ??= {}
    api[domain][method] = (request: unknown) => transport.invoke(channel, request)
  }
  for (const channel of eventNames) {
    const [domain, method] = methodName(channel)
    api[domain] ??= {}
    api[domain][`on${method.charAt(0).toUpperCase()}${method.slice(1)}`] = (
      listener: (payload: unknown) => void
    ) => transport.subscribe(channel, listener)
  }
  return api as unknown as Api
}
