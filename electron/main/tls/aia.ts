import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { parseIp } from './chain/names'
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

/** Options of HTTP fetches for AIA, OCSP and CRLs. */
export interface FetchOptions {
  timeoutMs?: number
  /** Largest body accepted. */
  maxBytes?: number
  /** Allow https:// URLs (off by default: AIA/CRL/OCSP are http by design, RFC 5280 4.2.2.1). */
  allowHttps?: boolean
  /**
   * Allow URLs that lead to this machine (127.0.0.0/8, ::1). Off by default: a URL in a
   * certificate nobody vouches for yet must not reach services on the user's own computer. The
   * trust service turns it on only when the server being judged is itself on this machine.
   */
  allowLoopback?: boolean
}

/** Why an address may never be fetched from, or null when it may. */
export function forbiddenAddress(address: string, allowLoopback: boolean): string | null {
  const bytes = parseIp(address.replace(/^\[|\]$/g, ''))
  if (!bytes) return null
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d, in any spelling) is judged as IPv4.
  const v4 =
    bytes.length === 4
      ? bytes
      : bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
        ? bytes.subarray(12)
        : null
  const loopback = allowLoopback ? null : 'this computer (loopback)'
  if (v4) {
    const [b0 = 0, b1 = 0] = v4
    if (b0 === 0) return 'an unspecified address'
    if (b0 === 127) return loopback
    if (b0 === 169 && b1 === 254) return 'a link-local address (such as a cloud metadata service)'
    if (b0 >= 224) return 'a multicast or reserved address'
    return null
  }
  if (bytes.every((b) => b === 0)) return 'an unspecified address'
  if (bytes.subarray(0, 15).every((b) => b === 0) && bytes[15] === 1) return loopback
  if (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) return 'a link-local address'
  if (bytes[0] === 0xff) return 'a multicast address'
  return null
}

/** True for an address on this machine (the trust service allows loopback fetches then). */
export function isLoopbackAddress(address: string | null): boolean {
  if (!address) return false
  return forbiddenAddress(address, false) === 'this computer (loopback)'
}

/** dns.lookup that refuses answers pointing where a certificate's URL may not lead. */
function guardedLookup(allowLoopback: boolean) {
  return (
    hostname: string,
    options: object,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, [])
      const ok = addresses.filter((x) => forbiddenAddress(x.address, allowLoopback) === null)
      if (ok.length === 0) {
        const why = forbiddenAddress(addresses[0]?.address ?? '', allowLoopback) ?? 'nowhere'
        return callback(new Error(`${hostname} resolves to ${why}; not fetched`), [])
      }
      if ((options as { all?: boolean }).all) return callback(null, ok)
      callback(null, ok[0]!.address, ok[0]!.family)
    })
  }
}

/** Sends an HTTP GET or POST and returns the body, or throws with a clear message. */
export async function httpFetch(
  url: string,
  o: FetchOptions & { method?: 'GET' | 'POST'; body?: Buffer; contentType?: string } = {}
): Promise<Buffer> {
  const timeoutMs = o.timeoutMs ?? 5000
  const maxBytes = o.maxBytes ?? 1024 * 1024
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new Error(`not a URL: ${url}`)
  }
  if (u.protocol !== 'http:' && !(o.allowHttps && u.protocol === 'https:')) {
    throw new Error(`refusing ${u.protocol} URL ${url} (only http is fetched)`)
  }
  const literal = forbiddenAddress(u.hostname, o.allowLoopback ?? false)
  if (literal) throw new Error(`refusing ${url}: it points to ${literal}`)
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest
  return await new Promise<Buffer>((resolve, reject) => {
    const r = req(
      u,
      {
        method: o.method ?? 'GET',
        headers: o.body
          ? {
              'content-type': o.contentType ?? 'application/octet-stream',
              'content-length': o.body.length
            }
          : {},
        timeout: timeoutMs,
        // Names are resolved here and checked like literal addresses (no DNS rebinding to
        // loopback or link-local). Redirects are never followed: a non-2xx answer is a failure.
        lookup: guardedLookup(o.allowLoopback ?? false)
      },
      (res) => {
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
          res.resume()
          reject(new Error(`HTTP ${res.statusCode} from ${url}`))
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > maxBytes) {
            r.destroy()
            reject(new Error(`${url} sent more than ${maxBytes} bytes`))
            return
          }
          chunks.push(c)
        })
        res.on('end', () => resolve(Buffer.concat(chunks)))
        res.on('error', reject)
      }
    )
    const timer = setTimeout(() => {
      r.destroy()
      reject(new Error(`${url} did not answer within ${timeoutMs} ms`))
    }, timeoutMs)
    r.on('close', () => clearTimeout(timer))
    r.on('timeout', () => r.destroy(new Error(`${url} timed out after ${timeoutMs} ms`)))
    r.on('error', (e) => reject(new Error(`fetching ${url} failed: ${e.message}`)))
    r.end(o.body)
  })
}

/** Splits an AIA caIssuers body: PEM, a DER certificate, or a certs-only PKCS#7 (RFC 5280 4.2.2.1). */
export function splitIssuerBody(body: Buffer): Buffer[] {
  const head = body.subarray(0, 64).toString('latin1')
  if (head.includes('-----BEGIN') && !head.includes('PKCS7')) return [body]
  try {
    // X509Certificates reads PKCS#7 certs-only (DER or PEM); a plain certificate throws here.
    const list = new x509.X509Certificates()
    list.import(head.includes('-----BEGIN') ? body.toString('latin1') : new Uint8Array(body))
    if (list.length > 0) return list.map((c) => Buffer.from(c.rawData))
  } catch {
    // Not PKCS#7: treat as one DER certificate, the engine parses (and rejects) it.
  }
  return [body]
}

/** Builds the evaluator's fetchIssuer hook: http only, timeout, size cap; null on failure. */
export function createIssuerFetcher(
  o: FetchOptions & { log?: (m: string) => void } = {}
): (url: string) => Promise<Buffer[] | null> {
  return async (url) => {
    try {
      return splitIssuerBody(await httpFetch(url, { ...o, maxBytes: o.maxBytes ?? 256 * 1024 }))
    } catch (e) {
      o.log?.(`AIA fetch ${url}: ${(e as Error).message}`)
      return null
    }
  }
}
