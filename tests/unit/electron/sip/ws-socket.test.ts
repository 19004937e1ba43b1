import { connect, type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { WsSipSocket } from '../../../../electron/main/sip/ws-socket'
import type { SocketClosed } from '../../../../electron/main/sip/trusted-socket'
import { ManualTimers } from './fake-timers'
import { waitFor } from './memory-history'

let server: WebSocketServer | null = null
const AFTER_PING = 'OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n'
afterEach(async () => {
  for (const client of server?.clients ?? []) client.terminate()
  await new Promise((r) => (server ? server.close(r) : r(undefined)))
  server = null
})

/** A WebSocket server on loopback; the adapter doesn't care whether TLS is underneath. */
async function start(acceptSip: boolean): Promise<{ port: number; got: string[] }> {
  const got: string[] = []
  server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (acceptSip && protocols.has('sip') ? 'sip' : false)
  })
  server.on('connection', (ws) => {
    ws.on('ping', () => {
      got.push('ping')
      ws.send(AFTER_PING)
    })
    ws.on('message', (data: Buffer) => {
      got.push(data.toString('utf8'))
      ws.send('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n')
    })
  })
  await new Promise((r) => server!.once('listening', r))
  return { port: (server.address() as AddressInfo).port, got }
}

async function open(port: number): Promise<ReturnType<typeof connect>> {
  const stream = connect(port, '127.0.0.1')
  await new Promise((r) => stream.once('connect', r))
  stream.pause()
  return stream
}

describe('WsSipSocket', () => {
  it('speaks SIP over the WebSocket on the given stream, one message per frame', async () => {
    const { port, got } = await start(true)
    const s = new WsSipSocket(await open(port), { host: '127.0.0.1', port }, { path: '/ws' })
    expect(s.via_transport).toBe('WSS')
    expect(s.sip_uri).toBe(`sip:127.0.0.1:${port};transport=ws`)
    const data: string[] = []
    s.ondata = (d) => data.push(d)
    await new Promise<void>((resolve) => {
      s.onconnect = resolve
      s.connect()
    })
    expect(s.send('MESSAGE sip:b@x SIP/2.0\r\nContent-Length: 4\r\n\r\nü€')).toBe(true)
    await new Promise((r) => setTimeout(r, 50))
    expect(got).toEqual(['MESSAGE sip:b@x SIP/2.0\r\nContent-Length: 4\r\n\r\nü€'])
    expect(data).toEqual(['SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'])
    s.disconnect()
    expect(s.isConnected()).toBe(false)
  })

  it('refuses a server that does not agree on the "sip" subprotocol', async () => {
    const { port } = await start(false)
    const closed: SocketClosed[] = []
    const s = new WsSipSocket(
      await open(port),
      { host: '127.0.0.1', port },
      { onClosed: (c) => closed.push(c) }
    )
    let connected = false
    s.onconnect = () => (connected = true)
    s.connect()
    await new Promise((r) => setTimeout(r, 100))
    expect(connected).toBe(false)
    expect(closed[0]?.error).toBe(true)
  })

  it('checks the flow with a WebSocket ping; a pong keeps it, silence fails it', async () => {
    const { port, got } = await start(true)
    const closed: SocketClosed[] = []
    const timers = new ManualTimers()
    const s = new WsSipSocket(
      await open(port),
      { host: '127.0.0.1', port },
      { timers, onClosed: (c) => closed.push(c) }
    )
    const data: string[] = []
    s.ondata = (d) => data.push(d)
    await new Promise<void>((resolve) => {
      s.onconnect = resolve
      s.connect()
    })
    s.checkFlow()
    // The server's pong goes out before the message it sends on seeing the ping (see start).
    await waitFor(() => data.includes(AFTER_PING))
    expect(got).toEqual(['ping'])
    await timers.advance(10_000)
    expect(closed).toEqual([])
    // A server that stops reading: no pong.
    for (const client of server!.clients) client.pause()
    s.checkFlow()
    await timers.advance(9_999)
    expect(closed).toEqual([])
    await timers.advance(1)
    expect(closed[0]?.reason).toMatch(/flow check/)
  })
})
