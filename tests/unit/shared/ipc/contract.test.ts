import { describe, expect, it } from 'vitest'
import type { EventChannel, InvokeChannel } from '../../../../shared/ipc/define'
import { contract, eventNames, invokeNames } from '../../../../shared/ipc/contract'
import { eventSamples, invokeSamples } from './samples'

describe('contract', () => {
  it('names every channel domain:verb-noun in kebab case', () => {
    for (const name of Object.keys(contract))
      expect(name).toMatch(/^[a-z]+(-[a-z]+)*:[a-z]+(-[a-z]+)*$/)
  })

  it('splits channels into invoke and event without overlap', () => {
    expect(invokeNames.length + eventNames.length).toBe(Object.keys(contract).length)
    expect(invokeNames).toContain('app:get-info')
  })

  it.each(invokeNames)('round-trips request and response of %s', (name) => {
    const spec = contract[name] as InvokeChannel
    const sample = invokeSamples[name] as { request: unknown; response: unknown }
    const request = spec.request.parse(
      JSON.parse(JSON.stringify(sample.request ?? null)) ?? undefined
    )
    expect(request).toEqual(sample.request)
    const response = spec.response.parse(JSON.parse(JSON.stringify(sample.response)))
    expect(response).toEqual(sample.response)
  })

  it.each(eventNames)('round-trips event %s', (name) => {
    const spec = contract[name] as EventChannel
    const sample = (eventSamples as Record<string, unknown>)[name]
    expect(spec.payload.parse(JSON.parse(JSON.stringify(sample)))).toEqual(sample)
  })

  it('rejects a malformed app info response', () => {
    const spec = contract['app:get-info']
    expect(spec.response.safeParse({ name: 'x' }).success).toBe(false)
    expect(
      spec.response.safeParse({ ...invokeSamples['app:get-info'].response, host: 'ftp' }).success
    ).toBe(false)
  })
})
