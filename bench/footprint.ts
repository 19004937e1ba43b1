// Figure 5: renderer bundle size (gzip of out/renderer/assets/*.js) and the RSS of a core
// process holding 1,000 contacts and 10,000 history messages after the storm and after a minute
// signed in and idle (a child, so nothing of the bench
// itself is counted; an empty core in the same kind of child is the baseline). The child is
// bundled with esbuild and run on plain Node, as the core ships (electron-vite bundles it too),
// so tsx's on-the-fly compiler (≈ 70 MB) is not counted against the core.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { conversationFileName } from '../electron/main/storage/history-store'
import type { Lab } from '../tests/lab/lab'
import { bundleChild } from './lib/bundle'
import { writeContacts } from './lib/core-client'

export interface BundleResult {
  files: { name: string; bytes: number; gzipBytes: number }[]
  totalBytes: number
  totalGzipBytes: number
}

export interface RssSample {
  contacts: number
  active: number
  messages: number
  readyMs: number
  rssMb: number
  /** Highest RSS the child reached until the sample (getrusage maxrss). */
  peakRssMb: number
  /** How long it then stayed signed in and idle, and its RSS after that (null: not measured). */
  idleMs: number
  idleRssMb: number | null
  heapUsedMb: number
  heapTotalMb: number
  externalMb: number
  stages: Record<string, { rssMb: number; heapUsedMb: number; heapTotalMb: number }>
}

export interface MemoryResult {
  full: RssSample | null
  /** The same with every SUBSCRIBE sent at once, as before pacing (for the before/after). */
  fullUnpaced: RssSample | null
  empty: RssSample | null
  error: string | null
}

export function measureBundle(dir = 'out/renderer/assets'): BundleResult {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((name) => {
      const bytes = readFileSync(join(dir, name))
      return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length }
    })
  return {
    files,
    totalBytes: files.reduce((a, f) => a + f.bytes, 0),
    totalGzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0)
  }
}

/** 10,000 messages over the first 100 contacts' conversations, in the history store's format. */
function writeHistory(dataDir: string, peers: string[], total: number): void {
  const dir = join(dataDir, 'history')
  mkdirSync(dir, { recursive: true })
  const per = Math.ceil(total / peers.length)
  let n = 0
  for (const peer of peers) {
    const lines: string[] = []
    for (let i = 0; i < per && n < total; i++, n++) {
      const out = i % 2 === 0
      const msg = {
        id: `bench-${n}`,
        conversation: peer,
        direction: out ? 'out' : 'in',
        body: `Message ${n}: the quarterly numbers are in the shared folder, see you at ten.`,
        sentAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
        state: out ? 'accepted' : 'received'
      }
      lines.push(JSON.stringify({ t: 'msg', msg }))
    }
    writeFileSync(join(dir, conversationFileName(peer)), `${lines.join('\n')}\n`)
  }
}

function runChild(
  lab: Lab,
  script: string,
  dataDir: string,
  opts: { window?: number; idleMs?: number } = {}
): Promise<RssSample> {
  const idleMs = opts.idleMs ?? 0
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', script, lab.runDir, dataDir, String(opts.window ?? 0)],
      {
        timeout: 90_000 + idleMs,
        maxBuffer: 1024 * 1024,
        env: { ...process.env, BENCH_IDLE_MS: String(idleMs) }
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`core-rss child: ${err.message}\n${stderr}`))
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as RssSample)
      }
    )
  })
}

export async function measureCoreMemory(
  lab: Lab,
  baseDir: string,
  opts: { contacts: number; messages: number; idleMs: number }
): Promise<MemoryResult> {
  const peers = lab.extraUsers.slice(0, opts.contacts).map((u) => u.uri)
  const full = mkdtempSync(join(baseDir, 'rss-full-'))
  writeContacts(full, peers)
  writeHistory(full, peers.slice(0, 100), opts.messages)
  const empty = mkdtempSync(join(baseDir, 'rss-empty-'))
  try {
    const script = await bundleChild('bench/core-rss.ts')
    return {
      // The product's case also stays signed in and idle for a minute afterwards.
      full: await runChild(lab, script, full, { idleMs: opts.idleMs }),
      fullUnpaced: await runChild(lab, script, full, { window: opts.contacts }),
      empty: await runChild(lab, script, empty),
      error: null
    }
  } catch (e) {
    return { full: null, fullUnpaced: null, empty: null, error: (e as Error).message }
  }
}
