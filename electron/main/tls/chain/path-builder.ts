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

function identity(c: ParsedCertificate): string {
  return `${c.subject.key}\u0000${c.spkiId}`
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
  const byName = new Map<string, { cert: ParsedCertificate; anchor: Anchor | null }[]>()
  const seenDer = new Set<string>()
  const addCandidate = (cert: ParsedCertificate, anchor: Anchor | null) => {
    if (seenDer.has(cert.sha256)) return
    seenDer.add(cert.sha256)
    const list = byName.get(cert.subject.key) ?? []
    list.push({ cert, anchor })
    byName.set(cert.subject.key, list)
  }
  for (const a of anchors) addCandidate(a.cert, a)
  for (const p of pool) addCandidate(p.cert, null)
  const anchorByIdentity = new Map<string, Anchor>()
  for (const a of anchors)
    if (!anchorByIdentity.has(identity(a.cert))) anchorByIdentity.set(identity(a.cert), a)
  const anchorBySha = new Map(anchors.map((a) => [a.cert.sha256, a]))

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
      const anchor = anchorBySha.get(cert.sha256) ?? anchorByIdentity.get(id)
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
      const cands = (byName.get(cert.issuer.key) ?? []).slice()
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

function rank(
  c: { cert: ParsedCertificate; anchor: Anchor | null },
  aki: Buffer | undefined | null
): number {
  let r = c.anchor ? 0 : 2
  if (aki && c.cert.subjectKeyId && !aki.equals(c.cert.subjectKeyId)) r += 1
  return r
}
