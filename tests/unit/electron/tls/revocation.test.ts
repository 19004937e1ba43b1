import 'reflect-metadata'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mustParse } from '../../../../electron/main/tls/chain/parse'
import {
  createRevocationChecker,
  crlUrls,
  ocspCacheKey
} from '../../../../electron/main/tls/revocation'
import { RevocationCache } from '../../../../electron/main/tls/revocation-cache'
import { makeCert, makeCrl, makeHierarchy, type IssuedCert } from '../../../fixtures/pki'
import { keyPem, opensslOcspAnswer, startHttpServer } from '../../../fixtures/tls-lab'

type Route = Parameters<typeof startHttpServer>[0][string]
let dir: string
let h: Awaited<ReturnType<typeof makeHierarchy>>
const routes: Record<string, Route> = {}
let http: Awaited<ReturnType<typeof startHttpServer>>

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustline-rev-'))
  h = await makeHierarchy('localhost')
  http = await startHttpServer(routes)
  const exp = new Date(Date.now() + 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14)
  writeFileSync(join(dir, 'index.txt'), `V\t${exp}Z\t\t0B0B01\tunknown\t/CN=localhost\n`)
  writeFileSync(join(dir, 'ca.pem'), h.intermediate.pem)
})
afterAll(async () => {
  await http.close()
  rmSync(dir, { recursive: true, force: true })
})

async function responderRoute(name: string, signer: IssuedCert): Promise<string> {
  writeFileSync(join(dir, `${name}.pem`), signer.pem)
  writeFileSync(join(dir, `${name}.key`), await keyPem(signer.keys))
  routes[`/${name}`] = opensslOcspAnswer({
    dir,
    index: join(dir, 'index.txt'),
    caCert: join(dir, 'ca.pem'),
    signerCert: join(dir, `${name}.pem`),
    signerKey: join(dir, `${name}.key`)
  })
  return `${http.url}/${name}`
}

async function leafWith(ocspUrl: string | null, crlUrl: string | null, serial = '0b0b01') {
  const exts: x509.Extension[] = []
  if (ocspUrl)
    exts.push(
      new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName('url', ocspUrl)] })
    )
  if (crlUrl) exts.push(new x509.CRLDistributionPointsExtension([crlUrl]))
  const leaf = await makeCert({
    subject: 'CN=localhost',
    issuer: h.intermediate,
    serial,
    sans: [{ type: 'dns', value: 'localhost' }],
    extensions: exts
  })
  return [mustParse(leaf.der), mustParse(h.intermediate.der)]
}

const check = createRevocationChecker({ timeoutMs: 5000, allowLoopback: true })

describe('OCSP', () => {
  it('accepts a response signed by the issuer itself', async () => {
    const url = await responderRoute('issuer-signed', h.intermediate)
    expect(await check(await leafWith(url, null))).toMatchObject({ status: 'good', source: 'ocsp' })
  })

  it('ignores a delegated responder without id-kp-OCSPSigning', async () => {
    const noEku = await makeCert({
      subject: 'CN=Not a responder',
      issuer: h.intermediate,
      eku: null
    })
    const url = await responderRoute('no-eku', noEku)
    const r = await check(await leafWith(url, null))
    expect(r.status).toBe('unknown')
    expect(r.detail).toMatch(/lacks id-kp-OCSPSigning/)
  })

  it('ignores a responder certified by another CA', async () => {
    const other = await makeHierarchy('x')
    const foreign = await makeCert({
      subject: 'CN=Foreign responder',
      issuer: other.intermediate,
      eku: ['1.3.6.1.5.5.7.3.9']
    })
    const url = await responderRoute('foreign', foreign)
    const r = await check(await leafWith(url, null))
    expect(r.status).toBe('unknown')
    expect(r.detail).toMatch(/not certified by/)
  })
})

describe('CRL', () => {
  it('reads the distribution points', async () => {
    const [leaf] = await leafWith(null, 'http://crl.example/int.crl')
    expect(crlUrls(leaf!)).toEqual(['http://crl.example/int.crl'])
  })

  it('falls back to the CRL when OCSP fails, and rejects stale or foreign CRLs', async () => {
    routes['/good.crl'] = await makeCrl(h.intermediate, ['0c0c0c'])
    routes['/stale.crl'] = await makeCrl(h.intermediate, [], {
      thisUpdate: new Date(Date.now() - 10 * 86_400_000),
      nextUpdate: new Date(Date.now() - 86_400_000)
    })
    const other = await makeHierarchy('y')
    routes['/foreign.crl'] = await makeCrl(
      { ...other.intermediate, subject: h.intermediate.subject },
      ['0b0b01']
    )
    const good = await check(await leafWith(`${http.url}/missing-ocsp`, `${http.url}/good.crl`))
    expect(good).toMatchObject({ status: 'good', source: 'crl' })
    const stale = await check(await leafWith(null, `${http.url}/stale.crl`))
    expect(stale.status).toBe('unknown')
    expect(stale.detail).toMatch(/not current/)
    const foreign = await check(await leafWith(null, `${http.url}/foreign.crl`))
    expect(foreign.status).toBe('unknown')
  })

  it('says why when the certificate names no revocation source', async () => {
    const r = await check(await leafWith(null, null))
    expect(r.status).toBe('unknown')
    expect(r.detail).toMatch(/no OCSP responder and no CRL/)
  })
})

describe('caching verified answers', () => {
  const minute = 60_000
  const hitsOf = (path: string) => http.hits.filter((p) => p === path).length
  const cachedText =
    /^OCSP response cached from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, valid until \S+Z; http/

  it('reuses a good OCSP answer until its nextUpdate, saying so, then asks again', async () => {
    const url = await responderRoute('cache-good', h.intermediate)
    const chain = await leafWith(url, null)
    let now = new Date()
    const checker = createRevocationChecker({
      timeoutMs: 5000,
      allowLoopback: true,
      cache: new RevocationCache(),
      at: () => now
    })
    const first = await checker(chain)
    expect(first).toMatchObject({ status: 'good', source: 'ocsp' })
    expect(first.detail).not.toMatch(/cached/)
    const second = await checker(chain)
    expect(second).toMatchObject({ status: 'good', source: 'ocsp' })
    expect(second.detail).toMatch(cachedText)
    expect(second.detail).toContain('OCSP good; thisUpdate')
    expect(hitsOf('/cache-good')).toBe(1)
    // The fixture's responder (openssl ocsp -nmin 5) says nextUpdate = thisUpdate + 5 min.
    now = new Date(now.getTime() + 5 * minute + 1000)
    expect((await checker(chain)).detail).not.toMatch(/cached/)
    expect(hitsOf('/cache-good')).toBe(2)
  })

  it('keeps a revoked answer refusing while the responder is down, never caches a failure', async () => {
    appendFileSync(
      join(dir, 'index.txt'),
      `R\t${new Date(Date.now() + 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z\t${new Date(Date.now() - 3_600_000).toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z\t0B0B02\tunknown\t/CN=localhost\n`
    )
    const url = await responderRoute('cache-revoked', h.intermediate)
    const responder = routes['/cache-revoked']!
    const chain = await leafWith(url, null, '0b0b02')
    let now = new Date()
    const checker = createRevocationChecker({
      timeoutMs: 5000,
      allowLoopback: true,
      cache: new RevocationCache(),
      at: () => now
    })
    expect(await checker(chain)).toMatchObject({ status: 'revoked', source: 'ocsp' })
    delete routes['/cache-revoked']
    const again = await checker(chain)
    expect(again).toMatchObject({ status: 'revoked', source: 'ocsp' })
    expect(again.detail).toMatch(cachedText)
    expect(again.detail).toContain('revoked at')
    // Past nextUpdate the answer is gone; the responder's failure is not kept as anything.
    now = new Date(now.getTime() + 6 * minute)
    expect((await checker(chain)).status).toBe('unknown')
    routes['/cache-revoked'] = responder
    const fresh = await checker(chain)
    expect(fresh.status).toBe('revoked')
    expect(fresh.detail).not.toMatch(/cached/)
  })

  it("never keeps a responder's 'unknown'", async () => {
    const url = await responderRoute('cache-unknown', h.intermediate)
    const chain = await leafWith(url, null, '0b0bff')
    const checker = createRevocationChecker({
      timeoutMs: 5000,
      allowLoopback: true,
      cache: new RevocationCache()
    })
    expect((await checker(chain)).status).toBe('unknown')
    expect((await checker(chain)).status).toBe('unknown')
    expect(hitsOf('/cache-unknown')).toBe(2)
  })

  it('keys answers by CertID: the same serial under another issuer is another entry', async () => {
    const other = await makeHierarchy('z')
    const [leaf, issuer] = await leafWith(null, null)
    const twin = await makeCert({
      subject: 'CN=localhost',
      issuer: other.intermediate,
      serial: '0b0b01'
    })
    expect(ocspCacheKey(leaf!, issuer!)).not.toBe(
      ocspCacheKey(mustParse(twin.der), mustParse(other.intermediate.der))
    )
    expect(ocspCacheKey(leaf!, issuer!)).toBe(
      ocspCacheKey((await leafWith(null, null))[0]!, issuer!)
    )
  })

  it('reuses a verified CRL until its nextUpdate, for any certificate of that issuer', async () => {
    routes['/cached.crl'] = await makeCrl(h.intermediate, ['0b0b03'], {
      nextUpdate: new Date(Date.now() + 30 * minute)
    })
    const crlUrl = `${http.url}/cached.crl`
    let now = new Date()
    const checker = createRevocationChecker({
      timeoutMs: 5000,
      allowLoopback: true,
      cache: new RevocationCache(),
      at: () => now
    })
    expect(await checker(await leafWith(null, crlUrl))).toMatchObject({ status: 'good' })
    delete routes['/cached.crl']
    const revoked = await checker(await leafWith(null, crlUrl, '0b0b03'))
    expect(revoked).toMatchObject({ status: 'revoked', source: 'crl' })
    expect(revoked.detail).toMatch(/^CRL cached from \S+Z, valid until \S+Z; http/)
    expect(hitsOf('/cached.crl')).toBe(1)
    now = new Date(now.getTime() + 31 * minute)
    expect((await checker(await leafWith(null, crlUrl, '0b0b03'))).status).toBe('unknown')
    expect(hitsOf('/cached.crl')).toBe(2)
  })
})
