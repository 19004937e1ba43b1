// Proves the federation partner lab with plain node:tls and DNS, independently of TrustLine's own
// code: every listener requires and verifies client certificates, trusts the CAs its scenario
// says, presents its scenario's certificate, answers OPTIONS as configured, DNS carries the
// federation SRV records, and stop() leaves no process behind.
import { Resolver } from 'node:dns/promises'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OTHER_NAME, PARTNER_SCENARIOS, startPartnerLab, type PartnerLab } from './partner'
import { groupMembers } from './proc'

let lab: PartnerLab
let runDir: string

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), 'trustline-partner-'))
  lab = await startPartnerLab({ runDir, stopOnExit: true })
})

afterAll(async () => {
  if (lab) await lab.stop()
  rmSync(runDir, { recursive: true, force: true })
})

type Identity = { cert: string; key: string } | null

interface Outcome {
  /** The TLS connection survived the partner's verdict on our certificate. */
  accepted: boolean
  error: string | null
  peer: X509Certificate | null
  socket: tls.TLSSocket | null
}

/** Connects presenting `identity` and waits until the partner accepted (ticket) or refused it. */
function connect(port: number, identity: Identity): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: false,
      ...(identity ? { cert: readFileSync(identity.cert), key: readFileSync(identity.key) } : {})
    })
    let peer: X509Certificate | null = null
    const done = (o: Omit<Outcome, 'peer'>) => resolve({ ...o, peer })
    s.once('secureConnect', () => {
      const raw = s.getPeerCertificate().raw
      peer = raw ? new X509Certificate(raw) : null
      if (s.getProtocol() === 'TLSv1.2') done({ accepted: true, error: null, socket: s })
    })
    // TLS 1.3: the verdict on our certificate comes after the handshake: a ticket or an alert.
    s.once('session', () => done({ accepted: true, error: null, socket: s }))
    s.once('error', (e: NodeJS.ErrnoException) => {
      s.destroy()
      done({ accepted: false, error: e.code ?? e.message, socket: null })
    })
  })
}

function options(socket: tls.TLSSocket, domain: string): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 1500)
    socket.once('data', (d: Buffer) => {
      clearTimeout(timer)
      resolve(d.toString('latin1').split('\r\n')[0] ?? '')
    })
    socket.write(
      [
        `OPTIONS sip:${domain} SIP/2.0`,
        'Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKlabtest;rport',
        'Max-Forwards: 70',
        'From: <sip:test@lab.trustline.test>;tag=1',
        `To: <sip:${domain}>`,
        'Call-ID: partner-lab-test',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        ''
      ].join('\r\n')
    )
  })
}

describe('partner lab', () => {
  it('publishes _sipfederationtls._tcp per scenario (only _sips._tcp for noFederationSrv)', async () => {
    const r = new Resolver({ timeout: 1000, tries: 1 })
    r.setServers([`127.0.0.1:${lab.ports.dns}`])
    for (const s of PARTNER_SCENARIOS) {
      const { domain, host, port } = lab.scenarios[s]
      const owner = s === 'noFederationSrv' ? '_sips._tcp' : '_sipfederationtls._tcp'
      expect(await r.resolveSrv(`${owner}.${domain}`)).toEqual([
        expect.objectContaining({ name: host, port })
      ])
      expect(await r.resolve4(host)).toEqual(['127.0.0.1'])
    }
    await expect(
      r.resolveSrv(`_sipfederationtls._tcp.${lab.scenarios.noFederationSrv.domain}`)
    ).rejects.toThrow()
  })

  it.each(PARTNER_SCENARIOS)('%s requires a client certificate', async (s) => {
    const o = await connect(lab.ports[s], null)
    expect(o.accepted).toBe(false)
    expect(o.error).toMatch(/ALERT_(CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE)/)
  })

  it('accepts our edge, refuses our serverAuth-only certificate, and distrusts our CA where told', async () => {
    const ready = await connect(lab.ports.ready, lab.pki.our.edge)
    expect(ready.accepted).toBe(true)
    ready.socket?.destroy()
    const serverOnly = await connect(lab.ports.ready, lab.pki.our.serverOnly)
    expect(serverOnly.error).toMatch(/ALERT_UNSUPPORTED_CERTIFICATE/)
    const distrust = await connect(lab.ports.distrustsOurCa, lab.pki.our.edge)
    expect(distrust.error).toMatch(/ALERT_UNKNOWN_CA/)
  })

  it('presents each scenario’s certificate', async () => {
    const peer = async (s: (typeof PARTNER_SCENARIOS)[number]) => {
      const o = await connect(lab.ports[s], lab.pki.our.edge)
      o.socket?.destroy()
      return o.peer!
    }
    const ready = await peer('ready')
    expect(ready.subjectAltName).toContain(`DNS:${lab.scenarios.ready.host}`)
    expect(ready.subjectAltName).toContain(`URI:sip:${lab.scenarios.ready.domain}`)
    expect(ready.keyUsage).toContain('1.3.6.1.5.5.7.3.2')
    expect((await peer('partnerNoClientAuth')).keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect((await peer('wrongName')).subjectAltName).toBe(`DNS:${OTHER_NAME}`)
    expect((await peer('outsideDomain')).subjectAltName).toBe(
      `DNS:${lab.scenarios.outsideDomain.host}`
    )
    expect((await peer('outsideNamed')).subjectAltName).toContain(
      `URI:sip:${lab.scenarios.outsideNamed.domain}`
    )
    expect(new Date((await peer('expired')).validTo).getTime()).toBeLessThan(Date.now())
    const serverOnly = new X509Certificate(readFileSync(lab.pki.our.serverOnly.cert))
    expect(serverOnly.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect(serverOnly.checkIssued(new X509Certificate(readFileSync(lab.pki.publicCa)))).toBe(true)
  })

  it.each([
    ['ready', 'SIP/2.0 200 OK'],
    ['options403', 'SIP/2.0 403 Forbidden (domain not federated)'],
    ['options404', 'SIP/2.0 404 Not Found'],
    ['options503', 'SIP/2.0 503 Service Unavailable'],
    ['silent', null]
  ] as const)('%s answers OPTIONS with %s', async (s, line) => {
    const o = await connect(lab.ports[s], lab.pki.our.edge)
    expect(o.accepted).toBe(true)
    expect(await options(o.socket!, lab.scenarios[s].domain)).toBe(line)
    o.socket!.destroy()
  })

  it('stops every process it started', async () => {
    const pids = Object.values(lab.pids)
    await lab.stop()
    for (const pid of pids) expect(groupMembers(pid)).toEqual([])
  })
})
