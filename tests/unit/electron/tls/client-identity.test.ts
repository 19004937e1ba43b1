import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { identityCertificates } from '../../../../electron/main/tls/client-identity'
import { ConnectError } from '../../../../electron/main/tls/connector'
import { makeCert, makeHierarchy, oids, type IssuedCert } from '../../../fixtures/pki'
import { keyPem } from '../../../fixtures/tls-lab'

let dir: string
let h: Awaited<ReturnType<typeof makeHierarchy>>
let edge: IssuedCert
let key: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustline-identity-'))
  h = await makeHierarchy('localhost')
  edge = await makeCert({
    subject: 'CN=edge.corp.example',
    issuer: h.intermediate,
    eku: [oids.serverAuth, oids.clientAuth]
  })
  key = await keyPem(edge.keys)
  writeFileSync(join(dir, 'edge.pem'), edge.pem)
  writeFileSync(join(dir, 'edge.key'), key)
  writeFileSync(join(dir, 'inter.pem'), h.intermediate.pem)
  const p12 = (name: string, extra: string[]) =>
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-in',
      join(dir, 'edge.pem'),
      '-inkey',
      join(dir, 'edge.key'),
      ...extra,
      '-out',
      join(dir, name),
      '-passout',
      'pass:pw'
    ])
  p12('alone.p12', [])
  p12('chain.p12', ['-certfile', join(dir, 'inter.pem')])
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('identityCertificates', () => {
  it('reads the leaf (and its issuer when bundled) out of a PKCS#12 file', () => {
    const alone = identityCertificates({
      pfx: readFileSync(join(dir, 'alone.p12')),
      passphrase: 'pw'
    })
    expect(alone.map((d) => d.equals(edge.der))).toEqual([true])
    const chain = identityCertificates({
      pfx: readFileSync(join(dir, 'chain.p12')),
      passphrase: 'pw'
    })
    expect(chain.map((d) => d.equals(edge.der) || d.equals(h.intermediate.der))).toEqual([
      true,
      true
    ])
    expect(chain[0]!.equals(edge.der)).toBe(true)
  })

  it('reads every certificate of a PEM file, in order', () => {
    const both = identityCertificates({ cert: `${edge.pem}\n${h.intermediate.pem}`, key })
    expect(both.map((d) => d.equals(edge.der))).toEqual([true, false])
    expect(both[1]!.equals(h.intermediate.der)).toBe(true)
  })

  it('fails like a connection would: wrong passphrase, no certificate', () => {
    expect(() =>
      identityCertificates({ pfx: readFileSync(join(dir, 'alone.p12')), passphrase: 'nope' })
    ).toThrow(expect.objectContaining({ code: 'client-cert-bad-passphrase' }))
    expect(() => identityCertificates({ cert: key, key })).toThrow(ConnectError)
  })

  it('depends on SecureContext#getCertificate/getIssuer, which Node still has', () => {
    // The one door into Node internals: if this fails, PKCS#12 identities need another reader.
    const native = tls.createSecureContext({}).context as Record<string, unknown>
    expect(typeof native.getCertificate).toBe('function')
    expect(typeof native.getIssuer).toBe('function')
  })
})
