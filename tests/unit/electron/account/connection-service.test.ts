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
import type { TrustReport } from '../../../../shared/types/trust'
import { sampleLeaf, sampleReport } from '../../../fixtures/sample-dtos'

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

const trusted = (names: string[]): TrustReport => ({
  ...sampleReport,
  verdict: 'trusted',
  reasons: [],
  sentChain: [
    { ...sampleLeaf, subjectAltNames: names.map((value) => ({ type: 'dns' as const, value })) }
  ]
})

function setup(checker: TrustChecker) {
  const emitted: [string, unknown][] = []
  const events: EventSink = { emit: (c, p) => void emitted.push([c, p]) }
  const decisions = new DomainDecisionStore(mkdtempSync(join(tmpdir(), 'tl-cs-')))
  const service = new ConnectionService({ checker, resolver, decisions, events })
  service.configure({ sipDomain: 'example.org' })
  return { service, emitted, decisions }
}

describe('ConnectionService', () => {
  it('hands over the socket of a trusted server that names the domain', async () => {
    const socket = new PassThrough()
    const seen: TrustCheckRequest[] = []
    const { service, emitted } = setup((req) => {
      seen.push(req)
      return Promise.resolve({ report: trusted(['example.org']), socket })
    })
    const c = await service.connect()
    expect(c).toMatchObject({ verdict: 'trusted', host: 'sip.provider.net', port: 5061 })
    expect(c.socket).toBe(socket)
    expect(seen[0]).toMatchObject({ host: 'sip.provider.net', address: '192.0.2.1' })
    expect(emitted.map(([c]) => c)).toContain('trust:report-changed')
    expect(service.info.server?.host).toBe('sip.provider.net')
    expect(service.lastReport?.verdict).toBe('trusted')
  })

  it('refuses an untrusted server with the first error in words and destroys the socket', async () => {
    const socket = new PassThrough()
    const { service } = setup(() => Promise.resolve({ report: sampleReport, socket }))
    const c = await service.connect()
    expect(c.verdict).toBe('untrusted')
    expect(c.reason).toBe(sampleReport.reasons[0]?.summary)
    expect(socket.destroyed).toBe(true)
  })

  it('stops and asks when DNS points outside the domain at a certificate not naming it', async () => {
    const socket = new PassThrough()
    const { service, decisions } = setup(() =>
      Promise.resolve({ report: trusted(['sip.provider.net']), socket })
    )
    const c = await service.connect()
    expect(c.verdict).toBe('untrusted')
    expect(c.reason).toMatch(/outside that domain/)
    expect(socket.destroyed).toBe(true)
    expect(service.info.question).toEqual({
      sipDomain: 'example.org',
      serverHost: 'sip.provider.net',
      port: 5061,
      certificateNames: ['DNS:sip.provider.net']
    })

    await decisions.decide('example.org', 'sip.provider.net', true)
    const again = await service.connect()
    expect(again.verdict).toBe('trusted')
    expect(service.info.question).toBeNull()

    await decisions.decide('example.org', 'sip.provider.net', false)
    expect((await service.connect()).reason).toMatch(/You chose not to use/)
  })

  it('tries the next candidate when one cannot be reached', async () => {
    const { service } = setup((req) =>
      req.host === 'sip.provider.net'
        ? Promise.reject(new Error('connect ECONNREFUSED'))
        : Promise.resolve({ report: trusted(['sip2.example.org']), socket: new PassThrough() })
    )
    expect(await service.connect()).toMatchObject({ verdict: 'trusted', host: 'sip2.example.org' })
  })

  it('explains when no server can be reached at all', async () => {
    const { service } = setup(() => Promise.reject(new Error('connect ECONNREFUSED')))
    await expect(service.connect()).rejects.toThrow(/could not reach any SIP server.*ECONNREFUSED/)
  })

  it('refuses to connect without an account', async () => {
    const { service } = setup(() => Promise.reject(new Error('unused')))
    service.configure(null)
    await expect(service.connect()).rejects.toThrow(/no account/)
  })
})
