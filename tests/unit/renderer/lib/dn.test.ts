import { describe, expect, it } from 'vitest'
import { commonName, fileStem } from '../../../../renderer/src/lib/dn'

describe('distinguished-name helpers', () => {
  it.each([
    ['CN=sip.example.org, O=Example', 'sip.example.org'],
    ['O=Example, CN=sip.example.org', 'sip.example.org'],
    ['O=No Common Name', 'O=No Common Name']
  ])('commonName(%s) = %s', (dn, cn) => {
    expect(commonName(dn)).toBe(cn)
  })

  it('makes a safe file stem, never empty, never a path', () => {
    expect(fileStem('CN=../../etc/passwd')).toBe('.._.._etc_passwd')
    expect(fileStem('CN=*.example.org')).toBe('.example.org')
    expect(fileStem('CN=///')).toBe('certificate')
  })
})
