import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIssuerFetcher, httpFetch, splitIssuerBody } from '../../../../electron/main/tls/aia'
import { makeHierarchy } from '../../../fixtures/pki'
import { pemBundle, startHttpServer } from '../../../fixtures/tls-lab'

let dir: string
let h: Awaited<ReturnType<typeof makeHierarchy>>
let http: Awaited<ReturnType<typeof startHttpServer>>
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustline-aia-'))
  h = await makeHierarchy('localhost')
  http = await startHttpServer({
    '/int.cer': h.intermediate.der,
    '/big': Buffer.alloc(300 * 1024),
    '/slow': () => new Promise((r) => setTimeout(() => r(Buffer.alloc(1)), 2000))
  })
})
afterAll(async () => {
  await http.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('AIA caIssuers', () => {
  it('splits DER, PEM and certs-only PKCS#7', () => {
    expect(splitIssuerBody(h.intermediate.der)).toEqual([h.intermediate.der])
    const pem = Buffer.from(h.intermediate.pem)
    expect(splitIssuerBody(pem)).toEqual([pem])
    writeFileSync(join(dir, 'certs.pem'), pemBundle([h.intermediate, h.root]))
    execFileSync('openssl', [
      'crl2pkcs7',
      '-nocrl',
      '-certfile',
      join(dir, 'certs.pem'),
      '-outform',
      'DER',
      '-out',
      join(dir, 'certs.p7c')
    ])
    const p7 = splitIssuerBody(readFileSync(join(dir, 'certs.p7c')))
    expect(p7.map((b) => b.toString('hex')).sort()).toEqual(
      [h.intermediate.der, h.root.der].map((b) => b.toString('hex')).sort()
    )
  })

  it('fetches over http, and returns null on 404, oversize, https and timeouts', async () => {
    const fetch = createIssuerFetcher({ timeoutMs: 500 })
    expect(await fetch(`${http.url}/int.cer`)).toEqual([h.intermediate.der])
    expect(await fetch(`${http.url}/missing`)).toBeNull()
    expect(await fetch(`${http.url}/big`)).toBeNull()
    expect(await fetch(`${http.url}/slow`)).toBeNull()
    await expect(httpFetch('https://127.0.0.1/x')).rejects.toThrow(/only http/)
    await expect(httpFetch('file:///etc/passwd')).rejects.toThrow(/only http/)
  })
})
