import 'reflect-metadata'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mustParse } from '../../../../electron/main/tls/chain/parse'
import { createRevocationChecker, crlUrls } from '../../../../electron/main/tls/revocation'
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

async function leafWith(ocspUrl: string | null, crlUrl: string | null) {
  const exts: x509.Extension[] = []
  if (ocspUrl)
    exts.push(
      new x509.AuthorityInfoAccessExtension({ ocsp: [new x509.GeneralName('url', ocspUrl)] })
    )
  if (crlUrl) exts.push(new x509.CRLDistributionPointsExtension([crlUrl]))
  const leaf = await makeCert({
    subject: 'CN=localhost',
    issuer: h.intermediate,
    serial: '0b0b01',
    sans: [{ type: 'dns', value: 'localhost' }],
    extensions: exts
  })
  return [mustParse(leaf.der), mustParse(h.intermediate.der)]
}

const check = createRevocationChecker({ timeoutMs: 5000 })

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
