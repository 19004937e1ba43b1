import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
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
    const fetch = createIssuerFetcher({ timeoutMs: 500, allowLoopback: true })
    expect(await fetch(`${http.url}/int.cer`)).toEqual([h.intermediate.der])
    expect(await fetch(`${http.url}/missing`)).toBeNull()
    expect(await fetch(`${http.url}/big`)).toBeNull()
    expect(await fetch(`${http.url}/slow`)).toBeNull()
    await expect(httpFetch('https://127.0.0.1/x')).rejects.toThrow(/only http/)
    await expect(httpFetch('file:///etc/passwd')).rejects.toThrow(/only http/)
  })

  it('never lets a certificate URL lead to this machine, link-local or multicast addresses', async () => {
    const port = new URL(http.url).port
    // The test server is on loopback: reachable only when the judged server is local too.
    await expect(httpFetch(`http://127.0.0.1:${port}/int.cer`)).rejects.toThrow(/loopback/)
    await expect(httpFetch(`http://localhost:${port}/int.cer`)).rejects.toThrow(/loopback/)
    await expect(httpFetch(`http://[::1]:${port}/int.cer`)).rejects.toThrow(/loopback/)
    await expect(httpFetch(`http://[::ffff:127.0.0.1]:${port}/x`)).rejects.toThrow(/loopback/)
    await expect(httpFetch('http://169.254.169.254/latest/meta-data')).rejects.toThrow(/link-local/)
    await expect(httpFetch('http://[fe80::1]/x')).rejects.toThrow(/link-local/)
    await expect(httpFetch('http://0.0.0.0/x')).rejects.toThrow(/unspecified/)
    await expect(httpFetch('http://224.0.0.1/x')).rejects.toThrow(/multicast/)
    expect(
      await createIssuerFetcher({ timeoutMs: 500 })(`http://127.0.0.1:${port}/int.cer`)
    ).toBeNull()
  })

  it('never follows a redirect', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(302, { location: `${http.url}/int.cer` })
      res.end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    await expect(
      httpFetch(`http://127.0.0.1:${port}/moved`, { allowLoopback: true })
    ).rejects.toThrow(/HTTP 302/)
    expect(http.hits.filter((p) => p === '/int.cer')).toHaveLength(1)
    await new Promise((r) => server.close(r))
  })
})
