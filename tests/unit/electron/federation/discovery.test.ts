import { describe, expect, it } from 'vitest'
import { describeStep } from '../../../../shared/discovery/wording'
import { discoverFederationServer } from '../../../../electron/main/federation/discovery'
import { fakeResolver } from '../sip/fake-dns'

const srv = (name: string, port = 5061) => [{ name, port, priority: 0, weight: 0 }]

describe('discoverFederationServer', () => {
  it('asks for _sipfederationtls._tcp first and stops there when it answers', async () => {
    const d = await discoverFederationServer(
      'partner.example',
      fakeResolver({
        srv: {
          '_sipfederationtls._tcp.partner.example': srv('edge.partner.example'),
          '_sips._tcp.partner.example': srv('other.partner.example')
        },
        a: { 'edge.partner.example': ['192.0.2.7'] }
      })
    )
    expect(d.candidates).toEqual([
      {
        host: 'edge.partner.example',
        port: 5061,
        address: '192.0.2.7',
        source: 'srv',
        via: '_sipfederationtls._tcp.partner.example'
      }
    ])
    expect(d.trace.map((s) => describeStep(s).query)).toEqual([
      'SRV _sipfederationtls._tcp.partner.example',
      'A edge.partner.example'
    ])
  })

  it('then follows RFC 3263: NAPTR, _sips._tcp, _sip._tls — never the client-only Lync names', async () => {
    const d = await discoverFederationServer(
      'partner.example',
      fakeResolver({
        srv: {
          '_sip._tls.partner.example': srv('sip.partner.example', 5063),
          '_sipinternaltls._tcp.partner.example': srv('pool.partner.example')
        },
        a: { 'sip.partner.example': ['192.0.2.8'] }
      })
    )
    expect(d.candidates[0]).toMatchObject({
      host: 'sip.partner.example',
      port: 5063,
      via: '_sip._tls.partner.example'
    })
    expect(d.trace.map((s) => describeStep(s).query)).toEqual([
      'SRV _sipfederationtls._tcp.partner.example',
      'NAPTR partner.example',
      'SRV _sips._tcp.partner.example',
      'SRV _sip._tls.partner.example',
      'A sip.partner.example'
    ])
    const none = await discoverFederationServer(
      'partner.example',
      fakeResolver({ srv: { '_sipinternaltls._tcp.partner.example': srv('pool.partner.example') } })
    )
    expect(none.candidates).toEqual([])
    expect(none.trace.map((s) => describeStep(s).query)).not.toContain(
      'SRV _sipinternaltls._tcp.partner.example'
    )
  })

  it('uses NAPTR when there is no federation record', async () => {
    const d = await discoverFederationServer(
      'partner.example',
      fakeResolver({
        naptr: {
          'partner.example': [
            {
              flags: 's',
              service: 'SIPS+D2T',
              regexp: '',
              replacement: '_sips._tcp.partner.example',
              order: 10,
              preference: 10
            }
          ]
        },
        srv: { '_sips._tcp.partner.example': srv('sip.partner.example') },
        a: { 'sip.partner.example': ['192.0.2.9'] }
      })
    )
    expect(d.candidates[0]).toMatchObject({ source: 'naptr', via: '_sips._tcp.partner.example' })
  })
})
