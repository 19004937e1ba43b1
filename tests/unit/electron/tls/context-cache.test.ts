import type { AddressInfo } from 'node:net'
import * as tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectError, connectTls } from '../../../../electron/main/tls/connector'
import { SecureContextCache, clientIdentityKey } from '../../../../electron/main/tls/context-cache'
import { makeCert, makeHierarchy, oids, type IssuedCert } from '../../../fixtures/pki'
import { keyPem, pemBundle } from '../../../fixtures/tls-lab'

let h: Awaited<ReturnType<typeof makeHierarchy>>
let alice: { cert: string; key: string }
let bob: { cert: string; key: string }
let clientCa: IssuedCert
const closers: (() => void)[] = []

beforeAll(async () => {
  h = await makeHierarchy('localhost')
  clientCa = await makeCert({ subject: 'CN=Client CA', ca: true, noAki: true })
  const issue = async (cn: string) => {
    const c = await makeCert({ subject: `CN=${cn}`, issuer: clientCa, eku: [oids.clientAuth] })
    return { cert: c.pem, key: await keyPem(c.keys) }
  }
  alice = await issue('alice')
  bob = await issue('bob')
})

afterAll(() => {
  for (const c of closers) c()
})

const anchorsA = { key: 'set-a', pems: [] as string[] }
const anchorsB = { key: 'set-b', pems: [] as string[] }

describe('SecureContextCache', () => {
  it('returns the same context for the same anchors, another for other anchors', () => {
    const cache = new SecureContextCache()
    const a = cache.get({ key: 'a', pems: [h.root.pem] })
    expect(cache.get({ key: 'a', pems: [h.root.pem] })).toBe(a)
    expect(cache.get({ key: 'b', pems: [h.root.pem, h.intermediate.pem] })).not.toBe(a)
    expect(cache.size).toBe(2)
  })

  it('never shares a context between client identities', () => {
    const cache = new SecureContextCache()
    const none = cache.get(anchorsA)
    const a = cache.get(anchorsA, alice)
    const b = cache.get(anchorsA, bob)
    expect(new Set([none, a, b]).size).toBe(3)
    // The same identity given again (a new object, equal content) is the same context.
    expect(cache.get(anchorsA, { ...alice })).toBe(a)
    // Same certificate and key, another passphrase: another identity.
    expect(cache.get(anchorsA, { ...alice, passphrase: 'x' })).not.toBe(a)
    // Same identity on other anchors: another context.
    expect(cache.get(anchorsB, alice)).not.toBe(a)
  })

  it('keys identities unambiguously and without the secret material in clear', () => {
    const k = clientIdentityKey({ cert: 'ab', key: 'c' })
    expect(k).not.toBe(clientIdentityKey({ cert: 'a', key: 'bc' }))
    expect(k).not.toBe(clientIdentityKey({ cert: 'ab', key: 'c', passphrase: '' }))
    expect(clientIdentityKey({ pfx: Buffer.from('ab') })).not.toBe(
      clientIdentityKey({ cert: Buffer.from('ab'), key: '' })
    )
    expect(clientIdentityKey({ cert: alice.cert, key: alice.key })).not.toContain(
      Buffer.from(alice.key).toString('hex').slice(0, 16)
    )
  })

  it('does not cache a client certificate that cannot be opened', () => {
    const cache = new SecureContextCache()
    const wrong = { cert: alice.cert, key: bob.key }
    expect(() => cache.get(anchorsA, wrong)).toThrow(ConnectError)
    expect(cache.size).toBe(0)
    expect(() => cache.get(anchorsA, wrong)).toThrow(
      expect.objectContaining({ code: 'client-cert-key-mismatch' })
    )
  })

  it('is bounded, dropping the least recently used context', () => {
    const cache = new SecureContextCache(2)
    const one = cache.get({ key: '1', pems: [] })
    const two = cache.get({ key: '2', pems: [] })
    expect(cache.get({ key: '1', pems: [] })).toBe(one)
    cache.get({ key: '3', pems: [] })
    expect(cache.size).toBe(2)
    expect(cache.get({ key: '1', pems: [] })).toBe(one)
    expect(cache.get({ key: '2', pems: [] })).not.toBe(two)
    cache.clear()
    expect(cache.size).toBe(0)
  })
})

describe('a shared context on real connections', () => {
  /** A TLS server asking for a client certificate; records whose certificate each peer sent. */
  async function mtlsServer(maxVersion: tls.SecureVersion) {
    const peers: string[] = []
    const server = tls.createServer(
      {
        cert: pemBundle([h.leaf, h.intermediate]),
        key: await keyPem(h.leaf.keys),
        requestCert: true,
        rejectUnauthorized: false,
        ca: [clientCa.pem],
        maxVersion
      },
      (s) => {
        peers.push(String(s.getPeerCertificate().subject?.CN ?? '(none)'))
        s.on('error', () => undefined)
      }
    )
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    closers.push(() => server.close())
    return { port: (server.address() as AddressInfo).port, peers }
  }

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'runs a full handshake each time and sends only its own identity (%s)',
    async (v) => {
      const srv = await mtlsServer(v)
      const cache = new SecureContextCache()
      const anchors = { key: 'lab', pems: [h.root.pem] }
      const connect = async (id: { cert: string; key: string }) => {
        const r = await connectTls({
          host: '127.0.0.1',
          port: srv.port,
          servername: 'localhost',
          ca: anchors.pems,
          clientCert: id,
          secureContext: cache.get(anchors, id),
          postHandshakeMs: 300
        })
        // Contexts keep no client session cache: no resumption, so the server's certificate
        // message is always there to capture and Node verifies it afresh.
        expect(r.socket.isSessionReused()).toBe(false)
        expect(r.chainSource).toBe('handshake')
        expect(r.sentChain).toHaveLength(2)
        expect(r.node.authorized).toBe(true)
        expect(r.tls.protocol).toBe(v)
        r.socket.destroy()
      }
      await connect(alice)
      await connect(bob)
      await connect(alice)
      expect(srv.peers).toEqual(['alice', 'bob', 'alice'])
      expect(cache.size).toBe(2)
    }
  )
})
