import { spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { installLastResort } from '../../../electron/main/last-resort'
import { NoticeBoard } from '../../../electron/main/notices'

describe('installLastResort', () => {
  it('logs what nothing handled and raises it as a notice, once the core is there', () => {
    const proc = new EventEmitter()
    const logged: string[] = []
    const lastResort = installLastResort(proc, (m) => logged.push(m))
    proc.emit('unhandledRejection', new Error('before the core'))
    const notices = new NoticeBoard(null)
    lastResort.notify(notices)
    proc.emit('uncaughtException', new Error('bang\nstack…'))
    proc.emit('unhandledRejection', 'a string')
    expect(logged).toEqual([
      'unhandled-rejection (kept running)',
      'uncaught-exception (kept running)',
      'unhandled-rejection (kept running)'
    ])
    expect(notices.list().map((n) => n.params)).toEqual([
      { source: 'uncaught-exception', detail: 'bang' },
      { source: 'unhandled-rejection', detail: 'a string' }
    ])
    lastResort.dispose()
    expect(proc.listenerCount('uncaughtException')).toBe(0)
  })

  it('never throws itself, even when logging fails', () => {
    const proc = new EventEmitter()
    installLastResort(proc, () => {
      throw new Error('stderr closed')
    })
    expect(() => proc.emit('uncaughtException', new Error('x'))).not.toThrow()
  })
})

/** Reads lines from a child's stdout until `match` shows. */
function waitForLine(child: ReturnType<typeof spawn>, match: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (d: Buffer) => {
      text += d.toString()
      const line = text.split('\n').find((l) => match.test(l))
      if (line) {
        child.stdout?.off('data', onData)
        resolve(line)
      }
    }
    child.stdout?.on('data', onData)
    child.on('exit', (code) => reject(new Error(`exited (${code}) before ${match}: ${text}`)))
  })
}

/** One invoke over the browser host's socket, after the hello with the token. */
function invoke(url: URL, channel: string): Promise<unknown> {
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? ''
  const ws = new WebSocket(`ws://${url.host}/ipc`, { origin: url.origin })
  return new Promise((resolve, reject) => {
    ws.on('error', reject)
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token })))
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; result?: unknown }
      if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'invoke', id: 1, channel }))
      if (frame.type === 'result') {
        ws.close()
        resolve(frame.result)
      }
    })
  })
}

describe('the browser host process', () => {
  it('keeps serving after an unhandled rejection and an uncaught exception, and tells the user', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-last-resort-'))
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        join(import.meta.dirname, 'fixtures', 'faults-on-signal.mjs'),
        'electron/main/web.ts',
        '--data-dir',
        dataDir
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    try {
      const url = new URL((await waitForLine(child, /^http:\/\/127\.0\.0\.1:\d+\//)).trim())
      child.kill('SIGUSR2')
      await waitForLine(child, /^faults injected$/)
      expect(child.exitCode).toBeNull()
      expect(await fetch(new URL('/', url.origin)).then((r) => r.status)).toBeLessThan(500)
      const notices = (await invoke(url, 'app:list-notices')) as {
        value: { params: { source: string; detail: string } }[]
      }
      expect(notices.value.map((n) => n.params)).toEqual([
        { source: 'unhandled-rejection', detail: 'injected rejection' },
        { source: 'uncaught-exception', detail: 'injected exception' }
      ])
      expect(stderr).toMatch(/unhandled-rejection \(kept running\)/)
    } finally {
      child.kill('SIGTERM')
    }
  }, 60_000)
})
