import { describe, expect, it, vi } from 'vitest'
import { buildApi, methodName, type Transport } from '../../../../shared/ipc/api'
import { eventNames, invokeNames } from '../../../../shared/ipc/contract'
import { ok } from '../../../../shared/ipc/result'

describe('methodName', () => {
  it('maps domain:verb-noun to [domain, verbNoun]', () => {
    expect(methodName('app:get-info')).toEqual(['app', 'getInfo'])
    expect(methodName('presence:set-own-status')).toEqual(['presence', 'setOwnStatus'])
    expect(methodName('im:send')).toEqual(['im', 'send'])
  })
})

describe('buildApi', () => {
  it('calls the transport with the channel behind each typed method', async () => {
    const invoke = vi.fn(() => Promise.resolve(ok({ version: '1' })))
    const transport: Transport = { invoke, subscribe: vi.fn(() => () => undefined) }
    const api = buildApi(transport)
    const result = await api.app.getInfo()
    expect(invoke).toHaveBeenCalledWith('app:get-info', undefined)
    expect(result).toEqual({ ok: true, value: { version: '1' } })
  })

  it('exposes no channel names or generic send', () => {
    const api = buildApi({ invoke: () => Promise.resolve(ok(1)), subscribe: () => () => undefined })
    const domains = Object.keys(api)
    for (const bad of ['send', 'invoke', 'on', 'ipcRenderer']) expect(domains).not.toContain(bad)
    // Every method is one channel's generated name: nothing generic, nothing else.
    const methods = Object.entries(api).flatMap(([d, m]) =>
      Object.keys(m as object).map((k) => `${d}.${k}`)
    )
    const expected = [
      ...invokeNames.map((c) => methodName(c).join('.')),
      ...eventNames.map((c) => {
        const [d, m] = methodName(c)
        return `${d}.on${m.charAt(0).toUpperCase()}${m.slice(1)}`
      })
    ]
    expect(methods.sort()).toEqual(expected.sort())
  })
})
