import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createCore, type Core } from '../../../../electron/main/core'
import { startWebHost, type WebHost } from '../../../../electron/main/host/web-host'

// Everything a page on another localhost port (or any local process) can throw at the browser
// host without a token: each gets a status or a close code, and the host keeps serving.

let host: WebHost
let core: Core
const logged: string[] = []

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-web-hostile-'))
  const rendererDir = join(dir, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(rendererDir, 'index.html'), '<title>TrustLine</title>')
  core = createCore({ host: 'browser', version: '0', dataDir: dir })
  host = await startWebHost({
    dispatcher: core.dispatcher,
    events: core.events,
    rendererDir,
    log: (m) => logged.push(m)
  })
})
afterAll(async () => {
  await host.close()
  await core.dispose()
})

/** Sends raw bytes, returns everything the host answered until it closed (or 3 s passed). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1')
    let got = ''
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(got)
    }
    const timer = setTimeout(done, 3000)
    socket.on('connect', () => socket.write(bytes))
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')))
    socket.on('end', done)
    socket.on('close', done)
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? done() : reject(e)))
  })
}

const hostHeader = () => `Host: 127.0.0.1:${host.port}\r\n`
const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
const upgradeHeaders = () =>
  hostHeader() +
  `Origin: ${host.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`

/** A WebSocket frame; clients must mask (RFC 6455 §5.3), `mask: false` breaks that rule. */
function frame(opcode: number, payload: Buffer, opts: { mask?: boolean; claim?: number } = {}) {
  const length = opts.claim ?? payload.length
  const mask = opts.mask ?? true
  const head: number[] = [0x80 | opcode]
  const m = mask ? 0x80 : 0
  if (length < 126) head.push(m | length)
  else if (length < 65536) head.push(m | 126, length >> 8, length & 0xff)
  else {
    head.push(m | 127, 0, 0, 0, 0)
    head.push((length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff)
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload])
  const key = randomBytes(4)
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))
  return Buffer.concat([Buffer.from(head), key, body])
}

/** Opens a raw WebSocket (handshake by hand), sends `bytes`, returns the close code it got. */
function closeCodeFor(bytes: Buffer): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(host.port, '127.0.0.1')
    let buffer = Buffer.alloc(0)
    let upgraded = false
    const timer = setTimeout(() => finish(null), 5000)
    const finish = (code: number | null) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(code)
    }
    socket.on('connect', () => socket.write(`GET /ipc HTTP/1.1\r\n${upgradeHeaders()}`))
    socket.on('data', (d: Buffer) => {
      buffer = Buffer.concat([buffer, d])
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        if (status(buffer.toString('latin1')) !== 101) return finish(-status(buffer.toString()))
        upgraded = true
        buffer = buffer.subarray(end + 4)
        socket.write(bytes)
      }
      // A close frame from the server: opcode 8, unmasked, 2-byte code first.
      if (buffer.length >= 4 && (buffer[0]! & 0x0f) === 0x8) finish(buffer.readUInt16BE(2))
    })
    socket.on('close', () => finish(null))
    socket.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' ? finish(null) : reject(e)
    )
  })
}

describe('the browser host under hostile input', () => {
  it.each([
    ['a broken percent-escape', 'GET /%E0%A4%A HTTP/1.1'],
    ['a lone percent sign', 'GET /% HTTP/1.1'],
    ['an invalid request target', 'GET //[ HTTP/1.1'],
    ['a HEAD with a broken escape', 'HEAD /%C0%AF%%% HTTP/1.1']
  ])('answers 400 to %s', async (_name, requestLine) => {
    const answer = await raw(`${requestLine}\r\n${hostHeader()}Connection: close\r\n\r\n`)
    expect(status(answer)).toBe(400)
  })

  it.each([
    ['an invalid request target', '//['],
    ['a broken percent-escape', '/%E0%A4%A']
  ])('answers 400 to a WebSocket upgrade with %s', async (_name, target) => {
    expect(status(await raw(`GET ${target} HTTP/1.1\r\n${upgradeHeaders()}`))).toBe(400)
  })

  it('answers 431 to oversized headers and 400 to garbage', async () => {
    const big = `GET / HTTP/1.1\r\n${hostHeader()}X-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`
    expect(status(await raw(big))).toBe(431)
    expect(status(await raw(Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])))).toBe(400)
    expect(status(await raw(`GET / HTTP/1.1\r\nBad Header Line\r\n\r\n`))).toBe(400)
  })

  it('closes a WebSocket frame over the 1 MiB cap with 1009', async () => {
    const code = await closeCodeFor(frame(0x1, Buffer.alloc(16), { claim: 1024 * 1024 + 1 }))
    expect(code).toBe(1009)
  })

  it('closes invalid UTF-8 in a text frame with 1007', async () => {
    expect(await closeCodeFor(frame(0x1, Buffer.from([0xff, 0xfe, 0xfd])))).toBe(1007)
  })

  it('closes an unmasked client frame with 1002', async () => {
    expect(await closeCodeFor(frame(0x1, Buffer.from('{}'), { mask: false }))).toBe(1002)
  })

  it('still serves the app and a socket with the token after all of that', async () => {
    const page = await raw(`GET / HTTP/1.1\r\n${hostHeader()}Connection: close\r\n\r\n`)
    expect(status(page)).toBe(200)
    expect(page).toContain('<title>TrustLine</title>')
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc`, { origin: host.origin })
    const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.on('error', reject)
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: host.token })))
      ws.on('message', (data: Buffer) => {
        const f = JSON.parse(data.toString()) as Record<string, unknown>
        if (f['type'] === 'welcome') {
          ws.send(JSON.stringify({ type: 'invoke', id: 7, channel: 'app:get-info' }))
        } else resolve(f)
      })
    })
    ws.close()
    expect(answer).toMatchObject({ type: 'result', id: 7, result: { ok: true } })
    expect(logged.some((l) => /1009|1007|1002|too big|UTF-8|MASK/i.test(l))).toBe(true)
  })
})
