// Figures 6 and 7: local data under size and hostile input. A 200 MB conversation history
// opened the way the core opens it (newest page first, read from the end) against reading it
// whole as the former loader did, each in its own child process (time, longest event-loop
// block, RSS); a 200 MB garbage file in its place; and the XML parser's worst cases.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, mkdtempSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { conversationFileName } from '../electron/main/storage/history-store'
import { bundleChild } from './lib/bundle'

export interface OpenSample {
  messages: number
  hasOlder: boolean
  openMs: number
  openMaxBlockMs: number
  olderPageMs: number
  olderPageMaxBlockMs: number
  summariesMs: number
  secondStartMs: number
  secondStartMaxBlockMs: number
  rssBeforeMb: number
  rssMb: number
  peakRssMb: number
}

export interface WholeSample {
  lines: number
  openMs: number
  openMaxBlockMs: number
  rssBeforeMb: number
  rssMb: number
  peakRssMb: number
}

export type XmlSample = Record<string, { bytes: number; ms: number; outcome: string }>

export interface StorageResult {
  historyMb: number
  history: OpenSample
  wholeFile: WholeSample
  garbage: OpenSample
  xml: XmlSample
}

const PEER = 'sip:bob@bench.test'

/** A history file of `mb` MB as the store writes it: messages both ways, states, read marks. */
function writeHistory(dataDir: string, mb: number): void {
  const dir = join(dataDir, 'history')
  mkdirSync(dir, { recursive: true })
  const fd = openSync(join(dir, conversationFileName(PEER)), 'w')
  let written = 0
  let n = 0
  try {
    while (written < mb * 2 ** 20) {
      const lines: string[] = []
      for (let i = 0; i < 2000; i++, n++) {
        const out = n % 3 === 0
        const msg = {
          id: `bench-${n}`,
          conversation: PEER,
          direction: out ? 'out' : 'in',
          body: `Message ${n}: the quarterly numbers are in the shared folder ${'—'.repeat(n % 40)} see you at ten.`,
          sentAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
          state: out ? 'sending' : 'received'
        }
        lines.push(JSON.stringify({ t: 'msg', msg }))
        if (out) {
          lines.push(JSON.stringify({ t: 'state', id: msg.id, state: 'accepted', at: msg.sentAt }))
        }
      }
      // Read up to here now and then, but not in the last part: the newest messages are unread,
      // so opening has to look back for where they start (the costlier case).
      if (written < (mb - 8) * 2 ** 20) lines.push(JSON.stringify({ t: 'read', at: 'x' }))
      written += writeSync(fd, `${lines.join('\n')}\n`)
    }
  } finally {
    closeSync(fd)
  }
}

/** A file of `mb` MB of random bytes where the history file belongs. */
function writeGarbage(dataDir: string, mb: number): void {
  const dir = join(dataDir, 'history')
  mkdirSync(dir, { recursive: true })
  const fd = openSync(join(dir, conversationFileName(PEER)), 'w')
  try {
    for (let i = 0; i < mb; i++) writeSync(fd, randomBytes(2 ** 20))
  } finally {
    closeSync(fd)
  }
}

function runChild<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', script, ...args],
      { timeout: 300_000, maxBuffer: 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`storage child ${args[0]}: ${err.message}\n${stderr}`))
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T)
      }
    )
  })
}

export async function benchStorage(baseDir: string, opts: { mb: number }): Promise<StorageResult> {
  const script = await bundleChild('bench/storage-child.ts')
  const valid = mkdtempSync(join(baseDir, 'history-'))
  writeHistory(valid, opts.mb)
  const garbage = mkdtempSync(join(baseDir, 'garbage-'))
  writeGarbage(garbage, opts.mb)
  return {
    historyMb: opts.mb,
    history: await runChild<OpenSample>(script, ['open', valid, PEER]),
    wholeFile: await runChild<WholeSample>(script, ['whole', valid, PEER]),
    garbage: await runChild<OpenSample>(script, ['open', garbage, PEER]),
    xml: await runChild<XmlSample>(script, ['xml'])
  }
}
