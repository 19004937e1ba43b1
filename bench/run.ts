// `npm run bench`: one lab for the whole run, every figure next to its baseline measured in the
// same run, median and p95 over repeated rounds, a summary table, bench/results/latest.json.
//   npm run bench [-- --quick] [-- --no-browser] [-- --no-limbo] [-- --only=signin,storm,...]
// Sections for --only: signin, trust, im, storm, browser, bundle, memory, storage, federation.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { startLab, type Lab } from '../tests/lab/lab'
import { benchFederation, type FederationBenchResult } from './federation'
import { measureBundle, measureCoreMemory, type BundleResult, type MemoryResult } from './footprint'
import { benchIm, type ImResult } from './im'
import {
  benchBrowserStorm,
  benchCoreStorm,
  freshServer,
  type BrowserStormResult,
  type CoreStormResult
} from './presence'
import { benchSignIn, type SignInResult } from './sign-in'
import { formatStages } from './lib/stages'
import { fmtMs, type Summary, type SummaryRow as Row } from './lib/stats'
import { benchStorage, type StorageResult } from './storage'
import { benchTrust, type TrustResult } from './trust'

const HERE = dirname(fileURLToPath(import.meta.url))
const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')
const onlyArg = [...args].find((a) => a.startsWith('--only='))
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null
/** Whether a section runs: all of them unless --only names some. */
const wanted = (name: string) => only === null || only.has(name)
const CONTACTS = 1000

interface Results {
  startedAt: string
  machine: { cpus: number; model: string; node: string }
  quick: boolean
  seconds: number
  signIn?: SignInResult | { error: string }
  trust?: TrustResult | { error: string }
  im?: ImResult | { error: string }
  presenceCore?: CoreStormResult | { error: string }
  presenceCoreUnpaced?: CoreStormResult | { error: string }
  build?: BuildResult | { error: string }
  presenceBrowser?: BrowserStormResult | { error: string }
  bundle?: BundleResult | { error: string }
  memory?: MemoryResult | { error: string }
  storage?: StorageResult | { error: string }
  federation?: FederationBenchResult | { error: string }
  summary?: Row[]
}

async function section<T>(name: string, fn: () => Promise<T>): Promise<T | { error: string }> {
  const t0 = performance.now()
  process.stdout.write(`\n▶ ${name}…\n`)
  try {
    const r = await fn()
    process.stdout.write(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`)
    return r
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e)
    process.stdout.write(`  FAILED: ${error}\n`)
    return { error }
  }
}

const ok = <T extends object>(r: T | { error: string } | undefined): r is T =>
  r !== undefined && typeof (r as { error?: unknown }).error !== 'string'

interface BuildResult {
  ok: boolean
  seconds: number
  output: string
}

function build(): Promise<BuildResult> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['node_modules/electron-vite/bin/electron-vite.js', 'build'],
      { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({
          ok: !err,
          seconds: (performance.now() - t0) / 1000,
          output: (err ? `${err.message}\n${stderr}` : stdout).split('\n').slice(-8).join('\n')
        })
    )
  })
}

const ms = (s: Summary) => `${fmtMs(s.median)} / ${fmtMs(s.p95)}`
const x = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : 'n/a')
const verdict = (pass: boolean): Row['verdict'] => (pass ? 'met' : 'MISSED')

function summarizeAll(r: Results): Row[] {
  const rows: Row[] = []
  if (ok(r.signIn)) {
    const s = r.signIn
    const fa = s.floorA
    const fb = s.floorB
    const b = s.baresipRegistered
    const paired = (p: Summary) =>
      Number.isFinite(p.median) ? ` (paired ${p.median.toFixed(2)}x)` : ''
    rows.push({
      figure: '1 floor (a): bare Node TLS handshake, same anchors, no SNI',
      value: ms(fa.total),
      baseline: `CPU ${fmtMs(fa.cpu.median)}`,
      ratio: '',
      target: '',
      verdict: 'info'
    })
    rows.push({
      figure: '1 floor (b): (a) + REGISTER/401/REGISTER/200 by hand',
      value: ms(fb.total),
      baseline: `of which SIP ${fmtMs(fb.register.median)}; CPU ${fmtMs(fb.cpu.median)}`,
      ratio: '',
      target: '',
      verdict: 'info'
    })
    rows.push({
      figure: '1 baresip REGISTER (uanew → REGISTER_OK, fresh process)',
      value: ms(b),
      baseline: 'verifies no certificate',
      ratio: '',
      target: '',
      verdict: 'info'
    })
    for (const [label, v, floorTarget] of [
      ['new core', s.cold, 1.3],
      ['same core again (warm)', s.warm, 1.2]
    ] as const) {
      rows.push({
        figure: `1 registered, ${label}: vs floor (b)`,
        value: ms(v.registered),
        baseline: `floor (b) ${ms(fb.total)}`,
        ratio: x(v.registered.median, fb.total.median) + paired(v.pairedVsFloorB),
        target: `<= ${floorTarget}x`,
        verdict: verdict(v.registered.median <= floorTarget * fb.total.median)
      })
      rows.push({
        figure: `1 registered, ${label}: vs baresip`,
        value: ms(v.registered),
        baseline: `baresip ${ms(b)}`,
        ratio: x(v.registered.median, b.median) + paired(v.pairedVsBaresip),
        target: '<= 1.5x',
        verdict: verdict(v.registered.median <= 1.5 * b.median)
      })
      rows.push({
        figure: `1 registered, ${label}: p95 / median`,
        value: `${fmtMs(v.registered.p95)} / ${fmtMs(v.registered.median)}`,
        baseline: '',
        ratio: x(v.registered.p95, v.registered.median),
        target: '<= 2x',
        verdict: verdict(v.registered.p95 <= 2 * v.registered.median)
      })
      rows.push({
        figure: `1 … ${label}: CPU per sign-in (this process), vs floor (b)`,
        value: fmtMs(v.cpu.median),
        baseline: `floor (b) ${fmtMs(fb.cpu.median)}`,
        ratio: x(v.cpu.median, fb.cpu.median),
        target: '',
        verdict: 'info'
      })
    }
    rows.push({
      figure: '1 … new core: connect + trust verdict (incl. OCSP)',
      value: ms(s.cold.connectTrust),
      baseline: `floor (a) ${ms(fa.total)}`,
      ratio: x(s.cold.connectTrust.median, fa.total.median),
      target: '',
      verdict: 'info'
    })
    rows.push({
      figure: '1 … new core: REGISTER, 401, REGISTER, 200 (JsSIP)',
      value: ms(s.cold.register),
      baseline: `floor (b) by hand ${ms(fb.register)}`,
      ratio: x(s.cold.register.median, fb.register.median),
      target: '',
      verdict: 'info'
    })
    rows.push({
      figure: '1 … new core: sign-in call answered (PUBLISH, first SUBSCRIBEs sent)',
      value: ms(s.cold.answered),
      baseline: '',
      ratio: '',
      target: '',
      verdict: 'info'
    })
    rows.push({
      figure: `1 sign-in, new core, until ${s.contacts} SUBSCRIBEs active`,
      value: ms(s.cold.signedIn),
      baseline: s.baresipSubscribed
        ? `baresip ${ms(s.baresipSubscribed)} (1 s timer)`
        : `baresip: ${s.baresipSubscribedError ?? 'n/a'}`,
      ratio: s.baresipSubscribed ? x(s.cold.signedIn.median, s.baresipSubscribed.median) : 'n/a',
      target: '',
      // Not a verdict: baresip's presence module starts its first SUBSCRIBE on a fixed 1 s
      // timer (modules/presence/subscriber.c), so this mostly measures that timer.
      verdict: 'info'
    })
    if (s.coldNoOcspNoPlatform) {
      rows.push({
        figure: '1 new core, OCSP off + no OS store, registered',
        value: ms(s.coldNoOcspNoPlatform.registered),
        baseline: `floor (b) ${ms(fb.total)}`,
        ratio: x(s.coldNoOcspNoPlatform.registered.median, fb.total.median),
        target: 'diagnostic',
        verdict: 'info'
      })
    }
  }
  if (ok(r.trust)) {
    const t = r.trust
    const speedup = t.opensslVerify.median / t.evaluate.median
    rows.push({
      figure: '2 evaluateChain, 3-cert chain (med / p95)',
      value: ms(t.evaluate),
      baseline: `openssl verify ${ms(t.opensslVerify)}`,
      ratio: `${speedup.toFixed(0)}x faster`,
      target: '<= 1 ms, >= 10x',
      verdict: verdict(t.evaluate.median <= 1 && speedup >= 10)
    })
    if (t.limbo) {
      const l = t.limbo
      const scored = l.agree !== null && l.total !== null && l.falseAccept !== null
      rows.push({
        figure: scored
          ? `2 x509-limbo full run (${l.agree}/${l.total} agree, ${l.falseAccept} false accepts)`
          : `2 x509-limbo full run (not scored: ${l.output.split('\n')[0]})`,
        value: Number.isFinite(l.seconds) ? `${l.seconds.toFixed(1)} s` : 'n/a',
        baseline: '',
        ratio: '',
        target: '< 30 s, no false accept',
        verdict: verdict(scored && l.falseAccept === 0 && l.seconds < 30)
      })
    }
  }
  if (ok(r.im)) {
    const i = r.im
    rows.push({
      figure: '3 MESSAGE round trip, core → core (p50 / p95)',
      value: ms(i.roundTrip),
      baseline: '',
      ratio: '',
      target: '',
      verdict: 'info'
    })
    const b = i.burst
    rows.push({
      figure: `3 burst of ${b.messages}: all accepted / all received`,
      value: `${fmtMs(b.allAcceptedMs)} / ${fmtMs(b.allReceivedMs)}`,
      baseline: '',
      ratio: '',
      target: 'order kept, none lost',
      verdict: verdict(
        b.accepted === b.messages && b.inOrderEvents && b.inOrderHistory && b.failed === 0
      )
    })
  }
  for (const [label, p] of [
    ['paced (product default)', r.presenceCore],
    ['unpaced, all at once (before)', r.presenceCoreUnpaced]
  ] as const) {
    if (!ok(p)) continue
    rows.push({
      figure: `4 core: ${p.contacts} NOTIFYs first→last, ${label}`,
      value: p.failure
        ? `${p.available} of ${p.contacts} (${fmtMs(p.notifyWindowMs)})`
        : fmtMs(p.notifyWindowMs),
      baseline: `sign-in→all ${fmtMs(p.allAvailableMs)}`,
      ratio: `stall ${fmtMs(p.loopMaxMs)}, ${p.duplicateBranches} dup. branch(es)`,
      target: '<= 1 s, stall <= 50 ms',
      verdict: verdict(!p.failure && p.notifyWindowMs <= 1000 && p.loopMaxMs <= 50)
    })
    rows.push({
      figure: `4 … ${label}: core's lag per NOTIFY, read → shown (p50 / p95 / max)`,
      value: `${fmtMs(p.lag.p50)} / ${fmtMs(p.lag.p95)} / ${fmtMs(p.lag.max)}`,
      baseline: `server sent them over ${fmtMs(p.deliveryWindowMs)}`,
      ratio: '',
      target: '',
      verdict: 'info'
    })
  }
  if (ok(r.presenceBrowser)) {
    const p = r.presenceBrowser
    rows.push({
      figure: `4 Chromium: ${p.contacts} contacts shown, first→all`,
      value: p.failure
        ? `${p.shown} of ${p.contacts} (${fmtMs(p.renderWindowMs)})`
        : fmtMs(p.renderWindowMs),
      baseline: `sign-in→all ${fmtMs(p.allShownMs)}`,
      ratio: '',
      target: '<= 1 s',
      verdict: verdict(!p.failure && p.renderWindowMs <= 1000)
    })
    rows.push({
      figure: `4 Chromium: all shown after the core's last event`,
      value: fmtMs(p.shownAfterLastEventMs),
      baseline: `core's first → last event ${fmtMs(p.coreWindowMs)}`,
      ratio: '',
      target: '<= 200 ms',
      verdict: verdict(!p.failure && p.shownAfterLastEventMs <= 200)
    })
    rows.push({
      figure: `4 Chromium: core event → row shown, per contact (p50 / p95 / max)`,
      value: `${fmtMs(p.lag.p50)} / ${fmtMs(p.lag.p95)} / ${fmtMs(p.lag.max)}`,
      baseline: `${p.lag.contacts} contacts, through the browser host`,
      ratio: '',
      target: '',
      verdict: 'info'
    })
    rows.push({
      figure: `4 Chromium: longest frame (${p.frameEntryType}), frames > 50 ms`,
      value: `${fmtMs(p.longestFrameMs)}, ${p.longFrames}`,
      baseline: '',
      ratio: '',
      target: '<= 50 ms',
      verdict: verdict(p.longestFrameMs <= 50)
    })
  }
  if (ok(r.bundle)) {
    rows.push({
      figure: `5 renderer JS gzip -9 (${r.bundle.files.length} file(s))`,
      value: `${(r.bundle.totalGzipBytes / 1024).toFixed(1)} KB`,
      baseline: `raw ${(r.bundle.totalBytes / 1024).toFixed(0)} KB`,
      ratio: '',
      target: '<= 200 KB',
      verdict: verdict(r.bundle.totalGzipBytes <= 200 * 1024)
    })
  }
  if (ok(r.memory) && r.memory.full && r.memory.empty) {
    const m = r.memory
    const full = r.memory.full
    rows.push({
      figure: `5 core RSS after the storm, ${full.contacts} contacts + ${full.messages} messages`,
      value: `${full.rssMb.toFixed(0)} MB (peak ${full.peakRssMb.toFixed(0)}, heap used ${full.heapUsedMb.toFixed(0)})`,
      baseline: `empty core ${r.memory.empty.rssMb.toFixed(0)} MB`,
      ratio: `+${(full.rssMb - r.memory.empty.rssMb).toFixed(0)} MB`,
      target: '<= 150 MB',
      verdict: verdict(full.rssMb <= 150)
    })
    if (full.idleRssMb !== null) {
      rows.push({
        figure: `5 … the same after ${(full.idleMs / 1000).toFixed(0)} s signed in and idle`,
        value: `${full.idleRssMb.toFixed(0)} MB`,
        baseline: `after the storm ${full.rssMb.toFixed(0)} MB`,
        ratio: '',
        target: '<= 150 MB',
        verdict: verdict(full.idleRssMb <= 150)
      })
    }
    if (m.fullUnpaced) {
      rows.push({
        figure: '5 … the same, every SUBSCRIBE at once (before pacing)',
        value: `${m.fullUnpaced.rssMb.toFixed(0)} MB (peak ${m.fullUnpaced.peakRssMb.toFixed(0)}, heap used ${m.fullUnpaced.heapUsedMb.toFixed(0)})`,
        baseline: '',
        ratio: '',
        target: '',
        verdict: 'info'
      })
    }
  }
  if (ok(r.storage)) {
    const s = r.storage
    const h = s.history
    const w = s.wholeFile
    rows.push({
      figure: `6 open a ${s.historyMb} MB history: newest 200 (time, longest block)`,
      value: `${fmtMs(h.openMs)}, block ${fmtMs(h.openMaxBlockMs)}`,
      baseline: `read whole, as before: ${fmtMs(w.openMs)}, block ${fmtMs(w.openMaxBlockMs)}`,
      ratio: x(w.openMs, h.openMs),
      target: 'no block > 50 ms',
      verdict: verdict(h.openMaxBlockMs <= 50 && h.messages === 200)
    })
    rows.push({
      figure: '6 … next 200 older / list conversations / open again',
      value: `${fmtMs(h.olderPageMs)} / ${fmtMs(h.summariesMs)} / ${fmtMs(h.secondStartMs)}`,
      baseline: `longest block ${fmtMs(Math.max(h.olderPageMaxBlockMs, h.secondStartMaxBlockMs))}`,
      ratio: '',
      target: 'no block > 50 ms',
      verdict: verdict(Math.max(h.olderPageMaxBlockMs, h.secondStartMaxBlockMs) <= 50)
    })
    rows.push({
      figure: `6 … RSS after opening (${s.historyMb} MB history)`,
      value: `${h.rssMb.toFixed(0)} MB (peak ${h.peakRssMb.toFixed(0)})`,
      baseline: `read whole: ${w.rssMb.toFixed(0)} MB (peak ${w.peakRssMb.toFixed(0)})`,
      ratio: `+${(h.peakRssMb - h.rssBeforeMb).toFixed(0)} MB vs +${(w.peakRssMb - w.rssBeforeMb).toFixed(0)} MB`,
      target: 'bounded',
      verdict: 'info'
    })
    const g = s.garbage
    rows.push({
      figure: `6 open a ${s.historyMb} MB garbage history (set aside)`,
      value: `${fmtMs(g.openMs)}, block ${fmtMs(g.openMaxBlockMs)}`,
      baseline: `next start: ${fmtMs(g.secondStartMs)}, block ${fmtMs(g.secondStartMaxBlockMs)}`,
      ratio: `peak RSS ${g.peakRssMb.toFixed(0)} MB`,
      target: 'no block > 50 ms, not re-read',
      verdict: verdict(g.openMaxBlockMs <= 50 && g.messages === 0)
    })
    const worst = Object.entries(s.xml).sort((a, b) => b[1].ms - a[1].ms)
    const reported = s.xml['attributes26k']
    rows.push({
      figure: `7 XML: 26,000 attributes (${((reported?.bytes ?? 0) / 1024).toFixed(0)} KB body)`,
      value: reported ? `${fmtMs(reported.ms)}, ${reported.outcome.split(':')[0]}` : 'n/a',
      baseline: 'before: ~1.25 s (issue 12)',
      ratio: '',
      target: '<= 50 ms',
      verdict: verdict(reported !== undefined && reported.ms <= 50)
    })
    rows.push({
      figure: '7 XML: slowest hostile or maximal body',
      value: worst[0] ? `${fmtMs(worst[0][1].ms)} (${worst[0][0]})` : 'n/a',
      baseline: worst
        .slice(1)
        .map(([k, v]) => `${k} ${fmtMs(v.ms)}`)
        .join(', '),
      ratio: '',
      target: '<= 50 ms',
      verdict: verdict(worst.every(([, v]) => v.ms <= 50))
    })
  }
  if (ok(r.federation)) {
    const f = r.federation
    rows.push({
      figure: '8 federation check, ready partner (med / p95)',
      value: ms(f.check),
      baseline: `openssl s_client mTLS handshake ${ms(f.opensslHandshake)}`,
      ratio: x(f.check.median, f.opensslHandshake.median),
      target: '',
      verdict: 'info'
    })
    rows.push({
      figure: '8 … of which OPTIONS round trip',
      value: ms(f.optionsRtt),
      baseline: '',
      ratio: '',
      target: '',
      verdict: 'info'
    })
  }
  return rows
}

function printTable(rows: Row[]): void {
  const head: Row = {
    figure: 'figure',
    value: 'TrustLine',
    baseline: 'baseline / context',
    ratio: 'ratio',
    target: 'target',
    verdict: 'n/a'
  }
  const cols = ['figure', 'value', 'baseline', 'ratio', 'target', 'verdict'] as const
  const all = [head, ...rows]
  const w = cols.map((c) => Math.max(...all.map((r) => String(r[c]).length)))
  const line = (r: Row) =>
    cols
      .map((c, i) => String(c === 'verdict' && r === head ? 'verdict' : r[c]).padEnd(w[i]!))
      .join(' │ ')
  console.log(`\n${line(head)}\n${w.map((n) => '─'.repeat(n)).join('─┼─')}`)
  for (const r of rows) console.log(line(r))
}

/** Where TrustLine's sign-in time goes: the median round's trace, new core and warm. */
function printStages(s: SignInResult): void {
  for (const [title, v] of [
    ['Stages of one sign-in, new core (the median round)', s.cold],
    ['Stages of one sign-in, same core again (the median round)', s.warm]
  ] as const) {
    if (v.medianTrace) console.log(`\n${formatStages(title, v.medianTrace, v.traces)}`)
  }
  console.log(
    `  floors in the same rounds: (a) handshake ${fmtMs(s.floorA.total.median)}; (b) handshake ${fmtMs(s.floorB.handshake.median)} + REGISTER/401/REGISTER/200 ${fmtMs(s.floorB.register.median)} = ${fmtMs(s.floorB.total.median)}`
  )
}

async function main(): Promise<void> {
  const t0 = performance.now()
  const base = mkdtempSync(join(tmpdir(), 'tl-bench-'))
  const results: Results = {
    startedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version },
    quick,
    seconds: 0
  }
  let lab: Lab | undefined
  try {
    // Local data needs no lab: measured first, on a machine not yet busy with one.
    if (wanted('storage'))
      results.storage = await section('6/7 a 200 MB history, garbage, hostile XML', () =>
        benchStorage(base, { mb: quick ? 50 : 200 })
      )
    const labSections = ['signin', 'trust', 'im', 'storm', 'browser', 'memory']
    if (!labSections.some(wanted) && !wanted('bundle')) return finish(results, t0)
    lab = await startLab({ runDir: join(base, 'lab'), extraUsers: CONTACTS, stopOnExit: true })
    const l = lab
    if (wanted('signin'))
      results.signIn = await section('1 sign-in vs baresip', () =>
        benchSignIn(l, base, { rounds: quick ? 5 : 15, contacts: 50 })
      )
    if (wanted('trust'))
      results.trust = await section('2 trust evaluation vs openssl verify, x509-limbo', () =>
        benchTrust(l, base, {
          evalRounds: quick ? 300 : 2000,
          cliRounds: quick ? 10 : 30,
          limbo: !args.has('--no-limbo')
        })
      )
    if (wanted('im'))
      results.im = await section('3 MESSAGE round trip and burst', () =>
        benchIm(l, base, { rounds: quick ? 50 : 200, burst: 1000 })
      )
    // Each storm gets a restarted Kamailio with every contact published again (see freshServer).
    const fresh = async () => {
      const failed = await freshServer(l, CONTACTS)
      if (failed > 0) console.log(`  ${failed} PUBLISH(es) failed`)
    }
    if (wanted('storm'))
      results.presenceCoreUnpaced = await section(
        '4 presence storm, every SUBSCRIBE at once (before pacing)',
        () => fresh().then(() => benchCoreStorm(l, base, CONTACTS, CONTACTS))
      )
    if (wanted('storm'))
      results.presenceCore = await section('4 presence storm in the core', () =>
        fresh().then(() => benchCoreStorm(l, base, CONTACTS))
      )
    if (!args.has('--no-browser') && wanted('browser')) {
      results.build = await section('4/5 electron-vite build (browser host + renderer)', build)
      if (ok(results.build) && !results.build.ok) console.log(results.build.output)
      results.presenceBrowser = await section('4 presence storm in Chromium', () =>
        fresh().then(() => benchBrowserStorm(l, base, CONTACTS))
      )
    }
    if (wanted('bundle'))
      results.bundle = await section('5 renderer bundle size', () =>
        Promise.resolve(measureBundle())
      )
    if (wanted('memory'))
      results.memory = await section('5 core RSS (child process)', () =>
        fresh().then(() =>
          measureCoreMemory(l, base, {
            contacts: CONTACTS,
            messages: 10_000,
            idleMs: quick ? 15_000 : 60_000
          })
        )
      )
    if (wanted('federation'))
      results.federation = await section('8 federation check vs openssl s_client (mTLS)', () =>
        benchFederation(base, { rounds: quick ? 10 : 40, cliRounds: quick ? 10 : 30 })
      )
  } finally {
    await lab?.stop()
    rmSync(base, { recursive: true, force: true })
  }
  finish(results, t0)
}

function finish(results: Results, t0: number): void {
  results.seconds = (performance.now() - t0) / 1000
  results.summary = summarizeAll(results)
  printTable(results.summary)
  if (ok(results.signIn)) printStages(results.signIn)
  const outDir = join(HERE, 'results')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`)
  console.log(`\n${results.seconds.toFixed(0)} s; details in bench/results/latest.json`)
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  }
)
