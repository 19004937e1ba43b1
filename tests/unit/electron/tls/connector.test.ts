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
import { parseServerFlight } from '../../../../electron/main/tls/handshake-capture'
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

describe('parseServerFlight', () => {
  it('explains what it could not recover', () => {
    const r = parseServerFlight(Buffer.alloc(0), 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', [])
    expect(r.certificates).toBeNull()
    expect(r.problem).toMatch(/keylog/)
  })
})
