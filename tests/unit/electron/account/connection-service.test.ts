import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import {
  ConnectionService,
  type TrustCheckRequest,
  type TrustChecker
} from '../../../../electron/main/account/connection-service'
import type { EventSink } from '../../../../electron/main/ipc/types'
import type { DnsResolver } from '../../../../electron/main/sip/discovery'
import { DomainDecisionStore } from '../../../../electron/main/storage/domain-decisions'
import type { TrustReason, TrustReport } from '../../../../shared/types/trust'
import { sampleReport } from '../../../fixtures/sample-dtos'

const nodata = () => Promise.reject(Object.assign(new Error('nodata'), { code: 'ENODATA' }))

/** example.org → SRV sip.provider.net (outside the domain) and sip2.example.org. */
const resolver: DnsResolver = {
  resolveNaptr: nodata,
  resolveSrv: (n) =>
    n === '_sips._tcp.example.org'
      ? Promise.resolve([
          { name: 'sip.provider.net', port: 5061, priority: 0, weight: 0 },
          { name: 'sip2.example.org', port: 5061, priority: 1, weight: 0 }
        ])
      : nodata(),
  resolve4: (n) => Promise.resolve(n === 'sip.provider.net' ? ['192.0.2.1'] : ['192.0.2.2']),
  resolve6: nodata
}

const finding = (code: TrustReason['code'], params: TrustReason['params'] = {}): TrustReason => ({
  code,
  severity: code === 'sip-domain-unconfirmed' ? 'question' : 'error',
  certIndex: null,
  certSubject: null,
  params,
  detail: code
})

/** A report as the trust engine would decide it for this request. */
function report(
  req: TrustCheckRequest,
  verdict: TrustReport['verdict'],
  reasons: TrustReason[] = [],
  serverCertificate: TrustReport['serverCertificate'] = verdict === 'no-verdict'
    ? 'not-judged'
    : verdict
) {
  return {
    ...sampleReport,
    attemptId: req.attemptId,
    host: req.host,
    port: req.port,
    verdict,
    serverCertificate,
    reasons,
    headline: reasons[0] ?? null
  }
}

function setup(checker: TrustChecker) {
  const emitted: [string, unknown][] = []
  const events: EventSink = { emit: (c, p) => void emitted.push([c, p]) }
  const decisions = new DomainDecisionStore(mkdtempSync(join(tmpdir(), 'tl-cs-')))
  const refused: TrustReport[] = []
  const service = new ConnectionService({
    checker,
    resolver,
    decisions,
    events,
    onNoLongerTrusted: (r) => refused.push(r)
  })
  service.configure({ sipDomain: 'example.org' })
  const reports = () =>
    emitted.filter(([c]) => c === 'trust:report-changed').map(([, p]) => p as TrustReport | null)
  return { service, emitted, decisions, refused, reports }
}

describe('ConnectionService', () => {
  it('asks the engine with the SIP domain and how the server was found, and hands over a trusted socket', async () => {
    const socket = new PassThrough()
    const seen: TrustCheckRequest[] = []
    const { service, reports } = setup((req) => {
      seen.push(req)
      return Promise.resolve({ report: report(req, 'trusted'), socket })
    })
    const c = await service.connect()
    expect(c).toMatchObject({ verdict: 'trusted', host: 'sip.provider.net', port: 5061 })
    expect(c.socket).toBe(socket)
    expect(seen[0]).toMatchObject({
      host: 'sip.provider.net',
      address: '192.0.2.1',
      sipDomain: 'example.org',
      server: { source: 'srv', via: '_sips._tcp.example.org' },
      domainAnswer: null
    })
    // The views were cleared when the attempt began, then got this attempt's report.
    expect(reports().map((r) => r?.verdict ?? null)).toEqual([null, null, 'trusted'])
    expect(service.lastReport?.attemptId).toBe(seen[0]!.attemptId)
    expect(service.info.attemptId).toBe(seen[0]!.attemptId)
  })

  it('refuses an untrusted server with its headline finding and destroys the socket', async () => {
    const socket = new PassThrough()
    const { service } = setup((req) =>
      Promise.resolve({ report: report(req, 'untrusted', [finding('revoked')]), socket })
    )
    const c = await service.connect()
    expect(c).toMatchObject({ verdict: 'untrusted', socket: null, finding: { code: 'revoked' } })
    expect(socket.destroyed).toBe(true)
  })

  it('holds the question the engine asks, and only that one counts as asked', async () => {
    const socket = new PassThrough()
    const { service } = setup((req) =>
      Promise.resolve({
        report: report(req, 'needs-question', [
          finding('sip-domain-unconfirmed', { names: ['DNS:*.provider.net'] })
        ]),
        socket
      })
    )
    const c = await service.connect()
    expect(c.verdict).toBe('needs-question')
    expect(socket.destroyed).toBe(true)
    expect(service.info.question).toEqual({
      sipDomain: 'example.org',
      serverHost: 'sip.provider.net',
      port: 5061,
      certificateNames: ['DNS:*.provider.net']
    })
    expect(service.wasAsked('EXAMPLE.org', 'sip.provider.net')).toBe(true)
    expect(service.wasAsked('example.org', 'sip2.example.org')).toBe(false)
    expect(service.wasAsked('other.org', 'sip.provider.net')).toBe(false)
    service.answered('example.org', 'sip.provider.net')
    expect(service.wasAsked('example.org', 'sip.provider.net')).toBe(false)
    expect(service.info.question).toBeNull()
  })

  it('passes the remembered answer to the engine', async () => {
    const seen: TrustCheckRequest[] = []
    const { service, decisions } = setup((req) => {
      seen.push(req)
      return Promise.resolve({ report: report(req, 'trusted'), socket: new PassThrough() })
    })
    await decisions.decide('example.org', 'sip.provider.net', true)
    await service.connect()
    expect(seen[0]?.domainAnswer).toMatchObject({ allow: true })
  })

  it('tries the next candidate when one gets no verdict', async () => {
    const { service } = setup((req) =>
      Promise.resolve(
        req.host === 'sip.provider.net'
          ? {
              report: report(req, 'no-verdict', [
                finding('connection-failed', { cause: 'refused' })
              ]),
              socket: null
            }
          : { report: report(req, 'trusted'), socket: new PassThrough() }
      )
    )
    expect(await service.connect()).toMatchObject({ verdict: 'trusted', host: 'sip2.example.org' })
  })

  it('ends with a no-verdict report naming every failure, instead of throwing', async () => {
    const { service } = setup((req) =>
      req.host === 'sip.provider.net'
        ? Promise.resolve({
            report: report(req, 'no-verdict', [finding('client-cert-required')]),
            socket: null
          })
        : Promise.reject(new Error('boom'))
    )
    const c = await service.connect()
    expect(c).toMatchObject({ verdict: 'no-verdict', finding: { code: 'client-cert-required' } })
    expect(service.lastReport?.verdict).toBe('no-verdict')
    expect(service.lastReport?.reasons.map((r) => [r.code, r.params['cause'] ?? null])).toEqual([
      ['client-cert-required', null],
      ['connection-failed', 'internal']
    ])
  })

  it('keeps the report of a server that showed its certificate before refusing us', async () => {
    const { service, reports } = setup((req) =>
      Promise.resolve({
        report: report(
          req,
          'no-verdict',
          [finding(req.host === 'sip.provider.net' ? 'client-cert-rejected' : 'connection-failed')],
          req.host === 'sip.provider.net' ? 'trusted' : 'not-judged'
        ),
        socket: null
      })
    )
    const c = await service.connect()
    expect(c).toMatchObject({ verdict: 'no-verdict', finding: { code: 'client-cert-rejected' } })
    // The helpdesk sees that server's chain and the verdict on its certificate, not a bare failure.
    expect(service.lastReport).toMatchObject({
      host: 'sip.provider.net',
      serverCertificate: 'trusted',
      builtChain: sampleReport.builtChain
    })
    expect(reports().at(-1)).toBe(service.lastReport)
  })

  it('decides the live connection again and reports it when it is no longer trusted', async () => {
    let verdict: TrustReport['verdict'] = 'trusted-by-exception'
    const { service, refused } = setup((req) =>
      Promise.resolve({
        report: report(req, 'trusted-by-exception'),
        socket: new PassThrough(),
        redecide: () =>
          Promise.resolve(
            report(req, verdict, verdict === 'untrusted' ? [finding('self-signed')] : [])
          )
      })
    )
    await service.connect()
    expect(await service.redecide()).toMatchObject({ verdict: 'trusted-by-exception' })
    expect(refused).toEqual([])
    verdict = 'untrusted'
    expect(await service.redecide()).toMatchObject({ verdict: 'untrusted' })
    expect(refused.map((r) => r.headline?.code)).toEqual(['self-signed'])
    expect(service.lastReport?.verdict).toBe('untrusted')
    // Nothing is live any more: a second re-decision has nothing to decide.
    expect(await service.redecide()).toBeNull()
  })

  it('forgets the report and the view when the account goes (sign-out)', async () => {
    const { service, reports } = setup((req) =>
      Promise.resolve({ report: report(req, 'trusted'), socket: new PassThrough() })
    )
    await service.connect()
    service.configure(null)
    expect(service.lastReport).toBeNull()
    expect(service.info).toMatchObject({ attemptId: null, server: null, sipDomain: null })
    expect(reports().at(-1)).toBeNull()
  })

  it('refuses to connect without an account', async () => {
    const { service } = setup(() => Promise.reject(new Error('unused')))
    service.configure(null)
    await expect(service.connect()).rejects.toThrow(/no account/)
  })
})
