import { buildApi, type Api, type Transport } from '../../../shared/ipc/api'
import type { EventName, InvokeName } from '../../../shared/ipc/contract'
import { fail, type IpcResult } from '../../../shared/ipc/result'
import { ListenerRegistry } from '../../../shared/ipc/interest'
import { serverFrameSchema, type ClientFrame } from '../../../shared/ipc/wire'

declare global {
  interface Window {
    /** Set by the Electron preload; absent under the browser host. */
    api?: Api
  }
}

/** How the renderer reaches the core. */
export type AdapterKind = 'electron' | 'browser'

/**
 * Browser host adapter: one WebSocket to the page's own loopback origin, authenticated with the
 * token from the URL fragment (never sent in a request line, so it stays out of logs).
 */
export function createWebSocketTransport(url: string, token: string): Transport {
  let nextId = 1
  const pending = new Map<number, (result: IpcResult<unknown>) => void>()
  let fatal: IpcResult<unknown> | undefined
  const ws = new WebSocket(url)
  // Interest goes out after the hello, in order with invokes (both wait for `ready`).
  const listeners = new ListenerRegistry(({ channel, on }) => {
    void ready.then(() => {
      if (fatal) return
      const frame: ClientFrame = { type: 'listen', channel, on }
      ws.send(JSON.stringify(frame))
    })
  })
  const ready = new Promise<void>((resolve) => {
    ws.addEventListener('open', () => {
      const hello: ClientFrame = { type: 'hello', token }
      ws.send(JSON.stringify(hello))
    })
    ws.addEventListener('message', (event: MessageEvent<string>) => {
      let raw: unknown
      try {
        raw = JSON.parse(event.data)
      } catch {
        return
      }
      const frame = serverFrameSchema.safeParse(raw)
      if (!frame.success) return
      const message = frame.data
      if (message.type === 'welcome') resolve()
      else if (message.type === 'result') {
        pending.get(message.id)?.(message.result)
        pending.delete(message.id)
      } else if (message.type === 'events') {
        for (const { channel, payload } of message.events) {
          try {
            listeners.emit(channel, payload)
          } catch (error) {
            // Reported as an uncaught error, as it was with one message per event; the rest of
            // the frame's events are still delivered.
            queueMicrotask(() => {
              throw error
            })
          }
        }
      } else {
        fatal = { ok: false, error: message.error }
        resolve()
      }
    })
    ws.addEventListener('close', () => {
      fatal ??= fail('unavailable', 'The connection to the TrustLine core was closed.')
      for (const settle of pending.values()) settle(fatal)
      pending.clear()
      resolve()
    })
  })
  return {
    async invoke(channel: InvokeName, payload: unknown) {
      await ready
      if (fatal) return fatal
      const id = nextId++
      return new Promise<IpcResult<unknown>>((resolve) => {
        pending.set(id, resolve)
        const frame: ClientFrame = { type: 'invoke', id, channel, payload }
        ws.send(JSON.stringify(frame))
      })
    },
    subscribe(channel: EventName, listener: (payload: unknown) => void) {
      return listeners.add(channel, listener)
    }
  }
}

/** Picks the adapter once at start: the preload's `window.api`, else the browser host socket. */
function pickAdapter(): { kind: AdapterKind; api: Api } {
  if (window.api) return { kind: 'electron', api: window.api }
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ipc`
  return { kind: 'browser', api: buildApi(createWebSocketTransport(url, token)) }
}

const picked = pickAdapter()

/** The typed API; only state classes call it. */
export const api: Api = picked.api

/** Which adapter is in use. */
export const adapterKind: AdapterKind = picked.kind
