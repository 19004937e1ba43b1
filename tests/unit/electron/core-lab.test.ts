import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../../electron/main/core'
import { reasonText } from '../../../shared/reasons'
import { enableStageTrace, type AttemptTrace } from '../../../electron/main/stage-trace'
import { createTrustParts } from '../../../electron/main/trust-parts'
import { startLab, type Lab } from '../../lab/lab'
import { driveCore } from './core-kit'

// The whole core as the renderer sees it (dispatcher + events), against the real lab: discovery
// through dnsmasq, the real trust engine, JsSIP over the trusted socket, Kamailio.

let lab: Lab
const cores: Core[] = []

beforeAll(async () => {
  lab = await startLab({ runDir: mkdtempSync(join(tmpdir(), 'tl-core-lab-')) })
}, 60_000)
afterAll(async () => {
  for (const core of cores) await core.dispose().catch(() => undefined)
  await lab?.stop()
})

function makeCore(session?: Parameters<typeof createCore>[0]['session']) {
  const core = createCore({
    ...(session ? { session } : {}),
    host: 'browser',
    version: '0.0.0-test',
    dataDir: mkdtempSync(join(tmpdir(), 'tl-core-data-')),
    trust: createTrustParts({ policyCaFiles: [lab.pki.rootCa] }),
    dnsServers: [`127.0.0.1:${lab.ports.dns}`]
  })
  cores.push(core)
  const { call, waitEvent, seen } = driveCore(core)
  return { core, call, waitEvent, seen }
}

describe('core against the lab', () => {
  it('signs in through NAPTR/SRV discovery over a trusted connection', async () => {
    const { call } = makeCore()
    const state = await call('session:sign-in', {
      aor: lab.users.alice.uri,
      password: lab.users.alice.password
    })
    expect(state.status).toBe('registered')
    const report = await call('trust:get-report')
    expect(report?.verdict).toBe('trusted')
    expect(report?.host).toBe(lab.domain)
    expect(report?.anchor?.source).toBe('policy')
    const connection = await call('connection:get')
    expect(connection.server).toMatchObject({ host: lab.domain, source: 'naptr' })
    expect(connection.trace.map((s) => `${s.kind} ${s.name}`)).toContain(`naptr ${lab.domain}`)
    await call('session:sign-out')
  })

  it('traces every stage of a sign-in, with the whole trust decision before the first SIP byte', async () => {
    const traces: AttemptTrace[] = []
    enableStageTrace((t) => traces.push(t))
    try {
      const { call } = makeCore()
      const state = await call('session:sign-in', {
        aor: lab.users.alice.uri,
        password: lab.users.alice.password
      })
      expect(state.status).toBe('registered')
      await call('session:sign-out')
    } finally {
      enableStageTrace(null)
    }
    expect(traces).toHaveLength(1)
    const marks = traces[0]!.marks
    const at = (stage: string, detail?: string) =>
      marks.findIndex((m) => m.stage === stage && (detail === undefined || m.detail === detail))
    const order = [
      'sign-in',
      'account-ready',
      'discovered',
      'anchors-loaded',
      'tls-context',
      'tcp-connect',
      'tcp-connected',
      'tls-handshake-done',
      'chain-captured',
      'connected',
      'evaluation-start',
      'evaluation-done',
      'verdict',
      'sip-socket',
      'ua-start',
      'sip-connected',
      'sip-out',
      'state:registered',
      'sign-in answered'
    ]
    const positions = order.map((stage) => at(stage))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    // Revocation, evaluation and Node's verdict all come before anything is written.
    const firstSipByte = at('sip-out')
    expect(at('revocation-done')).toBeGreaterThanOrEqual(0)
    expect(at('revocation-done')).toBeLessThan(firstSipByte)
    expect(at('verdict', 'trusted')).toBeLessThan(firstSipByte)
    expect(marks[firstSipByte]!.detail).toMatch(/^REGISTER sip:/)
    expect(marks.filter((m) => m.stage === 'sip-in').map((m) => m.detail)).toEqual([
      'SIP/2.0 401 Unauthorized',
      'SIP/2.0 200 OK'
    ])
    // Start lines only: no header, so no credential, ever reaches a trace.
    expect(JSON.stringify(marks)).not.toContain(lab.users.alice.password)
    expect(JSON.stringify(marks)).not.toMatch(/Authorization|Digest/i)
  })

  it('reports a wrong password without trusting anything less', async () => {
    const { call } = makeCore()
    const state = await call('session:sign-in', { aor: lab.users.bob.uri, password: 'nope' })
    expect(state).toMatchObject({ status: 'failed', failure: { code: 'wrong-password' } })
  })

  it('signs in over SIP over secure WebSocket on the same trusted TLS socket', async () => {
    const { call } = makeCore()
    const state = await call('session:sign-in', {
      aor: lab.users.dave.uri,
      password: lab.users.dave.password,
      transport: 'wss',
      server: { host: '127.0.0.1', port: lab.ports.wss, path: '/ws' }
    })
    expect(state.status).toBe('registered')
    expect((await call('connection:get')).transport).toBe('wss')
    expect((await call('trust:get-report'))?.verdict).toBe('trusted')
    await call('session:sign-out')
  })

  it('reports an unknown user', async () => {
    const { call } = makeCore()
    const state = await call('session:sign-in', { aor: `sip:mallory@${lab.domain}`, password: 'x' })
    expect(state).toMatchObject({
      status: 'failed',
      failure: { code: 'unknown-user', status: 404 }
    })
  })

  it.each([
    ['expired', 'expired'],
    ['wrongHost', 'hostname-mismatch'],
    ['selfSigned', 'self-signed'],
    ['unknownCa', 'unknown-issuer']
  ] as const)('refuses the %s server before any SIP, with reason %s', async (scenario, code) => {
    const { call } = makeCore()
    const state = await call('session:sign-in', {
      aor: lab.users.carol.uri,
      password: lab.users.carol.password,
      server: { host: '127.0.0.1', port: lab.ports.tls[scenario] }
    })
    expect(state).toMatchObject({ status: 'failed', failure: { code: 'untrusted' } })
    const report = await call('trust:get-report')
    expect(report?.verdict).toBe('untrusted')
    expect(report?.reasons.map((r) => r.code)).toContain(code)
    expect(report?.headline?.code).toBe(code)
    expect(state.failure?.finding).toEqual(report?.headline)
    for (const r of report?.reasons ?? []) expect(reasonText(r).summary.length).toBeGreaterThan(10)
  })

  it('refuses the revoked server, and a new core still does from the cached OCSP answer', async () => {
    for (const round of ['fetched', 'cached']) {
      const { call } = makeCore()
      const state = await call('session:sign-in', {
        aor: lab.users.carol.uri,
        password: lab.users.carol.password,
        server: { host: '127.0.0.1', port: lab.ports.tls.revoked }
      })
      expect(state).toMatchObject({ status: 'failed', failure: { code: 'untrusted' } })
      const report = await call('trust:get-report')
      expect(report?.verdict).toBe('untrusted')
      expect(report?.reasons.map((r) => r.code)).toContain('revoked')
      expect(report?.revocation).toMatchObject({ status: 'revoked', source: 'ocsp' })
      const detail = report?.revocation.detail ?? ''
      if (round === 'cached') expect(detail).toMatch(/^OCSP response cached from .*, valid until /)
      else expect(detail).not.toMatch(/cached/)
    }
  })

  it('fetches the missing intermediate and says the chain was incomplete', async () => {
    const { call } = makeCore()
    const state = await call('session:sign-in', {
      aor: lab.users.dave.uri,
      password: lab.users.dave.password,
      server: { host: '127.0.0.1', port: lab.ports.tls.missingIntermediate }
    })
    expect(state.status).toBe('registered')
    const report = await call('trust:get-report')
    expect(report?.reasons.map((r) => r.code)).toContain('incomplete-chain-fetched')
    await call('session:sign-out')
  })

  it('accepts one exact certificate for one host:port, then signs in by exception', async () => {
    const { call } = makeCore()
    const server = { host: '127.0.0.1', port: lab.ports.tls.selfSigned }
    const signIn = () =>
      call('session:sign-in', {
        aor: lab.users.carol.uri,
        password: lab.users.carol.password,
        server
      })
    expect((await signIn()).status).toBe('failed')
    const report = await call('trust:get-report')
    const sha256 = report?.sentChain[0]?.sha256 ?? ''
    const wrong = await (async () => {
      try {
        await call('trust:accept-exception', {
          ...server,
          sha256: sha256.replace(/^../, '00'),
          confirm: true
        })
        return 'accepted'
      } catch (e) {
        return (e as Error).message
      }
    })()
    expect(wrong).toMatch(/fingerprint-mismatch/)
    await call('trust:accept-exception', { ...server, sha256, confirm: true })
    expect(await call('trust:list-exceptions')).toEqual([
      expect.objectContaining({ host: '127.0.0.1', port: server.port, sha256 })
    ])
    expect((await signIn()).status).toBe('registered')
    expect((await call('trust:get-report'))?.verdict).toBe('trusted-by-exception')
    await call('session:sign-out')
    expect(await call('trust:revoke-exception', server)).toEqual({ revoked: true })
    expect((await signIn()).status).toBe('failed')
  })

  it('drops a connection trusted by an exception the moment the exception is revoked', async () => {
    const { call, waitEvent } = makeCore()
    const server = { host: '127.0.0.1', port: lab.ports.tls.selfSigned }
    const signIn = () =>
      call('session:sign-in', {
        aor: lab.users.dave.uri,
        password: lab.users.dave.password,
        server
      })
    await signIn()
    const sha256 = (await call('trust:get-report'))?.sentChain[0]?.sha256 ?? ''
    await call('trust:accept-exception', { ...server, sha256, confirm: true })
    expect((await signIn()).status).toBe('registered')
    const attempt = (await call('trust:get-report'))?.attemptId
    await call('trust:revoke-exception', server)
    const dropped = await waitEvent('session:state-changed', (s) => s.status === 'failed')
    expect(dropped.failure).toMatchObject({ code: 'untrusted', finding: { code: 'self-signed' } })
    const report = await call('trust:get-report')
    expect(report).toMatchObject({ verdict: 'untrusted', attemptId: attempt })
    expect(report?.headline?.code).toBe('self-signed')
  })

  it('shows no verdict of an earlier attempt: sign-out clears it, a failed attempt replaces it', async () => {
    const { call } = makeCore()
    const good = await call('session:sign-in', {
      aor: lab.users.carol.uri,
      password: lab.users.carol.password,
      server: { host: '127.0.0.1', port: lab.ports.tls.good }
    })
    expect(good.status).toBe('registered')
    const earlier = await call('trust:get-report')
    expect(earlier?.verdict).toBe('trusted')
    await call('session:sign-out')
    expect(await call('trust:get-report')).toBeNull()
    expect((await call('connection:get')).server).toBeNull()
    // A server that refuses us without a client certificate: no verdict on the connection.
    const failed = await call('session:sign-in', {
      aor: lab.users.carol.uri,
      password: lab.users.carol.password,
      server: { host: '127.0.0.1', port: lab.ports.tls.mtls }
    })
    expect(failed.status).toBe('failed')
    expect(failed.failure).toMatchObject({
      code: 'client-certificate',
      finding: { code: 'client-cert-required' }
    })
    const report = await call('trust:get-report')
    expect(report).toMatchObject({ verdict: 'no-verdict', port: lab.ports.tls.mtls })
    expect(report?.attemptId).not.toBe(earlier?.attemptId)
    expect(report?.headline?.code).toBe('client-cert-required')
    // Its own certificate, proved by the completed TLS 1.3 handshake, is judged on its own.
    expect(report?.serverCertificate).toBe('trusted')
  })

  it('stops and asks when DNS sends the domain to a server outside it, then remembers', async () => {
    const { call } = makeCore()
    const aor = `sip:alice@${lab.hijackDomain}`
    const state = await call('session:sign-in', { aor, password: lab.users.alice.password })
    expect(state).toMatchObject({
      status: 'failed',
      failure: { code: 'untrusted', finding: { code: 'sip-domain-unconfirmed' } }
    })
    const refused = await call('trust:get-report')
    expect(refused?.verdict).toBe('needs-question')
    expect(refused?.headline).toMatchObject({
      code: 'sip-domain-unconfirmed',
      severity: 'question',
      params: { sipDomain: lab.hijackDomain, server: lab.domain }
    })
    const connection = await call('connection:get')
    expect(connection.question).toMatchObject({
      sipDomain: lab.hijackDomain,
      serverHost: lab.domain
    })
    await call('trust:decide-domain', {
      sipDomain: lab.hijackDomain,
      serverHost: lab.domain,
      allow: true
    })
    const again = await call('session:sign-in', { aor, password: lab.users.alice.password })
    // Past the trust gate now: whatever the registrar says, it is not an untrusted refusal.
    expect(again.failure?.code).not.toBe('untrusted')
    const accepted = await call('trust:get-report')
    expect(accepted?.verdict).toBe('trusted')
    expect(accepted?.reasons).toContainEqual(
      expect.objectContaining({ code: 'sip-domain-confirmed', severity: 'warning' })
    )
    expect((await call('trust:list-domain-decisions'))[0]).toMatchObject({ allow: true })
    await call('session:sign-out')
  })

  it('carries presence and UTF-8 messages between two cores', async () => {
    const a = makeCore()
    const b = makeCore()
    const alice = lab.users.alice
    const bob = lab.users.bob
    await a.call('session:sign-in', { aor: alice.uri, password: alice.password })
    await b.call('session:sign-in', { aor: bob.uri, password: bob.password })
    await b.call('contacts:add', { uri: alice.uri, displayName: 'Alice' })
    await a.call('presence:set', { state: 'busy', note: 'Réunion 会议 🚀' })
    await b.waitEvent('presence:changed', (p) => p.uri === alice.uri && p.presence.state === 'busy')
    const sent = await a.call('im:send', { to: bob.uri, body: 'héllo 你好 👋' })
    await a.waitEvent('im:message-updated', (m) => m.id === sent.id && m.state === 'accepted')
    const got = await b.waitEvent('im:received', (m) => m.body === 'héllo 你好 👋')
    expect(got.conversation).toBe(alice.uri)
    // The helpdesk's SIP log saw the exchange, with neither the digest response nor the text.
    const log = await a.call('sip:get-log')
    expect(log.some((e) => e.method === 'REGISTER' && e.status === 401)).toBe(true)
    const message = log.find((e) => e.direction === 'out' && e.startLine.startsWith('MESSAGE'))
    expect(message?.bodyRedacted).toBe(true)
    expect(JSON.stringify(log)).not.toContain('你好')
    expect(JSON.stringify(log)).not.toContain(alice.password)
    const history = await b.call('im:history', { conversation: alice.uri })
    expect(history.messages.map((m) => m.body)).toContain('héllo 你好 👋')
    expect(history.unread).toBe(1)
    const roster = await b.call('contacts:list')
    expect(roster[0]).toMatchObject({ uri: alice.uri, presence: { state: 'busy' }, unread: 1 })
    await a.call('session:sign-out')
    await b.call('session:sign-out')
  })

  it('survives Kamailio being killed and restarted, delivering what was sent meanwhile', async () => {
    const fast = { reconnectBaseMs: 200, reconnectMaxMs: 1000 }
    const a = makeCore(fast)
    const b = makeCore(fast)
    const { carol, dave } = lab.users
    await a.call('session:sign-in', { aor: carol.uri, password: carol.password })
    await b.call('session:sign-in', { aor: dave.uri, password: dave.password })
    await lab.stopKamailio()
    await a.waitEvent('session:state-changed', (s) => s.status === 'reconnecting')
    const during = await a.call('im:send', { to: dave.uri, body: 'sent while the server was down' })
    expect(['queued', 'sending']).toContain(during.state)
    await lab.startKamailio()
    await a.waitEvent(
      'im:message-updated',
      (m) => m.id === during.id && m.state === 'accepted',
      30_000
    )
    await b.waitEvent('im:received', (m) => m.body === 'sent while the server was down', 30_000)
    const reports = a.seen.filter((e) => e.channel === 'trust:report-changed' && e.payload)
    // Trust was evaluated again for the new connection, not carried over.
    expect(reports.length).toBeGreaterThanOrEqual(2)
    await a.call('session:sign-out')
    await b.call('session:sign-out')
  }, 60_000)

  it('tests a server by address with its certificate name and a client certificate, and exports that test alone', async () => {
    const { call } = makeCore()
    await expect(
      call('trust:export-report', { format: 'text', source: 'server-check' })
    ).rejects.toThrow(/no-report/)
    const target = { host: '127.0.0.1', port: lab.ports.tls.mtls, servername: lab.domain }
    const without = await call('trust:check-server', target)
    expect(without).toMatchObject({ verdict: 'no-verdict', serverCertificate: 'trusted' })
    expect(without.headline?.code).toBe('client-cert-required')
    expect(without.reasons.map((r) => r.code)).not.toContain('hostname-mismatch')
    const withCert = await call('trust:check-server', {
      ...target,
      clientCertificate: {
        fileName: 'alice.p12',
        format: 'pkcs12',
        dataBase64: readFileSync(lab.pki.client.alice.p12).toString('base64'),
        passphrase: lab.pki.client.alice.p12Password
      }
    })
    expect(withCert.verdict).toBe('trusted')
    const text = await call('trust:export-report', { format: 'text', source: 'server-check' })
    expect(text.content).toContain('TrustLine server test report')
    expect(text.content).not.toContain(lab.pki.client.alice.p12Password)
    // The test never becomes the signed-in connection's report.
    expect(await call('trust:get-report')).toBeNull()
  })

  it('exports a helpdesk report with no password in it', async () => {
    const { call } = makeCore()
    await call('session:sign-in', { aor: lab.users.dave.uri, password: lab.users.dave.password })
    const text = await call('trust:export-report', { format: 'text' })
    expect(text.content).toContain('TRUSTED')
    expect(text.content).not.toContain(lab.users.dave.password)
    const json = await call('trust:export-report', { format: 'json' })
    expect(json.content).not.toContain(lab.users.dave.password)
    await call('session:sign-out')
  })
})
