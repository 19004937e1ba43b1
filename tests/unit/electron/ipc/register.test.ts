import { contextBridge, ipcMain, ipcRenderer } from 'electron'
import { afterEach, describe, expect, it } from 'vitest'
import { createDispatcher } from '../../../../electron/main/ipc/dispatch'
import {
  forwardEvents,
  registerIpcHandlers,
  SenderGuard
} from '../../../../electron/main/ipc/register'
import { EventBus } from '../../../../electron/main/ipc/dispatch'
import { EVENT_INTEREST_CHANNEL } from '../../../../shared/ipc/interest'
import type { Api } from '../../../../shared/ipc/api'
import { eventSamples } from '../../shared/ipc/samples'
import { invokeSamples } from '../../shared/ipc/samples'

type Handler = (event: unknown, payload: unknown) => Promise<unknown>
const fake = ipcMain as unknown as { handlers: Map<string, Handler> }

function fakeContents(id: number, url: string) {
  const mainFrame = { url }
  const sent: Array<[string, unknown]> = []
  return {
    id,
    mainFrame,
    sent,
    isDestroyed: () => false,
    once: () => undefined,
    send: (channel: string, payload: unknown) => sent.push([channel, payload])
  }
}

const appUrl = (url: string) => url.startsWith('file:///app/renderer/')
let unregister: () => void = () => undefined
afterEach(() => unregister())

function setup() {
  const guard = new SenderGuard(appUrl)
  const dispatcher = createDispatcher({
    'app:get-info': () => invokeSamples['app:get-info'].response
  })
  unregister = registerIpcHandlers(dispatcher, guard)
  const handler = fake.handlers.get('app:get-info')
  if (!handler) throw new Error('app:get-info was not registered')
  return { guard, handler }
}

describe('registerIpcHandlers', () => {
  it('answers a registered window top frame', async () => {
    const { guard, handler } = setup()
    const wc = fakeContents(1, 'file:///app/renderer/index.html')
    guard.trust(wc as never)
    const r = await handler({ sender: wc, senderFrame: wc.mainFrame }, undefined)
    expect(r).toMatchObject({ ok: true })
  })

  it('rejects a webContents it never registered', async () => {
    const { handler } = setup()
    const wc = fakeContents(2, 'file:///app/renderer/index.html')
    const r = await handler({ sender: wc, senderFrame: wc.mainFrame }, undefined)
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
  })

  it('rejects a subframe of a registered window', async () => {
    const { guard, handler } = setup()
    const wc = fakeContents(3, 'file:///app/renderer/index.html')
    guard.trust(wc as never)
    const r = await handler({ sender: wc, senderFrame: { url: wc.mainFrame.url } }, undefined)
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
  })

  it('rejects a registered window that navigated elsewhere', async () => {
    const { guard, handler } = setup()
    const wc = fakeContents(4, 'https://evil.example/')
    guard.trust(wc as never)
    const r = await handler({ sender: wc, senderFrame: wc.mainFrame }, undefined)
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
  })

  it('validates payloads from a trusted sender', async () => {
    const { guard, handler } = setup()
    const wc = fakeContents(5, 'file:///app/renderer/index.html')
    guard.trust(wc as never)
    const r = await handler({ sender: wc, senderFrame: wc.mainFrame }, { junk: 1 })
    expect(r).toMatchObject({ ok: false, error: { code: 'bad-request' } })
  })
})

describe('forwardEvents', () => {
  const fakeMain = ipcMain as unknown as {
    emit(channel: string, event: unknown, message: unknown): void
  }
  const interest = (wc: ReturnType<typeof fakeContents>, message: unknown, frame = wc.mainFrame) =>
    fakeMain.emit(EVENT_INTEREST_CHANNEL, { sender: wc, senderFrame: frame }, message)

  /** An event bus forwarded to windows; `window(id)` makes one showing our page. */
  function forwarding() {
    const guard = new SenderGuard(appUrl)
    const events = new EventBus()
    const stop = forwardEvents(events, guard)
    const window = (id: number, trusted = true) => {
      const wc = fakeContents(id, 'file:///app/renderer/index.html')
      if (trusted) guard.trust(wc as never)
      return wc
    }
    return { events, stop, window }
  }

  it('sends a window only the channels its page listens to', () => {
    const { events, stop, window } = forwarding()
    const a = window(1)
    const b = window(2)
    interest(a, { channel: 'sip:log-appended', on: true })
    interest(b, { channel: 'presence:own-changed', on: true })
    events.emit('sip:log-appended', eventSamples['sip:log-appended'])
    events.emit('presence:own-changed', eventSamples['presence:own-changed'])
    expect(a.sent.map(([c]) => c)).toEqual(['sip:log-appended'])
    expect(b.sent.map(([c]) => c)).toEqual(['presence:own-changed'])
    interest(a, { channel: 'sip:log-appended', on: false })
    events.emit('sip:log-appended', eventSamples['sip:log-appended'])
    expect(a.sent).toHaveLength(1)
    // A reloaded page starts from nothing.
    interest(b, { reset: true })
    events.emit('presence:own-changed', eventSamples['presence:own-changed'])
    expect(b.sent).toHaveLength(1)
    stop()
  })

  it('ignores interest from a subframe, an unknown window or with a bad channel', () => {
    const { events, stop, window } = forwarding()
    const a = window(1)
    const stranger = window(9, false)
    interest(a, { channel: 'im:received', on: true }, { url: 'https://evil.example/' })
    interest(stranger, { channel: 'im:received', on: true })
    interest(a, { channel: 'im:send', on: true })
    interest(a, 'garbage')
    events.emit('im:received', eventSamples['im:received'])
    expect(a.sent).toEqual([])
    expect(stranger.sent).toEqual([])
    stop()
  })
})

describe('preload', () => {
  it('tells main when the page starts and stops listening, and delivers events', async () => {
    const fakeRenderer = ipcRenderer as unknown as {
      sent: Array<{ channel: string; message: unknown }>
      emit(channel: string, event: unknown, payload: unknown): void
    }
    await import('../../../../electron/preload/index')
    expect(fakeRenderer.sent[0]).toEqual({
      channel: EVENT_INTEREST_CHANNEL,
      message: { reset: true }
    })
    const api = (contextBridge as unknown as { exposed: Map<string, unknown> }).exposed.get(
      'api'
    ) as Api
    const got: unknown[] = []
    const off = api.sip.onLogAppended((entry) => got.push(entry))
    expect(fakeRenderer.sent.at(-1)).toEqual({
      channel: EVENT_INTEREST_CHANNEL,
      message: { channel: 'sip:log-appended', on: true }
    })
    fakeRenderer.emit('sip:log-appended', {}, eventSamples['sip:log-appended'])
    expect(got).toEqual([eventSamples['sip:log-appended']])
    off()
    expect(fakeRenderer.sent.at(-1)).toEqual({
      channel: EVENT_INTEREST_CHANNEL,
      message: { channel: 'sip:log-appended', on: false }
    })
    fakeRenderer.emit('sip:log-appended', {}, eventSamples['sip:log-appended'])
    expect(got).toHaveLength(1)
  })
})
