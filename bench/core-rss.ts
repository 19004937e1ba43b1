// Child process for figure 5: one core, signed in to the lab, holding the roster and history it
// finds in its data folder; prints its memory use as JSON on stdout and exits.
//   node --expose-gc core-rss.bundle.mjs LAB_RUN_DIR DATA_DIR [SUBSCRIBE_WINDOW]
// (bench/footprint.ts bundles it with esbuild first; `node --import tsx` runs it unbundled.)
import { readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { performance } from 'node:perf_hooks'
import { readLabInfo } from '../tests/lab/lab'
import { makeCore } from './lib/core-client'

const gc = (globalThis as { gc?: () => void }).gc
const SETTLE_MS = 8_000
/** How long the core then stays signed in and idle before the last sample. */
const IDLE_MS = Number(process.env['BENCH_IDLE_MS'] ?? 60_000)

/**
 * BENCH_HEAP_PROFILE=FILE: a sampling allocation profile of the sign-in and storm, counting what
 * was allocated whether or not it is still alive (what `--heap-prof` cannot show), for DevTools.
 */
async function startAllocationProfile(): Promise<(() => Promise<void>) | null> {
  const file = process.env['BENCH_HEAP_PROFILE']
  if (!file) return null
  const session = new Session()
  session.connect()
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r)))
    )
  await post('HeapProfiler.enable')
  await post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true
  })
  return async () => {
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: unknown }
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}

/** RSS and heap after a full GC, MB: where the memory goes, stage by stage. */
function sample(): {
  rssMb: number
  heapUsedMb: number
  heapTotalMb: number
  lazyFreeMb: number | null
} {
  gc?.()
  gc?.()
  const m = process.memoryUsage()
  return {
    rssMb: m.rss / 2 ** 20,
    heapUsedMb: m.heapUsed / 2 ** 20,
    heapTotalMb: m.heapTotal / 2 ** 20,
    lazyFreeMb: lazyFreeMb()
  }
}

/**
 * Pages the process gave back with MADV_FREE (Linux): still counted in RSS until the kernel
 * needs them, but free for it to take at any time. null where /proc does not say.
 */
function lazyFreeMb(): number | null {
  try {
    const kb = /^LazyFree:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))
    return kb ? Number(kb[1]) / 1024 : null
  } catch {
    return null
  }
}

async function main(): Promise<void> {
  const stages: Record<string, ReturnType<typeof sample>> = { start: sample() }
  const [runDir, dataDir, window] = process.argv.slice(2)
  if (!runDir || !dataDir) throw new Error('usage: core-rss.ts LAB_RUN_DIR DATA_DIR [WINDOW]')
  const lab = readLabInfo(runDir)
  const c = makeCore(lab, dataDir, {
    dataDir,
    backlog: false,
    // 0 or absent: the product's default pacing.
    ...(Number(window) > 0 ? { subscribeWindow: Number(window) } : {})
  })
  const roster = await c.call('contacts:list')
  stages['roster loaded'] = sample()
  const settled = new Set<string>()
  let onAll = () => undefined as void
  const all = new Promise<void>((r) => (onAll = r))
  c.on('presence:changed', (p) => {
    if (p.subscription.status === 'active') settled.add(p.uri)
    if (settled.size >= roster.length) onAll()
  })
  const stopProfile = await startAllocationProfile()
  const t0 = performance.now()
  const s = await c.call('session:sign-in', {
    aor: lab.users.alice.uri,
    password: lab.users.alice.password,
    server: { host: '127.0.0.1', port: lab.ports.tls.good }
  })
  if (s.status !== 'registered') throw new Error(`sign-in: ${JSON.stringify(s)}`)
  if (roster.length) {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, 30_000)))])
    clearTimeout(timer)
  }
  await stopProfile?.()
  stages['signed in, all subscribed'] = sample()
  // Load every conversation, as scrolling through the roster and opening chats would.
  let messages = 0
  for (const contact of await c.call('contacts:list')) {
    messages += (await c.call('im:history', { conversation: contact.uri, limit: 10_000 })).messages
      .length
  }
  stages['histories loaded'] = sample()
  // Steady state, as a user sees it a little after sign-in: V8 gives back the heap it grew for
  // the burst only after its memory reducer has run, a few seconds after allocation calms down.
  await new Promise((r) => setTimeout(r, SETTLE_MS))
  stages['settled'] = sample()
  const m = process.memoryUsage()
  const settledPeak = process.resourceUsage().maxRSS / 1024
  // Left alone, signed in, as a user leaves the app running.
  if (IDLE_MS > 0) {
    await new Promise((r) => setTimeout(r, IDLE_MS))
    stages['idle'] = sample()
  }
  process.stdout.write(
    `${JSON.stringify({
      contacts: roster.length,
      active: settled.size,
      messages,
      readyMs: performance.now() - t0,
      rssMb: m.rss / 2 ** 20,
      peakRssMb: settledPeak,
      idleMs: IDLE_MS,
      idleRssMb: stages['idle']?.rssMb ?? null,
      heapUsedMb: m.heapUsed / 2 ** 20,
      heapTotalMb: m.heapTotal / 2 ** 20,
      externalMb: m.external / 2 ** 20,
      stages
    })}\n`
  )
  await c.call('session:sign-out').catch(() => undefined)
  await c.dispose()
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`)
    process.exit(1)
  }
)
