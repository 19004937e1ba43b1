import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createCore, type Core } from '../../../../electron/main/core'
import { cspForHost, startWebHost, type WebHost } from '../../../../electron/main/host/web-host'
import { eventSamples } from '../../shared/ipc/samples'

let host: WebHost
let core: Core

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-web-'))
  const rendererDir = join(dir, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(
    join(rendererDir, 'index.html'),
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; connect-src 'none'">`
  )
  writeFileSync(join(dir, 'secret.txt'), 'do not serve')
  core = createCore({ host: 'browser', version: '9.9.9', dataDir: dir })
  host = await startWebHost({ dispatcher: core.dispatcher, events: core.events, rendererDir })
})
afterAll(async () => {
  await host.close()
  await core.dispose()
})

/** Opens a socket and collects parsed frames until it closes or `count` arrive. */
function talk(frames: unknown[], opts: { origin?: string; count: number }) {
  return new Promise<{ frames: Record<string, unknown>[]; closeCode?: number }>(
    (resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc`, {
        origin: opts.origin ?? host.origin
      })
      const got: Record<string, unknown>[] = []
      const timer = setTimeout(() => {
        ws.terminate()
        resolve({ frames: got })
      }, 3000)
      ws.on('open', () => {
        for (const f of frames) ws.send(typeof f === 'string' ? f : JSON.stringify(f))
      })
      ws.on('message', (data) => {
        got.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>)
        if (got.length >= opts.count) {
          clearTimeout(timer)
          ws.close()
          resolve({ frames: got })
        }
      })
      ws.on('close', (code) => {
        clearTimeout(timer)
        resolve({ frames: got, closeCode: code })
      })
      ws.on('error', (e) => {
        clearTimeout(timer)
        reject(e)
      })
    }
  )
}

function get(path: string, hostHeader?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, headers: hostHeader ? { host: hostHeader } : {} },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }
    )
    req.on('error', reject)
    req.end()
  })
}

describe('browser host', () => {
  it('binds loopback only and prints a URL with the token in the fragment', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/)
  })

  it('answers an invoke after the right token', async () => {
    const { frames } = await talk(
      [
        { type: 'hello', token: host.token },
        { type: 'invoke', id: 7, channel: 'app:get-info' }
      ],
      { count: 2 }
    )
    expect(frames[0]).toEqual({ type: 'welcome' })
    expect(frames[1]).toMatchObject({
      type: 'result',
      id: 7,
      result: { ok: true, value: { version: '9.9.9', host: 'browser' } }
    })
  })

  it('refuses a wrong token with a clear error and closes', async () => {
    const { frames, closeCode } = await talk([{ type: 'hello', token: 'guess' }], { count: 99 })
    expect(frames[0]).toMatchObject({ type: 'error', error: { code: 'unauthorized' } })
    expect(String((frames[0]?.['error'] as { message: string }).message)).toMatch(/token is wrong/)
    expect(closeCode).toBe(4401)
  })

  it('refuses an invoke without a token', async () => {
    const { frames } = await talk([{ type: 'invoke', id: 1, channel: 'app:get-info' }], {
      count: 1
    })
    expect(frames[0]).toMatchObject({ result: { ok: false, error: { code: 'unauthorized' } } })
  })

  it('answers bad frames and bad payloads with clear errors and keeps going', async () => {
    const { frames } = await talk(
      [
        { type: 'hello', token: host.token },
        'not json',
        { type: 'launch-missiles' },
        { type: 'invoke', id: 2, channel: 'app:get-info', payload: { x: 1 } },
        { type: 'invoke', id: 3, channel: 'nope:nope' },
        { type: 'invoke', id: 4, channel: 'app:get-info' }
      ],
      { count: 6 }
    )
    expect(frames[1]).toMatchObject({ type: 'error', error: { code: 'bad-request' } })
    expect(frames[2]).toMatchObject({ type: 'error', error: { code: 'bad-request' } })
    expect(frames[3]).toMatchObject({
      id: 2,
      result: { ok: false, error: { code: 'bad-request' } }
    })
    expect(frames[4]).toMatchObject({
      id: 3,
      result: { ok: false, error: { code: 'unknown-channel' } }
    })
    expect(frames[5]).toMatchObject({ id: 4, result: { ok: true } })
  })

  it('sends a page only the event channels it listens to', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc`, { origin: host.origin })
    const got: Record<string, unknown>[] = []
    let waiter: { n: number; resolve: () => void } | null = null
    ws.on('message', (data) => {
      got.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>)
      if (waiter && got.length >= waiter.n) waiter.resolve()
    })
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        if (got.length >= n) resolve()
        else waiter = { n, resolve }
      })
    const send = (f: unknown) => ws.send(JSON.stringify(f))
    await new Promise((r) => ws.on('open', r))
    send({ type: 'hello', token: host.token })
    send({ type: 'listen', channel: 'presence:own-changed', on: true })
    // An invoke answered after the listen frame: the host has applied the interest by then.
    send({ type: 'invoke', id: 1, channel: 'app:get-info' })
    await until(2)
    core.events.emit('sip:log-appended', eventSamples['sip:log-appended'])
    core.events.emit('presence:own-changed', eventSamples['presence:own-changed'])
    await until(3)
    expect(got[2]).toEqual({
      type: 'events',
      events: [{ channel: 'presence:own-changed', payload: eventSamples['presence:own-changed'] }]
    })
    send({ type: 'listen', channel: 'presence:own-changed', on: false })
    send({ type: 'invoke', id: 2, channel: 'app:get-info' })
    await until(4)
    core.events.emit('presence:own-changed', eventSamples['presence:own-changed'])
    send({ type: 'listen', channel: 'im:send', on: true })
    await until(5)
    // Nothing was delivered after the page stopped listening; a non-event channel is refused.
    expect(got.slice(3).map((f) => f['type'])).toEqual(['result', 'error'])
    expect(got[4]).toMatchObject({ error: { code: 'bad-request' } })
    ws.close()
  })

  it('sends the events of one turn as one frame, in order, never after a later answer', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc`, { origin: host.origin })
    const got: Record<string, unknown>[] = []
    const arrived = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        got.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>)
        if (got.length === 4) resolve()
      })
    )
    const send = (f: unknown) => ws.send(JSON.stringify(f))
    await new Promise((r) => ws.on('open', r))
    send({ type: 'hello', token: host.token })
    send({ type: 'listen', channel: 'presence:changed', on: true })
    send({ type: 'invoke', id: 1, channel: 'app:get-info' })
    while (got.length < 2) await new Promise((r) => setTimeout(r, 10))
    const update = (uri: string) => ({ ...eventSamples['presence:changed'], uri })
    // A thousand in one turn: one frame. Then an answer: the events go before it.
    for (let i = 0; i < 1000; i++) core.events.emit('presence:changed', update(`sip:u${i}@x.org`))
    send({ type: 'invoke', id: 2, channel: 'app:get-info' })
    await new Promise((r) => setTimeout(r, 20))
    core.events.emit('presence:changed', update('sip:late@x.org'))
    await arrived
    expect(got.slice(2).map((f) => f['type'])).toEqual(['events', 'result'])
    const batch = got[2] as { events: { payload: { uri: string } }[] }
    expect(batch.events.map((e) => e.payload.uri)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `sip:u${i}@x.org`)
    )
    await new Promise((r) => setTimeout(r, 50))
    expect(got[4]).toMatchObject({
      type: 'events',
      events: [{ payload: { uri: 'sip:late@x.org' } }]
    })
    ws.close()
  })

  it('refuses a listen frame before the token', async () => {
    const { frames } = await talk([{ type: 'listen', channel: 'im:received', on: true }], {
      count: 1
    })
    expect(frames[0]).toMatchObject({ type: 'error', error: { code: 'unauthorized' } })
  })

  it('refuses a WebSocket from another origin', async () => {
    await expect(talk([], { origin: 'http://evil.example', count: 1 })).rejects.toThrow(/403/)
  })

  it('serves the renderer with a CSP that allows only its own socket', async () => {
    const res = await get('/')
    expect(res.status).toBe(200)
    expect(res.body).toContain(`connect-src ws://127.0.0.1:${host.port}`)
    expect(res.body).not.toContain("connect-src 'none'")
  })

  it('does not serve files outside the renderer or to a foreign Host header', async () => {
    expect((await get('/../secret.txt')).body).not.toContain('do not serve')
    expect((await get('/%2e%2e/secret.txt')).body).not.toContain('do not serve')
    expect((await get('/..%2fsecret.txt')).status).toBe(403)
    expect((await get('/', 'evil.example')).status).toBe(421)
  })

  it('rewrites only connect-src', () => {
    expect(cspForHost("default-src 'none'; connect-src 'none'", 1234)).toBe(
      "default-src 'none'; connect-src ws://127.0.0.1:1234"
    )
  })
})
