// Writes the README's benchmark tables (Markdown) from a run's results, so the README shows one
// run as it was printed, never figures copied by hand:
//   npm run bench:table -- [--before=OLD.json] [--readme] [RUN.json]
// RUN defaults to bench/results/latest.json (what `npm run bench` just wrote). With --before, a
// "before" column holds the older run's value for the same figure (by name, or by its former name
// for the figures renamed when the floors came in). Prints the summary table and the new- and
// same-core stage breakdowns; with --readme, writes them into README.md between the
// `<!-- bench:table -->` and `<!-- /bench:table -->` lines instead.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AttemptTrace } from '../electron/main/stage-trace'
import { medianStages, revocationDetail, stagesOf, traceTotal } from './lib/stages'
import { fmtMs, type SummaryRow as Row } from './lib/stats'

interface Variant {
  medianTrace: AttemptTrace | null
  traces: AttemptTrace[]
}

/** The parts of bench/results/*.json this script reads. */
interface Run {
  startedAt: string
  machine: { cpus: number; model: string; node: string }
  quick: boolean
  seconds: number
  summary?: Row[]
  signIn?: { cold?: Variant; warm?: Variant; error?: string }
}

const HERE = dirname(fileURLToPath(import.meta.url))

function read(file: string): Run {
  const run = JSON.parse(readFileSync(file, 'utf8')) as Run
  if (!Array.isArray(run.summary)) throw new Error(`${file}: no summary table in it`)
  return run
}

/** A table cell: pipes escaped, line breaks flattened. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')

function describe(run: Run): string {
  const day = run.startedAt.slice(0, 10)
  return (
    `${day}, ${run.machine.cpus} × ${run.machine.model}, Node ${run.machine.node.replace(/^v/, '')}, ` +
    `${run.seconds.toFixed(0)} s${run.quick ? ', --quick' : ''}`
  )
}

/**
 * Figures whose name changed, with what the same measurement was called before: a run of the
 * bench from before the floors (issue 15) still fills the "before" column. "registered" was then
 * the time the sign-in call returned rather than the `registered` event.
 */
const formerNames: [now: RegExp, before: RegExp][] = [
  [/^1 registered, new core: vs baresip$/, /^1 … of which registered /],
  [/^1 registered, same core again \(warm\): vs baresip$/, /^1 sign-in again, same core \(warm\)/],
  [/^1 … new core: connect \+ trust verdict/, /^1 … connect \+ trust verdict/],
  [/^1 … new core: REGISTER, 401, REGISTER, 200/, /^1 … REGISTER, 401, REGISTER, 200/],
  [/^1 sign-in, new core, until \d+ SUBSCRIBEs active$/, /^1 sign-in, new core, \d+ SUBSCRIBEs/],
  [/^2 x509-limbo full run /, /^2 x509-limbo full run /],
  [/^5 core RSS after the storm, /, /^5 core RSS, /]
]

/** The older run's row for the figure named `figure`. */
function formerRow(figure: string, rows: readonly Row[]): Row | undefined {
  const same = rows.find((r) => r.figure === figure)
  if (same) return same
  const former = formerNames.find(([now]) => now.test(figure))?.[1]
  return former ? rows.find((r) => former.test(r.figure)) : undefined
}

function summaryTable(run: Run, before: Run | null): string[] {
  const head = before
    ? ['figure', 'before', 'now', 'baseline (now)', 'ratio', 'target', '']
    : ['figure', 'value', 'baseline', 'ratio', 'target', '']
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`]
  for (const r of run.summary ?? []) {
    const cells = [r.figure, r.value, r.baseline, r.ratio, r.target, r.verdict]
    if (before) cells.splice(1, 0, formerRow(r.figure, before.summary ?? [])?.value ?? '')
    lines.push(`| ${cells.map(cell).join(' | ')} |`)
  }
  return lines
}

/** Sections that failed in this run, so a table missing their rows says why. */
function failedSections(run: Run): string[] {
  const failed = Object.entries(run).flatMap(([section, value]) => {
    const error = (value as { error?: unknown } | null)?.error
    return typeof error === 'string' ? [`\`${section}\` (${error})`] : []
  })
  return failed.length ? ['', `Failed in this run, so not in the table: ${failed.join('; ')}.`] : []
}

function stageTable(title: string, v: Variant | undefined): string[] {
  if (!v?.medianTrace) return []
  const one = stagesOf(v.medianTrace)
  const medians = medianStages(v.traces)
  return [
    '',
    `${title}: ${fmtMs(traceTotal(v.medianTrace))} sign-in → registered in the median round ` +
      `(revocation: ${revocationDetail(v.medianTrace)})`,
    '',
    `| stage | median round | median of ${v.traces.length} rounds |`,
    '| --- | --- | --- |',
    ...one.map((s, i) => `| ${cell(s.name)} | ${fmtMs(s.ms)} | ${fmtMs(medians[i]!.ms)} |`)
  ]
}

/** The README lines between which --readme writes the tables. */
const startMarker = '<!-- bench:table -->'
const endMarker = '<!-- /bench:table -->'

function main(): void {
  const args = process.argv.slice(2)
  const readme = args.includes('--readme')
  const beforeArg = args.find((a) => a.startsWith('--before='))
  const runFile = args.find((a) => !a.startsWith('--')) ?? join(HERE, 'results', 'latest.json')
  const run = read(runFile)
  const before = beforeArg ? read(beforeArg.slice('--before='.length)) : null
  const out = [
    before
      ? `Run of ${describe(run)}; before: the run of ${describe(before)}.`
      : `Run of ${describe(run)}.`,
    '',
    ...summaryTable(run, before),
    ...failedSections(run),
    ...stageTable('Stages of one sign-in, new core', run.signIn?.cold),
    ...stageTable('Stages of one sign-in, same core again', run.signIn?.warm)
  ]
  if (!readme) {
    console.log(out.join('\n'))
    return
  }
  const file = join(HERE, '..', 'README.md')
  const text = readFileSync(file, 'utf8')
  const start = text.indexOf(`${startMarker}\n`)
  const end = text.indexOf(`${endMarker}\n`)
  if (start < 0 || end < start) throw new Error(`README.md: no ${startMarker} … ${endMarker} block`)
  const block = `${startMarker}\n\n${out.join('\n')}\n\n`
  writeFileSync(file, text.slice(0, start) + block + text.slice(end))
  console.log(`README.md: tables written from ${runFile}`)
}

main()
