import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ConnectError,
  connectTls,
  createClientContext
} from '../../../../electron/main/tls/connector'
import {
  alertFromErrorCode,
  alertName,
  certificateRequestAuthorities,
  parseServerFlight
} from '../../../../electron/main/tls/handshake-capture'
import { readTlv } from '../../../../electron/main/tls/chain/der'
import { mustParse, parseName } from '../../../../electron/main/tls/chain/parse'
import { makeCert, makeHierarchy, oids, type IssuedCert } from '../../../fixtures/pki'
import { keyPem, pemBundle } from '../../../fixtures/tls-lab'

let dir: string
let h: Awaited<ReturnType<typeof makeHierarchy>>
let client: IssuedCert
let clientKey: string
const closers: (() => void)[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustline-conn-'))
  h = await makeHierarchy('localhost')
  client = await makeCert({ subject: 'CN=alice', issuer: h.intermediate, eku: [oids.clientAuth] })
  clientKey = await keyPem(client.keys)
})

afterAll(() => {
  for (const c of closers) c()
  rmSync(dir, { recursive: true, force: true })
})

/** A TLS server that records every application byte it receives. */
async function recordingServer(maxVersion: tls.SecureVersion) {
  const received: Buffer[] = []
  const server = tls.createServer(
    { cert: pemBundle([h.leaf, h.intermediate]), key: await keyPem(h.leaf.keys), maxVersion },
    (s) => {
      s.on('data', (d: Buffer) => received.push(d))
      s.on('error', () => undefined)
    }
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  closers.push(() => server.close())
  return { port: (server.address() as AddressInfo).port, received }
}

describe('connectTls', () => {
  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'captures the sent chain, writes no application data before the verdict (%s)',
    async (v) => {
      const srv = await recordingServer(v)
      const r = await connectTls({
        host: '127.0.0.1',
        port: srv.port,
        servername: 'localhost',
        ca: [h.root.pem]
      })
      expect(r.chainSource).toBe('handshake')
      expect(r.sentChain.map((d) => d.equals(h.leaf.der) || d.equals(h.intermediate.der))).toEqual([
        true,
        true
      ])
      expect(r.sentChain[0]!.equals(h.leaf.der)).toBe(true)
      expect(r.tls.protocol).toBe(v)
      expect(r.node.authorized).toBe(true)
      await new Promise((res) => setTimeout(res, 100))
      expect(Buffer.concat(srv.received).length).toBe(0)
      // The socket still works for the SIP layer once the caller decides.
      r.socket.write('OPTIONS')
      r.socket.destroy()
    }
  )

  it('falls back to Node’s issuer-ordered peer chain when the handshake is not read', async () => {
    const srv = await recordingServer('TLSv1.3')
    const r = await connectTls({
      host: '127.0.0.1',
      port: srv.port,
      servername: 'localhost',
      ca: [h.root.pem],
      captureHandshake: false
    })
    expect(r.chainSource).toBe('node-peer-chain')
    expect(r.chainNote).toMatch(/capture disabled/)
    // Node's reconstruction starts at the leaf and follows issuers, up to the local anchor.
    expect(r.sentChain[0]!.equals(h.leaf.der)).toBe(true)
    expect(r.sentChain[1]!.equals(h.intermediate.der)).toBe(true)
    r.socket.destroy()
  })

  it('reports Node’s own rejection against the same anchors', async () => {
    const srv = await recordingServer('TLSv1.3')
    const r = await connectTls({
      host: '127.0.0.1',
      port: srv.port,
      servername: 'localhost',
      ca: []
    })
    expect(r.node.authorized).toBe(false)
    expect(r.node.authorizationError).toMatch(/UNABLE_TO_GET_ISSUER_CERT/)
    r.socket.destroy()
  })

  it('refuses TLS below 1.2', async () => {
    const server = tls.createServer({
      cert: pemBundle([h.leaf, h.intermediate]),
      key: await keyPem(h.leaf.keys),
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0'
    })
    server.on('tlsClientError', () => undefined)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    closers.push(() => server.close())
    const err = await connectTls({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      ca: [h.root.pem],
      timeoutMs: 3000
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectError)
    expect(['protocol-too-old', 'tls-failed', 'closed']).toContain((err as ConnectError).code)
  })

  it('explains a refused connection and a DNS failure', async () => {
    const probe = createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((r) => probe.close(() => r()))
    await expect(connectTls({ host: '127.0.0.1', port, ca: [] })).rejects.toMatchObject({
      code: 'refused'
    })
    await expect(
      connectTls({ host: 'no-such-host.invalid', port: 5061, ca: [] })
    ).rejects.toMatchObject({
      code: 'dns'
    })
  })

  it('times out on a server that never answers the handshake', async () => {
    const silent = createServer(() => undefined)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    closers.push(() => silent.close())
    const port = (silent.address() as AddressInfo).port
    await expect(
      connectTls({ host: '127.0.0.1', port, ca: [], timeoutMs: 300 })
    ).rejects.toMatchObject({
      code: 'timeout'
    })
  })
})

describe('client certificates', () => {
  it('opens a PKCS#12 with the right passphrase and explains a wrong one', () => {
    writeFileSync(join(dir, 'c.pem'), client.pem)
    writeFileSync(join(dir, 'k.pem'), clientKey)
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-in',
      join(dir, 'c.pem'),
      '-inkey',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.p12'),
      '-passout',
      'pass:right'
    ])
    const pfx = readFileSync(join(dir, 'c.p12'))
    expect(() => createClientContext([], { pfx, passphrase: 'right' })).not.toThrow()
    expect(() => createClientContext([], { pfx, passphrase: 'wrong' })).toThrow(
      expect.objectContaining({ code: 'client-cert-bad-passphrase' })
    )
  })

  it('explains a key that does not belong to the certificate, and unreadable input', async () => {
    expect(() => createClientContext([], { cert: client.pem, key: 'not a key' })).toThrow(
      expect.objectContaining({ code: 'client-cert-unreadable' })
    )
    const otherKey = await keyPem(h.leaf.keys)
    expect(() => createClientContext([], { cert: client.pem, key: otherKey })).toThrow(
      expect.objectContaining({ code: 'client-cert-key-mismatch' })
    )
  })
})

/** A server that asks for a client certificate; `clientCa` also makes it verify one. */
async function mtlsServer(o: { maxVersion: tls.SecureVersion; clientCa?: string[] }) {
  const server = tls.createServer(
    {
      cert: pemBundle([h.leaf, h.intermediate]),
      key: await keyPem(h.leaf.keys),
      maxVersion: o.maxVersion,
      requestCert: true,
      rejectUnauthorized: o.clientCa !== undefined,
      ...(o.clientCa ? { ca: o.clientCa } : {})
    },
    (s) => s.on('error', () => undefined)
  )
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  closers.push(() => server.close())
  return (server.address() as AddressInfo).port
}

const dn = (der: Buffer) => parseName(readTlv(der)).text
const subjectOf = (c: IssuedCert) => mustParse(c.der).subject.text

describe('connectTls: what the server said about client certificates', () => {
  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'reads the CA names of the CertificateRequest (%s; encrypted in TLS 1.3)',
    async (v) => {
      const port = await mtlsServer({ maxVersion: v, clientCa: [h.root.pem] })
      const r = await connectTls({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: [h.root.pem],
        clientCert: { cert: pemBundle([client, h.intermediate]), key: clientKey }
      })
      r.socket.destroy()
      expect(r.handshake.protocol).toBe(v)
      expect(r.handshake.certificateRequested).toBe(true)
      expect(r.handshake.certificateAuthorities?.map(dn)).toEqual([subjectOf(h.root)])
      expect(r.handshake.alert).toBeNull()
    }
  )

  it('tells an empty TLS 1.2 list from a TLS 1.3 request without the extension', async () => {
    const tls12 = await connectTls({
      host: '127.0.0.1',
      port: await mtlsServer({ maxVersion: 'TLSv1.2' }),
      ca: [h.root.pem]
    })
    tls12.socket.destroy()
    expect(tls12.handshake.certificateAuthorities).toEqual([])
    const tls13 = await connectTls({
      host: '127.0.0.1',
      port: await mtlsServer({ maxVersion: 'TLSv1.3' }),
      ca: [h.root.pem],
      postHandshakeMs: 200
    })
    tls13.socket.destroy()
    expect(tls13.handshake.certificateRequested).toBe(true)
    expect(tls13.handshake.certificateAuthorities).toBeNull()
  })

  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    // Node's server hangs up without an alert; the Kamailio partner lab covers real alerts.
    'keeps the CA names and the server chain when the server rejects our certificate (%s)',
    async (v) => {
      const other = await makeHierarchy('other')
      const port = await mtlsServer({ maxVersion: v, clientCa: [other.root.pem] })
      const error = await connectTls({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: [h.root.pem],
        clientCert: { cert: pemBundle([client, h.intermediate]), key: clientKey }
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConnectError)
      const facts = (error as ConnectError).handshake
      expect((error as ConnectError).code).toBe('client-cert-rejected')
      expect(facts?.alert).toBeNull()
      expect(facts?.certificateRequested).toBe(true)
      expect(facts?.certificateAuthorities?.map(dn)).toEqual([subjectOf(other.root)])
      expect(facts?.sentChain?.[0]?.equals(h.leaf.der)).toBe(true)
    }
  )

  it('has no facts for a connection refused before any TLS', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    const error = (await connectTls({ host: '127.0.0.1', port, ca: [] }).catch(
      (e: unknown) => e
    )) as ConnectError
    expect(error.code).toBe('refused')
    expect(error.handshake).toBeNull()
  })
})

describe('TLS alerts', () => {
  it('names alerts from TLS library error codes and from alert numbers', () => {
    expect(alertFromErrorCode('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA')).toBe('unknown_ca')
    expect(alertFromErrorCode('ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE')).toBe(
      'unsupported_certificate'
    )
    expect(alertFromErrorCode('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).toBe(
      'certificate_required'
    )
    expect(alertFromErrorCode('ECONNRESET')).toBeNull()
    expect(alertFromErrorCode('ERR_SSL_TLSV1_ALERT_NO_SUCH_THING')).toBeNull()
    expect(alertName(48)).toBe('unknown_ca')
    expect(alertName(200)).toBe('alert_200')
  })

  it('reads a plaintext alert record from the captured bytes', () => {
    const alert = Buffer.from([21, 3, 3, 0, 2, 2, 42])
    expect(parseServerFlight(alert, 'TLSv1.2', null, []).alerts).toEqual([
      { level: 2, description: 42 }
    ])
  })
})

describe('certificateRequestAuthorities', () => {
  const name = Buffer.from('300f310d300b06035504030c0474657374', 'hex') // CN=test
  const list = Buffer.concat([Buffer.from([0, name.length + 2, 0, name.length]), name])
  it('reads TLS 1.2 certificate_authorities after types and signature algorithms', () => {
    const body = Buffer.concat([Buffer.from([1, 64, 0, 2, 4, 3]), list])
    expect(certificateRequestAuthorities(body, false)?.map(dn)).toEqual(['CN=test'])
  })

  it('finds the TLS 1.3 extension among others, and null without it', () => {
    const other = Buffer.from([0, 13, 0, 4, 0, 2, 4, 3])
    const ext = Buffer.concat([Buffer.from([0, 47, 0, list.length]), list])
    const withCa = Buffer.concat([other, ext])
    const body = Buffer.concat([Buffer.from([0, 0, withCa.length]), withCa])
    expect(certificateRequestAuthorities(body, true)?.map(dn)).toEqual(['CN=test'])
    const without = Buffer.concat([Buffer.from([0, 0, other.length]), other])
    expect(certificateRequestAuthorities(without, true)).toBeNull()
  })

  it('refuses a truncated list', () => {
    const body = Buffer.concat([Buffer.from([1, 64, 0, 2, 4, 3]), list.subarray(0, 6)])
    expect(() => certificateRequestAuthorities(body, false)).toThrow(/truncated/)
  })
})

describe('parseServerFlight', () => {
  it('explains what it could not recover', () => {
    const r = parseServerFlight(Buffer.alloc(0), 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', [])
    expect(r.certificates).toBeNull()
    expect(r.problem).toMatch(/keylog/)
  })
})
