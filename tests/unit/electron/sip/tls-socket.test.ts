import { PassThrough, Duplex } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { TlsSipSocket } from '../../../../electron/main/sip/tls-socket'
import type { SocketClosed } from '../../../../electron/main/sip/trusted-socket'
import { ManualTimers } from './fake-timers'

/** A duplex whose written bytes we can read, and whose readable side we feed. */
function pair() {
  const incoming = new PassThrough()
  const written: Buffer[] = []
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk)
      cb()
    }
  })
  incoming.on('data', (c: Buffer) => stream.push(c))
  stream.pause()
  return { stream, incoming, written }
}

const tick = () => new Promise((r) => setImmediate(r))

describe('TlsSipSocket', () => {
  it('looks like a JsSIP socket over TLS', () => {
    const { stream } = pair()
    const s = new TlsSipSocket(stream, { host: '127.0.0.1', port: 5061 })
    expect(s.via_transport).toBe('TLS')
    expect(s.sip_uri).toBe('sip:127.0.0.1:5061;transport=tls')
    expect(s.url).toBe('sips://127.0.0.1:5061')
  })

  it('connects, delivers framed messages and keep-alives, and writes UTF-8 bytes', async () => {
    const { stream, incoming, written } = pair()
    const s = new TlsSipSocket(stream, { host: 'h', port: 1 })
    const got: string[] = []
    let connected = false
    s.onconnect = () => (connected = true)
    s.ondata = (d) => got.push(d)
    s.connect()
    await tick()
    expect(connected).toBe(true)
    const m = 'SIP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nü'
    incoming.write(Buffer.from('\r\n\r\n' + m).subarray(0, 10))
    incoming.write(Buffer.from('\r\n\r\n' + m).subarray(10))
    await tick()
    expect(got).toEqual(['\r\n\r\n', m])
    expect(s.send('é')).toBe(true)
    expect(Buffer.concat(written).toString('utf8')).toBe('é')
  })

  it('resets the connection on a framing error and reports why, without throwing', async () => {
    const { stream, incoming } = pair()
    const closed: SocketClosed[] = []
    const s = new TlsSipSocket(stream, { host: 'h', port: 1 }, { onClosed: (c) => closed.push(c) })
    const disconnects: Array<[boolean, string | undefined]> = []
    s.ondisconnect = (error, _code, reason) => disconnects.push([error, reason])
    s.connect()
    await tick()
    incoming.write('SIP/2.0 200 OK\r\nContent-Length: 99999999999\r\n\r\n')
    await tick()
    expect(stream.destroyed).toBe(true)
    expect(closed).toHaveLength(1)
    expect(closed[0]?.reason).toMatch(/protocol error: .*Content-Length/)
    expect(disconnects[0]?.[0]).toBe(true)
    expect(s.isConnected()).toBe(false)
    expect(s.send('x')).toBe(false)
  })

  it('reports a connect on a dead stream as a failed connection', async () => {
    const { stream } = pair()
    stream.destroy()
    const s = new TlsSipSocket(stream, { host: 'h', port: 1 })
    let failed = false
    s.ondisconnect = (error) => (failed = error)
    s.connect()
    await tick()
    expect(failed).toBe(true)
  })

  it('pings after a quiet interval, and resets when no pong comes back within the flow timeout', async () => {
    const { stream, incoming, written } = pair()
    const closed: SocketClosed[] = []
    const timers = new ManualTimers()
    const s = new TlsSipSocket(
      stream,
      { host: 'h', port: 1 },
      {
        keepAliveIntervalMs: 15_000,
        keepAliveTimeoutMs: 10_000,
        timers,
        onClosed: (c) => closed.push(c)
      }
    )
    s.connect()
    await tick()
    await timers.advance(14_999)
    expect(Buffer.concat(written).toString()).toBe('')
    await timers.advance(1)
    expect(Buffer.concat(written).toString()).toBe('\r\n\r\n')
    // The pong: the flow is alive, and the next ping comes after another quiet interval.
    incoming.write('\r\n')
    await tick()
    await timers.advance(10_000)
    expect(closed).toEqual([])
    await timers.advance(5_000)
    expect(Buffer.concat(written).toString()).toBe('\r\n\r\n\r\n\r\n')
    // No pong this time: 25 s after the last byte from the server the flow is failed.
    await timers.advance(9_999)
    expect(closed).toEqual([])
    await timers.advance(1)
    expect(closed).toEqual([{ error: true, reason: 'flow check: no answer from the server' }])
    expect(stream.destroyed).toBe(true)
  })

  it('checks the flow at once on demand (a transaction timed out), once at a time', async () => {
    const { stream, incoming, written } = pair()
    const closed: SocketClosed[] = []
    const timers = new ManualTimers()
    const s = new TlsSipSocket(
      stream,
      { host: 'h', port: 1 },
      { keepAliveIntervalMs: 60_000, timers, onClosed: (c) => closed.push(c) }
    )
    s.connect()
    await tick()
    s.checkFlow()
    s.checkFlow()
    expect(Buffer.concat(written).toString()).toBe('\r\n\r\n')
    // Any byte answers it, a pong or a SIP message.
    incoming.write('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n')
    await tick()
    await timers.advance(30_000)
    expect(closed).toEqual([])
    s.checkFlow()
    await timers.advance(10_000)
    expect(closed[0]?.reason).toMatch(/flow check/)
    // Nothing to check on a closed connection.
    s.checkFlow()
    expect(Buffer.concat(written).toString()).toBe('\r\n\r\n\r\n\r\n')
  })

  it('writes a message before logging it, and logs in wire order', async () => {
    const { stream, incoming, written } = pair()
    const traced: string[] = []
    const onWireWhenLogged: boolean[] = []
    const s = new TlsSipSocket(
      stream,
      { host: 'h', port: 1 },
      {
        trace: (direction, text) => {
          traced.push(`${direction} ${text.split('\r\n')[0]}`)
          if (direction === 'out') {
            onWireWhenLogged.push(Buffer.concat(written).toString().endsWith(text))
          }
        }
      }
    )
    // As JsSIP does: the 401 is answered from inside ondata.
    s.ondata = (d) => {
      if (d.startsWith('SIP/2.0 401'))
        s.send('REGISTER sip:x SIP/2.0\r\nCSeq: 2 REGISTER\r\nContent-Length: 0\r\n\r\n')
    }
    s.connect()
    await tick()
    s.send('REGISTER sip:x SIP/2.0\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n')
    await tick()
    incoming.write('SIP/2.0 401 Unauthorized\r\nContent-Length: 0\r\n\r\n')
    await tick()
    incoming.write('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n')
    await tick()
    expect(onWireWhenLogged).toEqual([true, true])
    expect(traced).toEqual([
      'out REGISTER sip:x SIP/2.0',
      'in SIP/2.0 401 Unauthorized',
      'out REGISTER sip:x SIP/2.0',
      'in SIP/2.0 200 OK'
    ])
  })
})
