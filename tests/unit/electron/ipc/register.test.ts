import { ipcMain } from 'electron'
import { afterEach, describe, expect, it } from 'vitest'
import { createDispatcher } from '../../../../electron/main/ipc/dispatch'
import { registerIpcHandlers, SenderGuard } from '../../../../electron/main/ipc/register'
import { invokeSamples } from '../../shared/ipc/samples'

type Handler = (event: unknown, payload: unknown) => Promise<unknown>
const fake = ipcMain as unknown as { handlers: Map<string, Handler> }

function fakeContents(id: number, url: string) {
  const mainFrame = { url }
  return {
    id,
    mainFrame,
    isDestroyed: () => false,
    once: () => undefined,
    send: () => undefined
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
