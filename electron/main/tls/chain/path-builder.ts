import type { AnchorSource } from '../../../../shared/types/trust'
import type { ParsedCertificate } from './parse'
import type { Finding } from './reasons'
import { verifySignature } from './signature'

/** A trust anchor with where it came from. */
export interface Anchor {
  cert: ParsedCertificate
  source: AnchorSource
}

/** A non-anchor certificate the builder may use, with its provenance. */
export interface PoolCert {
  cert: ParsedCertificate
  /** Index in the chain as sent, or null when fetched. */
  sentIndex: number | null
  /** AIA URL it was downloaded from, or null when sent. */
  fetchedFrom: string | null
}

/** Hard limits on path building, so hostile chains cannot hang the client. */
export interface BuildLimits {
  /** Maximum certificates in a path, leaf and anchor included. */
  maxDepth: number
  /** Maximum issuer candidates examined over the whole search. */
  maxSteps: number
}

/** Default limits: deeper than any real chain, small enough to finish in milliseconds. */
export const defaultLimits: BuildLimits = { maxDepth: 12, maxSteps: 2000 }

/** One complete or partial path the builder considered. */
export interface CandidatePath {
  path: ParsedCertificate[]
  anchor: Anchor | null
  findings: Finding[]
}

/** What the search found. */
export interface BuildOutcome {
  /** First path ending at an anchor with no error findings. */
  valid: CandidatePath | null
  /** Best rejected path: anchored with fewest errors, else the longest partial one. */
  best: CandidatePath | null
  /** Certificates at which paths stopped without an issuer (for AIA and wording). */
  deadEnds: ParsedCertificate[]
  /** Issuer candidates rejected because their signature did not verify. */
  badSignatures: { cert: ParsedCertificate; issuer: ParsedCertificate; why: string }[]
  /** The step or depth budget ran out. */
  exhausted: boolean
  depthExceeded: boolean
}

/** Validates one candidate path; supplied by the evaluator. */
export type PathValidator = (path: ParsedCertificate[], anchor: Anchor) => Finding[]

const identities = new WeakMap<ParsedCertificate, string>()

/** Subject + key: one certificate identity whatever its serial or validity. */
function identity(c: ParsedCertificate): string {
  let id = identities.get(c)
  if (id === undefined) {
    id = `${c.subject.key}\u0000${c.spkiId}`
    identities.set(c, id)
  }
  return id
}

/** A candidate issuer: an anchor, or a certificate from the pool (anchor null). */
interface Candidate {
  cert: ParsedCertificate
  anchor: Anchor | null
}

/** The anchors looked up by subject name, identity and SHA-256. */
interface AnchorIndex {
  anchors: readonly Anchor[]
  byName: Map<string, Candidate[]>
  byIdentity: Map<string, Anchor>
  bySha: Map<string, Anchor>
}

/**
 * The last index built per first anchor certificate. Every check of a process hands in the same
 * anchors (the platform store and the CA files, ~150 certificates, parsed once and frozen) in new
 * wrapper objects; indexing them again for each path search cost more than the search itself.
 */
const anchorIndexes = new WeakMap<ParsedCertificate, AnchorIndex>()

function sameAnchors(a: readonly Anchor[], b: readonly Anchor[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.cert !== b[i]!.cert || a[i]!.source !== b[i]!.source) return false
  }
  return true
}

function anchorIndex(anchors: readonly Anchor[]): AnchorIndex {
  const first = anchors[0]?.cert
  const cached = first ? anchorIndexes.get(first) : undefined
  if (cached && sameAnchors(cached.anchors, anchors)) return cached
  const index: AnchorIndex = {
    anchors: anchors.map((a) => ({ cert: a.cert, source: a.source })),
    byName: new Map(),
    byIdentity: new Map(),
    bySha: new Map()
  }
  const listed = new Set<string>()
  for (const a of index.anchors) {
    // As before the index: a repeated certificate is listed once, and found by hash as its last.
    index.bySha.set(a.cert.sha256, a)
    if (listed.has(a.cert.sha256)) continue
    listed.add(a.cert.sha256)
    const list = index.byName.get(a.cert.subject.key) ?? []
    list.push({ cert: a.cert, anchor: a })
    index.byName.set(a.cert.subject.key, list)
    if (!index.byIdentity.has(identity(a.cert))) index.byIdentity.set(identity(a.cert), a)
  }
  if (first) anchorIndexes.set(first, index)
  return index
}

function errorCount(f: Finding[]): number {
  let n = 0
  for (const x of f) if (x.severity === 'error') n++
  return n
}

/**
 * Depth-first path building from the leaf (RFC 4158), backtracking over every candidate issuer.
 *
 * Candidates are matched by subject/issuer name, ordered anchors first and then by AKI/SKI
 * agreement, and verified by signature before descending. A certificate identity (subject + key)
 * never appears twice in one path, which breaks cycles; depth and step budgets bound the work.
 */
export function buildPath(
  leaf: ParsedCertificate,
  pool: PoolCert[],
  anchors: Anchor[],
  validate: PathValidator,
  limits: BuildLimits = defaultLimits
): BuildOutcome {
  const out: BuildOutcome = {
    valid: null,
    best: null,
    deadEnds: [],
    badSignatures: [],
    exhausted: false,
    depthExceeded: false
  }
  const index = anchorIndex(anchors)
  // Pool certificates by subject name; one that is also an anchor is only used as the anchor.
  const poolByName = new Map<string, Candidate[]>()
  const seenPool = new Set<string>()
  for (const p of pool) {
    if (index.bySha.has(p.cert.sha256) || seenPool.has(p.cert.sha256)) continue
    seenPool.add(p.cert.sha256)
    const list = poolByName.get(p.cert.subject.key) ?? []
    list.push({ cert: p.cert, anchor: null })
    poolByName.set(p.cert.subject.key, list)
  }
  const candidatesFor = (name: string): Candidate[] => [
    ...(index.byName.get(name) ?? []),
    ...(poolByName.get(name) ?? [])
  ]

  let steps = 0
  const path: ParsedCertificate[] = []
  const inPath = new Set<string>()

  const consider = (cand: CandidatePath, anchored: boolean) => {
    const b = out.best
    if (!b) {
      out.best = cand
      return
    }
    const bAnch = b.anchor !== null
    if (anchored !== bAnch) {
      if (anchored) out.best = cand
      return
    }
    if (anchored) {
      if (errorCount(cand.findings) < errorCount(b.findings)) out.best = cand
    } else if (cand.path.length > b.path.length) out.best = cand
  }

  const visit = (cert: ParsedCertificate): boolean => {
    path.push(cert)
    const id = identity(cert)
    inPath.add(id)
    try {
      const anchor = index.bySha.get(cert.sha256) ?? index.byIdentity.get(id)
      if (anchor) {
        const p = path.slice(0, -1).concat(anchor.cert)
        const findings = validate(p, anchor)
        const cand = { path: p, anchor, findings }
        if (errorCount(findings) === 0) {
          out.valid = cand
          return true
        }
        consider(cand, true)
        // A path that reached an anchor is complete; a longer one through the same cert is pointless.
        return false
      }
      if (path.length >= limits.maxDepth) {
        out.depthExceeded = true
        consider({ path: path.slice(), anchor: null, findings: [] }, false)
        return false
      }
      const cands = candidatesFor(cert.issuer.key)
      const aki = cert.authorityKeyId?.keyId
      cands.sort((x, y) => rank(x, aki) - rank(y, aki))
      let descended = false
      for (const c of cands) {
        if (inPath.has(identity(c.cert))) continue
        if (++steps > limits.maxSteps) {
          out.exhausted = true
          return false
        }
        const bad = verifySignature(cert, c.cert)
        if (bad) {
          out.badSignatures.push({ cert, issuer: c.cert, why: bad })
          continue
        }
        descended = true
        if (visit(c.cert)) return true
        if (out.exhausted) return false
      }
      if (!descended) {
        out.deadEnds.push(cert)
        consider({ path: path.slice(), anchor: null, findings: [] }, false)
      }
      return false
    } finally {
      path.pop()
      inPath.delete(id)
    }
  }
  visit(leaf)
  return out
}

function rank(c: Candidate, aki: Buffer | undefined | null): number {
  let r = c.anchor ? 0 : 2
  if (aki && c.cert.subjectKeyId && !aki.equals(c.cert.subjectKeyId)) r += 1
  return r
}
