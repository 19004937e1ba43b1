import { vi, type Mock } from 'vitest'
import type { IpcResult } from '../../../shared/ipc/result'

type Listener = (payload: unknown) => void

/** Every `api.<domain>.<method>` is a vi.fn; by default it answers like an unwired core. */
export const calls: Record<string, Record<string, Mock>> = {}
const listeners = new Map<string, Set<Listener>>()

const unavailable: IpcResult<never> = {
  ok: false,
  error: { code: 'unavailable', message: 'not wired yet' }
}

function method(domain: string, name: string): Mock {
  calls[domain] ??= {}
  const existing = calls[domain][name]
  if (existing) return existing
  const fn = name.startsWith('on')
    ? vi.fn((listener: Listener) => {
        const key = `${domain}.${name}`
        const set = listeners.get(key) ?? new Set()
        set.add(listener)
        listeners.set(key, set)
        return () => set.delete(listener)
      })
    : vi.fn(() => Promise.resolve(unavailable))
  calls[domain][name] = fn
  return fn
}

/** The fake `api`: any domain, any method. */
export const api = new Proxy(
  {},
  {
    get: (_t, domain: string) => new Proxy({}, { get: (_u, name: string) => method(domain, name) })
  }
)

/** Makes `api.<domain>.<name>` answer `value` (ok) from now on. */
export function answer(domain: string, name: string, value: unknown): Mock {
  return method(domain, name).mockImplementation(() => Promise.resolve({ ok: true, value }))
}

/** Makes `api.<domain>.<name>` fail with `code`. */
export function refuse(domain: string, name: string, code: string, message = code): Mock {
  return method(domain, name).mockImplementation(() =>
    Promise.resolve({ ok: false, error: { code, message } })
  )
}

/** Fires an event as the core would (`emit('im', 'onReceived', message)`). */
export function emit(domain: string, listenerName: string, payload: unknown): void {
  for (const l of listeners.get(`${domain}.${listenerName}`) ?? []) l(payload)
}

/** The module that replaces renderer/src/lib/api in tests. */
export const apiModule = { api, adapterKind: 'browser' as const }

/** Back to an unwired core between tests (listeners stay: singletons subscribe once). */
export function resetApi(): void {
  for (const domain of Object.values(calls))
    for (const [name, fn] of Object.entries(domain)) {
      if (name.startsWith('on')) continue
      fn.mockReset()
      fn.mockImplementation(() => Promise.resolve(unavailable))
    }
}
