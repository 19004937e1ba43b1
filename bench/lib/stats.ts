/** Summary of one measured figure over repeated rounds, in milliseconds (or the unit given). */
export interface Summary {
  rounds: number
  median: number
  p95: number
  min: number
  max: number
}

/** One row of the summary table `npm run bench` prints and bench/table.ts turns into Markdown. */
export interface SummaryRow {
  figure: string
  value: string
  baseline: string
  ratio: string
  target: string
  verdict: 'met' | 'MISSED' | 'info' | 'n/a'
}

/** Nearest-rank percentile of an ascending list (p in 0..100). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** Median, p95 (nearest rank), min and max of the samples. */
export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length / 2
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2
        ? sorted[Math.floor(mid)]!
        : (sorted[mid - 1]! + sorted[mid]!) / 2
  return {
    rounds: sorted.length,
    median,
    p95: percentile(sorted, 95),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN
  }
}

/** Runs `fn` `rounds` times after `warmup` unmeasured runs; returns what each run measured. */
export async function repeat(
  rounds: number,
  warmup: number,
  fn: (round: number) => Promise<number>
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i)
  const out: number[] = []
  for (let i = 0; i < rounds; i++) out.push(await fn(i))
  return out
}

/** Milliseconds with a sensible number of decimals for a table. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  if (ms < 1) return `${ms.toFixed(3)} ms`
  if (ms < 100) return `${ms.toFixed(2)} ms`
  return `${ms.toFixed(0)} ms`
}

/** CPU time this process has used (user + system), ms: a view of work that load barely changes. */
export function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
