import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import * as tls from 'node:tls'
import type { AnchorSource } from '../../../shared/types/trust'

/** One trust anchor: DER for our engine, PEM for Node's `ca` option, and where it came from. */
export interface TrustAnchor {
  der: Buffer
  pem: string
  source: AnchorSource
  /** Subject, for listings. */
  subject: string
}

/** A CA file that could not be used; the file is named and why it failed. */
export class CaFileError extends Error {
  constructor(
    readonly file: string,
    message: string
  ) {
    super(message)
    this.name = 'CaFileError'
  }
}

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

function toAnchor(der: Buffer, source: AnchorSource): TrustAnchor {
  const x = new X509Certificate(der)
  return {
    der: Buffer.from(x.raw),
    pem: x.toString(),
    source,
    subject: x.subject.replace(/\n/g, ', ')
  }
}

/** Parses PEM (one or many certificates) or a single DER certificate; throws on anything else. */
export function parseCaBytes(bytes: Buffer, source: AnchorSource, label: string): TrustAnchor[] {
  const text = bytes.toString('latin1')
  if (text.includes('-----BEGIN')) {
    const blocks = text.match(pemBlock) ?? []
    if (blocks.length === 0) {
      throw new CaFileError(label, `${label} contains PEM data but no CERTIFICATE block.`)
    }
    return blocks.map((b, i) => {
      try {
        return toAnchor(new X509Certificate(b).raw, source)
      } catch (e) {
        throw new CaFileError(
          label,
          `Certificate #${i + 1} in ${label} is unreadable: ${(e as Error).message}`
        )
      }
    })
  }
  try {
    return [toAnchor(bytes, source)]
  } catch (e) {
    throw new CaFileError(
      label,
      `${label} is neither a PEM nor a DER certificate (${(e as Error).message}).`
    )
  }
}

/** Reads a CA file (PEM bundle or DER) with a clear error for missing or bad files. */
export async function loadCaFile(path: string, source: AnchorSource): Promise<TrustAnchor[]> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable'
          : (e as Error).message
    throw new CaFileError(path, `The CA file ${path} ${why}.`)
  }
  return parseCaBytes(bytes, source, `The CA file ${path}`)
}

/**
 * The platform's trust store: the OS store via tls.getCACertificates('system') (Node 22.15+/23.5+,
 * so Electron 45) labelled 'system', else Node's bundled Mozilla roots labelled 'bundled'.
 */
export function platformAnchors(): TrustAnchor[] {
  const getCa = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates
  let pems: string[]
  let source: AnchorSource = 'system'
  try {
    pems = getCa ? getCa('system') : []
  } catch {
    pems = []
  }
  if (pems.length === 0) {
    pems = [...tls.rootCertificates]
    source = 'bundled'
  }
  const out: TrustAnchor[] = []
  for (const pem of pems) {
    try {
      out.push(toAnchor(new X509Certificate(pem).raw, source))
    } catch {
      // An OS store can hold certificates Node cannot parse; they cannot anchor a chain anyway.
    }
  }
  return out
}

/** Where anchors come from for one check. */
export interface AnchorSet {
  /** Include the platform store (default true). */
  platform?: boolean
  /** Admin-configured CA files (enterprise policy). */
  policyFiles?: string[]
  /** Per-account extra CA files. */
  accountFiles?: string[]
  /** Per-account extra CAs already in memory (PEM or DER bytes). */
  accountCas?: Buffer[]
}

/** Loads all anchors, de-duplicated by certificate (first source wins). */
export async function loadAnchors(set: AnchorSet = {}): Promise<TrustAnchor[]> {
  const all: TrustAnchor[] = []
  if (set.platform !== false) all.push(...platformAnchors())
  for (const f of set.policyFiles ?? []) all.push(...(await loadCaFile(f, 'policy')))
  for (const f of set.accountFiles ?? []) all.push(...(await loadCaFile(f, 'account')))
  for (const [i, b] of (set.accountCas ?? []).entries()) {
    all.push(...parseCaBytes(b, 'account', `Extra CA #${i + 1}`))
  }
  const seen = new Set<string>()
  return all.filter((a) => {
    const k = a.der.toString('base64')
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
