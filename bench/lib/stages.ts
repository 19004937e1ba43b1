// Turns one sign-in's stage trace (electron/main/stage-trace.ts) into the stage breakdown the
// bench prints: consecutive intervals between named points, so the stages add up to the whole.
import type { AttemptTrace, StageMark } from '../../electron/main/stage-trace'
import { fmtMs, summarize } from './stats'

/** One stage of a sign-in: from one point to the next, ms (NaN when a point is missing). */
export interface Stage {
  name: string
  ms: number
}

/** A point by name; `sip-out#2` is the second `sip-out` mark. */
type Point = string

/**
 * The stages in order, each from the first point to the second. The points are made by the core
 * (see markStage calls); the revocation lookup overlaps evaluation and is reported beside them.
 */
const sequence: [name: string, from: Point, to: Point][] = [
  ['account (policy, profile opened, connection configured)', 'sign-in', 'account-ready'],
  ['discovery (DNS; none for an IP address)', 'account-ready', 'discovered'],
  ['anchors + TLS context (cached)', 'discovered', 'tcp-connect'],
  ['TCP connect', 'tcp-connect', 'tcp-connected'],
  ["TLS handshake (OpenSSL's verdict = Node cross-check)", 'tcp-connected', 'tls-handshake-done'],
  ['chain capture (sent chain from the handshake)', 'tls-handshake-done', 'chain-captured'],
  ['connect finish', 'chain-captured', 'connected'],
  ['revocation lookup started (early OCSP)', 'connected', 'evaluation-start'],
  ['evaluation (path, checks, revocation answer)', 'evaluation-start', 'evaluation-done'],
  ['exceptions, report, Node agreement', 'evaluation-done', 'verdict'],
  ['hand-over to SIP (report event, session)', 'verdict', 'sip-socket'],
  ['JsSIP UA construction', 'sip-socket', 'ua-start'],
  ['JsSIP transport connect', 'ua-start', 'sip-connected'],
  ['first REGISTER built and written', 'sip-connected', 'sip-out#1'],
  ['REGISTER → 401 (server round trip)', 'sip-out#1', 'sip-in#1'],
  ['401 → REGISTER with credentials (JsSIP)', 'sip-in#1', 'sip-out#2'],
  ['REGISTER → 200 (server round trip)', 'sip-out#2', 'sip-in#2'],
  ['200 → "registered" reported', 'sip-in#2', 'state:registered']
]

const revocationStage = 'revocation lookup (overlaps the stages above)'

/** Stage names in print order (the revocation lookup last, as it overlaps). */
export const stageNames = [...sequence.map(([name]) => name), revocationStage]

function find(marks: readonly StageMark[], point: Point): StageMark | undefined {
  const [stage, nth] = point.split('#')
  let seen = 0
  for (const m of marks) {
    if (m.stage !== stage) continue
    if (++seen === Number(nth ?? 1)) return m
  }
  return undefined
}

/** ms from one point of a trace to another (`sip-out#2`: the second one); NaN if either is missing. */
export function between(trace: AttemptTrace, from: Point, to: Point): number {
  const a = find(trace.marks, from)
  const b = find(trace.marks, to)
  return a && b ? b.at - a.at : Number.NaN
}

/** The stages of one trace; the revocation lookup is its own (overlapping) interval. */
export function stagesOf(trace: AttemptTrace): Stage[] {
  return [
    ...sequence.map(([name, from, to]) => ({ name, ms: between(trace, from, to) })),
    { name: revocationStage, ms: between(trace, 'revocation-start', 'revocation-done') }
  ]
}

/** sign-in → registered reported, from the trace. */
export function traceTotal(trace: AttemptTrace): number {
  return between(trace, 'sign-in', 'state:registered')
}

/** How the revocation lookup was answered in this trace ("ocsp good (cached)"). */
export function revocationDetail(trace: AttemptTrace): string {
  return find(trace.marks, 'revocation-done')?.detail ?? 'not checked'
}

/** Each stage's median over the traces where both its points were made (NaN in none). */
export function medianStages(all: readonly AttemptTrace[]): Stage[] {
  const perStage = all.map(stagesOf)
  return stageNames.map((name, i) => ({
    name,
    ms: summarize(perStage.map((s) => s[i]!.ms).filter(Number.isFinite)).median
  }))
}

/** The stage table: one trace's stages beside the per-stage median over all rounds. */
export function formatStages(
  title: string,
  one: AttemptTrace,
  all: readonly AttemptTrace[]
): string {
  const oneStages = stagesOf(one)
  const medians = medianStages(all)
  const w = Math.max(...stageNames.map((n) => n.length))
  const lines = [
    `${title}: ${fmtMs(traceTotal(one))} sign-in → registered (${one.attempt}; revocation: ${revocationDetail(one)})`,
    `  ${'stage'.padEnd(w)}  ${'this trace'.padStart(10)}  ${'median of all'.padStart(13)}`
  ]
  oneStages.forEach((s, i) => {
    lines.push(
      `  ${s.name.padEnd(w)}  ${fmtMs(s.ms).padStart(10)}  ${fmtMs(medians[i]!.ms).padStart(13)}`
    )
  })
  return lines.join('\n')
}
