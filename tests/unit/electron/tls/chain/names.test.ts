import { describe, expect, it } from 'vitest'
import {
  constraintProblem,
  dnsNameMatches,
  isValidDnsName,
  nameConstraintViolation,
  parseIp,
  peerNameFromHost,
  sanMatchesPeer
} from '../../../../../electron/main/tls/chain/names'
import type { GeneralName } from '../../../../../electron/main/tls/chain/parse'

const dns = (value: string): GeneralName => ({ type: 'dns', value })
const ip = (text: string, bits?: number): GeneralName => {
  const b = parseIp(text)!
  if (bits === undefined) return { type: 'ip', bytes: b, value: text }
  const mask = Buffer.alloc(b.length)
  for (let i = 0; i < bits; i++) mask[i >> 3]! |= 0x80 >> (i & 7)
  return { type: 'ip', bytes: Buffer.concat([b, mask]), value: `${text}/${bits}` }
}

describe('hostname matching (RFC 6125)', () => {
  const cases: [string, string, boolean][] = [
    ['sip.example.com', 'sip.example.com', true],
    ['SIP.Example.COM', 'sip.example.com', true],
    ['*.example.com', 'sip.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['f*.example.com', 'foo.example.com', false],
    ['sip.*.com', 'sip.example.com', false],
    ['*.com', 'example.com', false],
    ['*.co.uk', 'example.co.uk', false],
    ['*', 'localhost', false]
  ]
  it.each(cases)('%s vs %s → %s', (pattern, host, want) => {
    expect(dnsNameMatches(pattern, host)).toBe(want)
  })

  it('compares IPs as addresses, never against DNS SANs', () => {
    expect(sanMatchesPeer([ip('2001:db8::1')], peerNameFromHost('[2001:0db8:0:0::1]'))).toBe(true)
    expect(sanMatchesPeer([dns('192.0.2.1')], peerNameFromHost('192.0.2.1'))).toBe(false)
    expect(sanMatchesPeer([ip('192.0.2.1')], peerNameFromHost('192.0.2.1'))).toBe(true)
  })

  it('compares IDN hosts in A-label form', () => {
    expect(peerNameFromHost('Bücher.Example.')).toMatchObject({
      kind: 'dns',
      value: 'xn--bcher-kva.example'
    })
    expect(sanMatchesPeer([dns('xn--bcher-kva.example')], peerNameFromHost('bücher.example'))).toBe(
      true
    )
  })

  it('validates DNS syntax', () => {
    expect(isValidDnsName('a-b.example')).toBe(true)
    expect(isValidDnsName('under_score.example')).toBe(false)
    expect(isValidDnsName('*.example.com', true)).toBe(true)
    expect(isValidDnsName('*.example.com')).toBe(false)
    expect(isValidDnsName('1.2.3.4')).toBe(false)
  })
})

describe('name constraints (RFC 5280 4.2.1.10)', () => {
  it('permits names inside, rejects names outside the permitted subtree', () => {
    const nc = { permitted: [dns('example.com')], excluded: null, badSubtree: false }
    expect(nameConstraintViolation([dns('a.example.com'), dns('example.com')], nc)).toBeNull()
    expect(nameConstraintViolation([dns('badexample.com')], nc)).not.toBeNull()
    expect(nameConstraintViolation([ip('192.0.2.1')], nc)).toBeNull()
  })
  it('excluded wins and covers wildcards that overlap', () => {
    const nc = {
      permitted: [dns('example.com')],
      excluded: [dns('bad.example.com')],
      badSubtree: false
    }
    expect(nameConstraintViolation([dns('x.bad.example.com')], nc)).not.toBeNull()
    expect(nameConstraintViolation([dns('*.example.com')], nc)).not.toBeNull()
  })
  it('matches IP ranges', () => {
    const nc = { permitted: [ip('10.0.0.0', 8)], excluded: [ip('10.9.0.0', 16)], badSubtree: false }
    expect(nameConstraintViolation([ip('10.1.2.3')], nc)).toBeNull()
    expect(nameConstraintViolation([ip('10.9.2.3')], nc)).not.toBeNull()
    expect(nameConstraintViolation([ip('11.0.0.1')], nc)).not.toBeNull()
  })
  it('matches email and URI forms', () => {
    const nc = {
      permitted: [
        { type: 'email', value: 'example.com' },
        { type: 'uri', value: '.example.com' }
      ] as GeneralName[],
      excluded: null,
      badSubtree: false
    }
    expect(nameConstraintViolation([{ type: 'email', value: 'ops@example.com' }], nc)).toBeNull()
    expect(
      nameConstraintViolation([{ type: 'email', value: 'ops@sub.example.com' }], nc)
    ).not.toBeNull()
    expect(nameConstraintViolation([{ type: 'uri', value: 'sip:host.example.com' }], nc)).toBeNull()
    expect(nameConstraintViolation([{ type: 'uri', value: 'sip:example.org' }], nc)).not.toBeNull()
  })
  it('flags malformed constraints', () => {
    expect(constraintProblem(dns('*.example.com'))).not.toBeNull()
    expect(
      constraintProblem({
        type: 'ip',
        bytes: Buffer.from([10, 0, 0, 0, 255, 0, 255, 0]),
        value: ''
      })
    ).toMatch(/contiguous/)
    expect(constraintProblem(dns(''))).toBeNull()
  })
})
