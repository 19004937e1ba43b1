import { createHash, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import * as tls from 'node:tls'
import type { AnchorSource } from '../../../shared/types/trust'
import type { AnchorInput } from './chain/evaluate'
import { markStage } from '../stage-trace'
import { parseCertificate, type ParsedCertificate } from './chain/parse'

/**
 * One trust anchor: DER for our engine, PEM for Node's `ca` option, and where it came from.
 *
 * Anchors are cached and shared by every check in the process, so they are frozen; their DER
 * buffer is shared too and must never be written to.
 */
export interface TrustAnchor {
  readonly der: Buffer
  readonly pem: string
  readonly source: AnchorSource
  /** Subject, for listings. */
  readonly subject: string
  /** SHA-256 of der (hex), the anchor's identity. */
  readonly sha256: string
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

const sha256Hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

function toAnchor(der: Buffer, source: AnchorSource): TrustAnchor {
  const x = new X509Certificate(der)
  const raw = Buffer.from(x.raw)
  return Object.freeze({
    der: raw,
    pem: x.toString(),
    source,
    subject: x.subject.replace(/\n/g, ', '),
    sha256: sha256Hex(raw)
  })
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

/** Parsed CA files and in-memory CAs by source and content hash; bounded (oldest dropped). */
const parsedBytes = new Map<string, readonly TrustAnchor[]>()
const maxParsedBytes = 64

function parseCaBytesCached(
  bytes: Buffer,
  source: AnchorSource,
  label: string
): readonly TrustAnchor[] {
  // Keyed by content, so an edited file is parsed again on the next check; errors are not cached.
  const key = `${source}:${sha256Hex(bytes)}`
  const hit = parsedBytes.get(key)
  if (hit) return hit
  const anchors = Object.freeze(parseCaBytes(bytes, source, label))
  if (parsedBytes.size >= maxParsedBytes) parsedBytes.delete(parsedBytes.keys().next().value!)
  parsedBytes.set(key, anchors)
  return anchors
}

/**
 * Reads a CA file (PEM bundle or DER) with a clear error for missing or bad files.
 *
 * The file is read on every call and parsed again only when its content changed, so an
 * administrator's edit takes effect on the next connection without re-parsing an unchanged file.
 */
export async function loadCaFile(
  path: string,
  source: AnchorSource
): Promise<readonly TrustAnchor[]> {
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
  return parseCaBytesCached(bytes, source, `The CA file ${path}`)
}

function platformPems(): { pems: readonly string[]; source: AnchorSource } {
  const getCa = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates
  let pems: readonly string[]
  try {
    pems = getCa ? getCa('system') : []
  } catch {
    pems = []
  }
  return pems.length > 0
    ? { pems, source: 'system' }
    : { pems: tls.rootCertificates, source: 'bundled' }
}

function platformAnchor(pem: string, source: AnchorSource): TrustAnchor | null {
  try {
    return toAnchor(new X509Certificate(pem).raw, source)
  } catch {
    // An OS store can hold certificates Node cannot parse; they cannot anchor a chain anyway.
    return null
  }
}

/**
 * The platform's trust store: the OS store via tls.getCACertificates('system') (Node 22.15+/23.5+,
 * so Electron 45) labelled 'system', else Node's bundled Mozilla roots labelled 'bundled'.
 */
export function platformAnchors(): TrustAnchor[] {
  const { pems, source } = platformPems()
  return pems.map((p) => platformAnchor(p, source)).filter((a): a is TrustAnchor => a !== null)
}

/** Certificates parsed per turn of the event loop while the platform store loads. */
const platformBatch = 16

let platformLoad: Promise<readonly TrustAnchor[]> | null = null

/**
 * The platform store, read and parsed once per process (≈ 40 ms for 144 certificates) and shared.
 *
 * Node itself reads the OS store once per process (tls.getCACertificates caches it), so a CA the
 * user installs later reaches TrustLine at its next start either way. Parsing yields to the event
 * loop every few certificates so a load kicked off at start-up does not stall IPC.
 */
export function loadPlatformAnchors(): Promise<readonly TrustAnchor[]> {
  platformLoad ??= (async () => {
    const { pems, source } = platformPems()
    const out: TrustAnchor[] = []
    for (let i = 0; i < pems.length; i += platformBatch) {
      if (i > 0) await new Promise((r) => setImmediate(r))
      for (const pem of pems.slice(i, i + platformBatch)) {
        const a = platformAnchor(pem, source)
        if (a) out.push(a)
      }
    }
    return Object.freeze(out)
  })().catch((e: unknown) => {
    platformLoad = null
    throw e
  })
  return platformLoad
}

/** Where anchors come from for one check. */
export interface AnchorSet {
  /** Include the platform store (default true). */
  platform?: boolean
  /** Admin-configured CA files (enterprise policy). */
  policyFiles?: readonly string[]
  /** Per-account extra CA files. */
  accountFiles?: readonly string[]
  /** Per-account extra CAs already in memory (PEM or DER bytes). */
  accountCas?: readonly Buffer[]
}

/** One resolved anchor set, shared by every check that resolves to the same anchors. */
export interface AnchorBundle {
  /** De-duplicated by certificate (first source wins), frozen. */
  readonly anchors: readonly TrustAnchor[]
  /** The anchors' PEMs, for Node's `ca`. */
  readonly pems: readonly string[]
  /** The anchors as the chain engine takes them, already parsed (no re-hashing per check). */
  readonly engine: readonly AnchorInput[]
  /** Identity of the set (every anchor and its source): changes whenever the anchors do. */
  readonly key: string
}

const bundles = new Map<string, AnchorBundle>()
const maxBundles = 8

/**
 * The bundle last resolved from exactly these parts (the platform store and each CA file's parse
 * are shared frozen arrays, the same object as long as the content is the same), so a check with
 * unchanged anchors skips de-duplicating and hashing the whole set again.
 */
const bundleByParts: { parts: readonly (readonly TrustAnchor[])[]; bundle: AnchorBundle }[] = []

function sameParts(
  a: readonly (readonly TrustAnchor[])[],
  b: readonly (readonly TrustAnchor[])[]
): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i])
}

/** Deep-freezes a parsed certificate's plain objects and arrays (byte buffers stay shared). */
function freezeParsed<T>(value: T): T {
  if (
    value === null ||
    typeof value !== 'object' ||
    Object.isFrozen(value) ||
    ArrayBuffer.isView(value) ||
    value instanceof Date ||
    value instanceof Set ||
    value instanceof Map
  ) {
    return value
  }
  Object.freeze(value)
  for (const v of Object.values(value)) freezeParsed(v)
  return value
}

function engineAnchor(a: TrustAnchor): AnchorInput {
  const p = parseCertificate(a.der)
  const cert: ParsedCertificate | null = p.ok ? freezeParsed(p.cert) : null
  return Object.freeze(cert ? { cert, source: a.source } : { der: a.der, source: a.source })
}

/**
 * Resolves an anchor set: the platform store once per process, CA files re-read each time and
 * parsed again only when their content changed, the bundle itself memoised by its content.
 */
export async function loadAnchorBundle(set: AnchorSet = {}): Promise<AnchorBundle> {
  const parts: (readonly TrustAnchor[])[] = []
  if (set.platform !== false) parts.push(await loadPlatformAnchors())
  for (const f of set.policyFiles ?? []) parts.push(await loadCaFile(f, 'policy'))
  for (const f of set.accountFiles ?? []) parts.push(await loadCaFile(f, 'account'))
  for (const [i, b] of (set.accountCas ?? []).entries()) {
    parts.push(parseCaBytesCached(b, 'account', `Extra CA #${i + 1}`))
  }
  const known = bundleByParts.find((e) => sameParts(e.parts, parts))
  if (known) {
    markStage('anchors-loaded')
    return known.bundle
  }
  const bundle = bundleOf(parts)
  bundleByParts.unshift({ parts, bundle })
  if (bundleByParts.length > maxBundles) bundleByParts.pop()
  markStage('anchors-loaded', 'resolved')
  return bundle
}

/** The bundle of these anchors, de-duplicated, memoised by content. */
function bundleOf(parts: readonly (readonly TrustAnchor[])[]): AnchorBundle {
  const seen = new Set<string>()
  const anchors: TrustAnchor[] = []
  for (const a of parts.flat()) {
    if (seen.has(a.sha256)) continue
    seen.add(a.sha256)
    anchors.push(a)
  }
  const key = sha256Hex(anchors.map((a) => `${a.source}:${a.sha256}`).join(','))
  const hit = bundles.get(key)
  if (hit) {
    bundles.delete(key)
    bundles.set(key, hit)
    return hit
  }
  const bundle: AnchorBundle = Object.freeze({
    anchors: Object.freeze(anchors),
    pems: Object.freeze(anchors.map((a) => a.pem)),
    engine: Object.freeze(anchors.map(engineAnchor)),
    key
  })
  if (bundles.size >= maxBundles) bundles.delete(bundles.keys().next().value!)
  bundles.set(key, bundle)
  return bundle
}

/** Loads all anchors, de-duplicated by certificate (first source wins). */
export async function loadAnchors(set: AnchorSet = {}): Promise<readonly TrustAnchor[]> {
  return (await loadAnchorBundle(set)).anchors
}

/**
 * Warms the anchor caches for `set` on a later turn of the event loop, so the first sign-in does
 * not pay for parsing the OS store. Never rejects: a bad CA file is reported by the check itself.
 */
export function preloadAnchors(set: AnchorSet = {}): Promise<AnchorBundle | null> {
  return new Promise<void>((r) => setImmediate(r))
    .then(() => loadAnchorBundle(set))
    .catch(() => null)
}

/** Forgets every parsed anchor (tests; the OS store is only re-read if Node re-reads it). */
export function clearAnchorCaches(): void {
  platformLoad = null
  parsedBytes.clear()
  bundles.clear()
  bundleByParts.length = 0
}
