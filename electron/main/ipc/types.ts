import type {
  EventName,
  InvokeName,
  PayloadOf,
  RequestOf,
  ResponseOf
} from '../../../shared/ipc/contract'

/** A handler for one invoke channel: validated request in, response out (or IpcFailure thrown). */
export type Handler<K extends InvokeName> = (
  request: RequestOf<K>
) => ResponseOf<K> | Promise<ResponseOf<K>>

/** Handlers for a subset of the invoke channels, as each domain's `create<Domain>Handlers` returns. */
export type HandlerMap<K extends InvokeName = InvokeName> = { [P in K]: Handler<P> }

/** Where core services send main→renderer events; adapters validate and deliver them. */
export interface EventSink {
  emit<K extends EventName>(channel: K, payload: PayloadOf<K>): void
}
