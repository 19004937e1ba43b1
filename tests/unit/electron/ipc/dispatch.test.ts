import { describe, expect, it, vi } from 'vitest'
import { createDispatcher, EventBus } from '../../../../electron/main/ipc/dispatch'
import { IpcFailure } from '../../../../shared/ipc/result'
import { invokeSamples } from '../../shared/ipc/samples'

const info = invokeSamples['app:get-info'].response

describe('createDispatcher', () => {
  it('runs a valid request and wraps the value', async () => {
    const d = createDispatcher({ 'app:get-info': () => info })
    expect(await d.invoke('app:get-info', undefined)).toEqual({ ok: true, value: info })
  })

  it('refuses an unknown channel with a clear error', async () => {
    const d = createDispatcher({ 'app:get-info': () => info })
    const r = await d.invoke('app:rm-rf', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown-channel' } })
    expect(await d.invoke(42, {})).toMatchObject({ ok: false, error: { code: 'unknown-channel' } })
  })

  it('refuses a bad payload before the handler runs', async () => {
    const handler = vi.fn(() => info)
    const d = createDispatcher({ 'app:get-info': handler })
    const r = await d.invoke('app:get-info', { evil: true })
    expect(r).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    if (!r.ok) expect(r.error.message).toContain('app:get-info')
    expect(handler).not.toHaveBeenCalled()
  })

  it('keeps the code of an expected failure', async () => {
    const d = createDispatcher({
      'app:get-info': () => {
        throw new IpcFailure('not-signed-in', 'Sign in first.')
      }
    })
    expect(await d.invoke('app:get-info', undefined)).toEqual({
      ok: false,
      error: { code: 'not-signed-in', message: 'Sign in first.' }
    })
  })

  it('turns a crash into an internal error and logs it', async () => {
    const log = vi.fn()
    const d = createDispatcher(
      {
        'app:get-info': () => {
          throw new Error('boom')
        }
      },
      log
    )
    expect(await d.invoke('app:get-info', undefined)).toMatchObject({
      ok: false,
      error: { code: 'internal' }
    })
    expect(log).toHaveBeenCalled()
  })

  it('does not leak a response that breaks the contract', async () => {
    const d = createDispatcher({ 'app:get-info': () => ({ ...info, host: 'ftp' }) as never })
    expect(await d.invoke('app:get-info', undefined)).toMatchObject({
      ok: false,
      error: { code: 'internal' }
    })
  })

  it('says when a channel has no handler in this host', async () => {
    const d = createDispatcher({})
    expect(await d.invoke('app:get-info', undefined)).toMatchObject({
      ok: false,
      error: { code: 'unavailable' }
    })
  })
})

describe('EventBus', () => {
  it('delivers to subscribers until they unsubscribe', () => {
    const bus = new EventBus()
    const seen: unknown[] = []
    const off = bus.subscribe((channel, payload) => seen.push([channel, payload]))
    off()
    expect(seen).toEqual([])
  })
})
