import 'reflect-metadata'
import { randomBytes } from 'node:crypto'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { createTrustService } from '../../../../electron/main/tls/trust-service'
import { reasonText } from '../../../../shared/reasons'
import { trustReportSchema } from '../../../../shared/types/trust'
import { makeCert, makeHierarchy } from '../../../fixtures/pki'
import { startTlsServer, type Running } from '../../../fixtures/tls-lab'

// A server that sends the real server's certificate without holding its key must not get that
// certificate called trusted, however its handshake then fails: only a completed handshake
// (TLS 1.3 verifies CertificateVerify before secureConnect) or a TLS 1.2 signed key exchange the
// client verified before the server judged our certificate proves the key.

const u16 = (n: number) => Buffer.from([n >> 8, n & 255])
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 255, n & 255])
const handshake = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type]), u24(body.length), body])
const record = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type, 3, 3]), u16(body.length), body])

/** A TLS 1.2 ServerHello for one cipher suite, with renegotiation_info. */
function serverHello(suite: number): Buffer {
  const ext = Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00])
  return handshake(
    2,
    Buffer.concat([
      Buffer.from([3, 3]),
      randomBytes(32),
      Buffer.from([0]),
      u16(suite),
      Buffer.from([0]),
      u16(ext.length),
      ext
    ])
  )
}

function certificateMessage(ders: Buffer[]): Buffer {
  const list = Buffer.concat(ders.map((d) => Buffer.concat([u24(d.length), d])))
  return handshake(11, Buffer.concat([u24(list.length), list]))
}

const servers: { close(): unknown }[] = []
afterAll(async () => {
  for (const s of servers) await s.close()
})

async function impostor(onConnection: (socket: Socket) => void): Promise<number> {
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined)
    onConnection(socket)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

const service = () =>
  createTrustService({ platformAnchors: false, timeoutMs: 5000, revocation: 'off' })

describe('a certificate sent by a server that never proved it holds the key', () => {
  it('TLS 1.2 with RSA key transport: "client certificate required" with a copied certificate', async () => {
    const h = await makeHierarchy('localhost', { leaf: { key: 'RSA-2048' } })
    // CertificateRequest: rsa_sign, rsa_pkcs1_sha256, no CA names; then ServerHelloDone.
    const request = handshake(13, Buffer.concat([Buffer.from([1, 1]), u16(2), u16(0x0401), u16(0)]))
    const flight = Buffer.concat([
      serverHello(0x009c), // TLS_RSA_WITH_AES_128_GCM_SHA256: nothing signed by the server
      certificateMessage([h.leaf.der, h.intermediate.der]),
      request,
      handshake(14, Buffer.alloc(0))
    ])
    const port = await impostor((socket) => {
      let n = 0
      socket.on('data', () => {
        if (++n === 1) socket.write(record(22, flight))
        else socket.end(record(21, Buffer.from([2, 116]))) // fatal certificate_required
      })
    })
    const { report } = await service().checkServer({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      extraCas: [Buffer.from(h.root.pem)],
      keepOpen: false
    })
    expect(report.verdict).toBe('no-verdict')
    expect(report.headline?.code).toBe('client-cert-required')
    expect(report.serverCertificate).toBe('not-judged')
    expect(report.builtChain).toEqual([])
  })

  it('TLS 1.2: ServerHello and Certificate, then a hang-up', async () => {
    const h = await makeHierarchy('localhost')
    const flight = Buffer.concat([
      serverHello(0xc02f),
      certificateMessage([h.leaf.der, h.intermediate.der])
    ])
    const port = await impostor((socket) =>
      socket.once('data', () => {
        socket.write(record(22, flight), () => setTimeout(() => socket.destroy(), 50))
      })
    )
    const { report } = await service().checkServer({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      extraCas: [Buffer.from(h.root.pem)],
      keepOpen: false
    })
    expect(report.verdict).toBe('no-verdict')
    expect(report.serverCertificate).toBe('not-judged')
  })
})

describe('a real server refusing us after a signed key exchange', () => {
  const running: Running[] = []
  afterAll(async () => {
    for (const s of running) await s.close()
  })

  it('TLS 1.2 ECDHE: its certificate is judged, and 70 client CAs fit the report', async () => {
    const h = await makeHierarchy('localhost')
    const cas = await Promise.all(
      Array.from({ length: 70 }, (_, i) =>
        makeCert({ subject: `CN=Client CA ${i}`, ca: true, noAki: true })
      )
    )
    const s = await startTlsServer({
      chain: [h.leaf, h.intermediate],
      key: h.leaf.keys,
      requestCert: true,
      clientCa: cas.map((c) => c.pem),
      maxVersion: 'TLSv1.2'
    })
    running.push(s)
    const { report } = await service().checkServer({
      host: '127.0.0.1',
      port: s.port,
      servername: 'localhost',
      extraCas: [Buffer.from(h.root.pem)],
      keepOpen: false
    })
    expect(report.headline?.code).toBe('client-cert-required')
    expect(report.serverCertificate).toBe('trusted')
    // Whatever the server lists, the report stays within its schema and says how many there were.
    expect(trustReportSchema.safeParse(report).success).toBe(true)
    const params = report.headline?.params ?? {}
    expect((params['caNames'] as string[]).length).toBe(64)
    expect(params['caNamesTotal']).toBe(70)
    expect(reasonText(report.headline!, 'en').summary).toContain('and 67 others')
    expect(reasonText(report.headline!, 'zh-CN').summary).toContain('等 70 个名称')
  })
})
