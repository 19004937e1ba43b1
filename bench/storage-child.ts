// Child process for figures 6 and 7: one measurement in a fresh process, so its memory is its
// own; prints the result as JSON on stdout and exits.
//   node --expose-gc storage-child.bundle.mjs open DATA_DIR PEER     open a history the new way
//   node --expose-gc storage-child.bundle.mjs whole DATA_DIR PEER    read it whole, as before
//   node --expose-gc storage-child.bundle.mjs xml                    the XML parser's worst cases
// (bench/storage.ts bundles it with esbuild first; `node --import tsx` runs it unbundled.)
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parseXml } from '../electron/main/sip/xml'
import { conversationFileName, HistoryStore } from '../electron/main/storage/history-store'

const gc = (globalThis as { gc?: () => void }).gc
const mb = (bytes: number) => bytes / 2 ** 20

function rssMb(): number {
  gc?.()
  return mb(process.memoryUsage().rss)
}

/** Runs `fn`, measuring wall time and the longest the event loop was blocked meanwhile. */
async function measured<T>(
  fn: () => Promise<T>
): Promise<{ value: T; ms: number; maxBlockMs: number }> {
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  // Let the histogram take its first sample before the work starts.
  await new Promise((r) => setTimeout(r, 20))
  loop.reset()
  const t0 = performance.now()
  const value = await fn()
  const ms = performance.now() - t0
  // One more turn so a block at the very end is sampled too.
  await new Promise((r) => setTimeout(r, 5))
  loop.disable()
  // The histogram's max is the longest timer delay: how long the loop could not run anything.
  return { value, ms, maxBlockMs: Math.max(0, loop.max / 1e6 - 1) }
}

/** The median of three runs of `fn` (each on a fresh store): one descheduled run is not a block. */
async function median3<T>(fn: () => Promise<T>) {
  const runs = [await measured(fn), await measured(fn), await measured(fn)]
  const mid = <K extends 'ms' | 'maxBlockMs'>(k: K) =>
    runs.map((r) => r[k]).sort((a, b) => a - b)[1]!
  return { value: runs[0]!.value, ms: mid('ms'), maxBlockMs: mid('maxBlockMs') }
}

async function open(dataDir: string, peer: string) {
  // Warm the code paths on a small history first, as a running app has: the figure is the
  // file's cost, not the first compile of the parser.
  const warmDir = await mkdtemp(join(tmpdir(), 'tl-warm-'))
  const warm = new HistoryStore(warmDir)
  for (let i = 0; i < 300; i++) {
    await warm.append({
      id: `w${i}`,
      conversation: peer,
      direction: 'in',
      body: 'warm',
      sentAt: new Date().toISOString(),
      state: 'received'
    })
  }
  await new HistoryStore(warmDir).history(peer, 200)
  const before = rssMb()
  const store = new HistoryStore(dataDir)
  const opened = await measured(() => store.history(peer, 200))
  const older = await measured(() =>
    store.history(peer, 200, opened.value.messages[0]?.id ?? 'none').catch(() => null)
  )
  const listed = await measured(() => store.summaries())
  // Later starts: what the file costs each time (a damaged one was set aside by the first).
  const again = await median3(() => new HistoryStore(dataDir).history(peer, 200))
  return {
    messages: opened.value.messages.length,
    hasOlder: opened.value.hasOlder,
    openMs: opened.ms,
    openMaxBlockMs: opened.maxBlockMs,
    olderPageMs: older.ms,
    olderPageMaxBlockMs: older.maxBlockMs,
    summariesMs: listed.ms,
    secondStartMs: again.ms,
    secondStartMaxBlockMs: again.maxBlockMs,
    rssBeforeMb: before,
    rssMb: rssMb(),
    peakRssMb: process.resourceUsage().maxRSS / 1024
  }
}

/**
 * The former loader's work, at least: the whole file read (asynchronously, as it did) and every
 * line parsed in one go (it also validated each with zod, so it was slower still).
 */
async function whole(dataDir: string, peer: string) {
  const before = rssMb()
  const file = join(dataDir, 'history', conversationFileName(peer))
  const r = await measured(async () => {
    const lines = (await readFile(file, 'utf8')).split('\n')
    let parsed = 0
    for (const line of lines) {
      try {
        if (line) JSON.parse(line)
        parsed++
      } catch {
        // counted as corrupt by the former loader
      }
    }
    return parsed
  })
  return {
    lines: r.value,
    openMs: r.ms,
    openMaxBlockMs: r.maxBlockMs,
    rssBeforeMb: before,
    rssMb: rssMb(),
    peakRssMb: process.resourceUsage().maxRSS / 1024
  }
}

/** The parser's worst cases: what hostile bodies cost, refused or parsed (CPU bound, no I/O). */
function xml() {
  const attrs = (n: number, p = 'a') =>
    Array.from({ length: n }, (_, i) => ` ${p}${i.toString(36)}="1"`).join('')
  const cases: Record<string, string> = {
    // The reported body: 26,000 attributes in about 243 KB.
    attributes26k: `<presence${attrs(26_000)}/>`,
    // The most attributes a document may have, spread over elements.
    attributesAllowed: `<a>${Array.from({ length: 31 }, (_, i) => `<b${attrs(64, `x${i}_`)}/>`).join('')}</a>`,
    // The most elements and references a document may have.
    elements2k: `<a>${'<b/>'.repeat(1_999)}</a>`,
    references10k: `<a>${'&amp;x'.repeat(10_000)}</a>`,
    references40k: `<a>${'&amp;x'.repeat(40_000)}</a>`,
    nesting100k: `${'<a>'.repeat(100_000)}`
  }
  const out: Record<string, { bytes: number; ms: number; outcome: string }> = {}
  for (const [name, doc] of Object.entries(cases)) {
    const times: number[] = []
    let outcome = 'parsed'
    for (let round = 0; round < 7; round++) {
      const t0 = performance.now()
      try {
        parseXml(doc)
      } catch (e) {
        outcome = `refused: ${(e as Error).message}`
      }
      times.push(performance.now() - t0)
    }
    // The median of the warm rounds: what one such body costs the event loop.
    const warm = times.slice(2).sort((a, b) => a - b)
    out[name] = { bytes: doc.length, ms: warm[Math.floor(warm.length / 2)]!, outcome }
  }
  return out
}

const [mode, dataDir = '', peer = ''] = process.argv.slice(2)
const result =
  mode === 'open'
    ? await open(dataDir, peer)
    : mode === 'whole'
      ? await whole(dataDir, peer)
      : xml()
process.stdout.write(`${JSON.stringify(result)}\n`)
