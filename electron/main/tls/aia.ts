import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

/** Options of HTTP fetches for AIA, OCSP and CRLs. */
export interface FetchOptions {
  timeoutMs?: number
  /** Largest body accepted. */
  maxBytes?: number
  /** Allow https:// URLs (off by default: AIA/CRL/OCSP are http by design, RFC 5280 4.2.2.1). */
  allowHttps?: boolean
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
        timeout: timeoutMs
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
