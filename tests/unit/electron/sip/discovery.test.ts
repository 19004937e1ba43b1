import { Resolver } from 'node:dns/promises'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeStep } from '../../../../shared/discovery/wording'
import { discoverServer, orderSrv, type DnsResolver } from '../../../../electron/main/sip/discovery'
import { startLab, type Lab } from '../../../lab/lab'
import { fakeResolver } from './fake-dns'

describe('discoverServer with a fake resolver', () => {
  it('falls through the SRV names to the Skype for Business one and traces every step', async () => {
    const r = fakeResolver({
      srv: {
        '_sipinternaltls._tcp.corp.example': [
          { name: 'pool.corp.example', port: 5061, priority: 0, weight: 0 }
        ]
      },
      a: { 'pool.corp.example': ['10.0.0.5'] }
    })
    const d = await discoverServer('corp.example', r)
    expect(d.candidates).toEqual([
      {
        host: 'pool.corp.example',
        port: 5061,
        address: '10.0.0.5',
        source: 'srv',
        via: '_sipinternaltls._tcp.corp.example'
      }
    ])
    expect(d.trace.map((s) => describeStep(s).query)).toEqual([
      'NAPTR corp.example',
      'SRV _sips._tcp.corp.example',
      'SRV _sip._tls.corp.example',
      'SRV _sipinternaltls._tcp.corp.example',
      'A pool.corp.example'
    ])
  })

  it('traces each answer as data, and words it in English only for the report and the CLI', async () => {
    const r = fakeResolver({
      naptr: {
        'corp.example': [
          {
            flags: 's',
            service: 'SIPS+D2T',
            regexp: '',
            replacement: '_sips._tcp.corp.example',
            order: 10,
            preference: 10
          }
        ]
      },
      srv: {
        '_sips._tcp.corp.example': [
          { name: 'b.corp.example', port: 5062, priority: 10, weight: 5 },
          { name: 'a.corp.example', port: 5061, priority: 0, weight: 10 }
        ]
      },
      a: { 'a.corp.example': ['10.0.0.5'] }
    })
    const d = await discoverServer('corp.example', r)
    expect(d.trace.slice(0, 2)).toEqual([
      {
        kind: 'naptr',
        name: 'corp.example',
        result: {
          type: 'naptr',
          records: [{ service: 'SIPS+D2T', replacement: '_sips._tcp.corp.example' }]
        },
        ok: true
      },
      {
        kind: 'srv',
        name: '_sips._tcp.corp.example',
        result: {
          type: 'srv',
          records: [
            { target: 'a.corp.example', port: 5061, priority: 0, weight: 10 },
            { target: 'b.corp.example', port: 5062, priority: 10, weight: 5 }
          ]
        },
        ok: true
      }
    ])
    expect(d.trace[2]).toMatchObject({
      kind: 'a',
      result: { type: 'addresses', addresses: ['10.0.0.5'] }
    })
    // Nothing in a step is an English sentence; the English wording is made from the data.
    expect(JSON.stringify(d.trace)).not.toMatch(/priority \d|no record|weight \d/)
    expect(describeStep(d.trace[1]!)).toEqual({
      query: 'SRV _sips._tcp.corp.example',
      answer:
        'a.corp.example:5061 (priority 0, weight 10), b.corp.example:5062 (priority 10, weight 5)'
    })
  })

  it('says what went wrong with a look-up as a code: no record, no TLS service, DNS down', async () => {
    const down = Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })
    const r: DnsResolver = {
      ...fakeResolver({}),
      resolveNaptr: () =>
        Promise.resolve([
          {
            flags: 's',
            service: 'SIP+D2U',
            regexp: '',
            replacement: '_sip._udp.x.example',
            order: 1,
            preference: 1
          }
        ]),
      resolveSrv: () => Promise.reject(down)
    }
    const d = await discoverServer('x.example', r)
    expect(d.trace[0]?.result).toEqual({ type: 'no-tls-service' })
    expect(d.trace[1]?.result).toEqual({ type: 'dns-unreachable', code: 'ETIMEOUT' })
    expect(d.trace.at(-1)?.result).toEqual({ type: 'no-record' })
    expect(d.trace.map((s) => describeStep(s).answer)).toContain(
      'DNS server did not answer (ETIMEOUT)'
    )
    const configured = await discoverServer('x.example', fakeResolver({}), {
      host: '127.0.0.1',
      port: 5999
    })
    expect(configured.trace[0]).toEqual({
      kind: 'configured',
      name: '127.0.0.1',
      result: { type: 'configured', host: '127.0.0.1', port: 5999 },
      ok: true
    })
    expect(describeStep(configured.trace[0]!)).toEqual({
      query: 'configured server',
      answer: '127.0.0.1:5999'
    })
  })

  it('uses the domain on 5061 when there is no SRV at all', async () => {
    const d = await discoverServer(
      'tiny.example',
      fakeResolver({ a: { 'tiny.example': ['192.0.2.1'] } })
    )
    expect(d.candidates[0]).toMatchObject({ host: 'tiny.example', port: 5061, source: 'address' })
  })

  it('honours a configured server and skips DNS service records', async () => {
    const d = await discoverServer('x.example', fakeResolver({}), { host: '127.0.0.1', port: 5999 })
    expect(d.candidates).toEqual([
      { host: '127.0.0.1', port: 5999, address: '127.0.0.1', source: 'configured', via: null }
    ])
  })

  it('returns no candidate, with the trace, when nothing resolves', async () => {
    const d = await discoverServer('nowhere.example', fakeResolver({}))
    expect(d.candidates).toEqual([])
    expect(d.trace.every((s) => !s.ok)).toBe(true)
  })

  it('looks an IDN SIP domain up by its A-label name', async () => {
    const base = fakeResolver({
      srv: {
        '_sips._tcp.xn--bcher-kva.test': [
          { name: 'sip.xn--bcher-kva.test', port: 5061, priority: 0, weight: 0 }
        ]
      },
      a: { 'sip.xn--bcher-kva.test': ['192.0.2.9'] }
    })
    const asked: string[] = []
    const d = await discoverServer('Bücher.test', {
      ...base,
      resolveNaptr: (n) => (asked.push(n), base.resolveNaptr(n)),
      resolveSrv: (n) => (asked.push(n), base.resolveSrv(n))
    })
    expect(asked.slice(0, 2)).toEqual(['xn--bcher-kva.test', '_sips._tcp.xn--bcher-kva.test'])
    expect(d.candidates[0]).toMatchObject({ host: 'sip.xn--bcher-kva.test', address: '192.0.2.9' })
  })

  it('orders SRV by priority then weight', () => {
    expect(
      orderSrv([
        { priority: 10, weight: 5 },
        { priority: 0, weight: 1 },
        { priority: 0, weight: 9 }
      ])
    ).toEqual([
      { priority: 0, weight: 9 },
      { priority: 0, weight: 1 },
      { priority: 10, weight: 5 }
    ])
  })
})

describe('discoverServer against the lab dnsmasq', () => {
  let lab: Lab
  let resolver: Resolver
  beforeAll(async () => {
    lab = await startLab({ runDir: mkdtempSync(join(tmpdir(), 'tl-lab-disc-')) })
    resolver = new Resolver({ timeout: 2000, tries: 1 })
    resolver.setServers([`127.0.0.1:${lab.ports.dns}`])
  }, 60_000)
  afterAll(async () => {
    await lab?.stop()
  })

  it('follows NAPTR → SRV → A to the good TLS port', async () => {
    const d = await discoverServer(lab.domain, resolver)
    expect(d.candidates[0]).toMatchObject({
      host: lab.domain,
      port: lab.ports.tls.good,
      address: '127.0.0.1',
      source: 'naptr'
    })
    expect(d.trace[0]).toMatchObject({ kind: 'naptr', name: lab.domain, ok: true })
  })

  it('sends the hijack domain to a server outside it', async () => {
    const d = await discoverServer(lab.hijackDomain, resolver)
    const first = d.candidates[0]
    expect(first).toBeDefined()
    if (!first) return
    expect(first.host.endsWith(lab.hijackDomain)).toBe(false)
  })
})
