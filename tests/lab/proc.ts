// Process helpers for the lab: every daemon is spawned detached (its own process group),
// its PID written to `<runDir>/pids/<name>.pid`, and stopped by that PID only.
import { execFile, spawn } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import net from 'node:net'
import dgram from 'node:dgram'
import { join } from 'node:path'

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; input?: string } = {}
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { cwd: opts.cwd, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
        else resolve(stdout)
      }
    )
    if (opts.input !== undefined) child.stdin?.end(opts.input)
  })
}

export interface Daemon {
  name: string
  pid: number
  log: string
}

/** Spawns `cmd` detached with stdout+stderr to `<runDir>/logs/<name>.log`, writes its PID file. */
export function spawnDaemon(
  runDir: string,
  name: string,
  cmd: string,
  args: string[],
  cwd?: string
): Daemon {
  const logs = join(runDir, 'logs')
  const pids = join(runDir, 'pids')
  mkdirSync(logs, { recursive: true })
  mkdirSync(pids, { recursive: true })
  const log = join(logs, `${name}.log`)
  const fd = openSync(log, 'a')
  const child = spawn(cmd, args, { cwd: cwd ?? runDir, detached: true, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  if (!child.pid) throw new Error(`could not spawn ${cmd}`)
  child.unref()
  writeFileSync(join(pids, `${name}.pid`), `${child.pid}\n`)
  return { name, pid: child.pid, log }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  // A zombie (exited, not yet reaped by us as parent) still answers kill(0): check /proc.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** SIGTERM to the daemon's process group (it is its group leader), then SIGKILL after a grace period. */
export async function stopPid(pid: number, graceMs = 3000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig)
    } catch {
      try {
        process.kill(pid, sig)
      } catch {
        /* already gone */
      }
    }
  }
  if (!isAlive(pid)) return
  signal('SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!isAlive(pid) && !groupAlive(pid)) return
    await sleep(50)
  }
  signal('SIGKILL')
  const hard = Date.now() + 2000
  while (Date.now() < hard && (isAlive(pid) || groupAlive(pid))) await sleep(50)
}

/** True while any process of process group `pgid` is alive (kamailio children, for instance). */
export function groupAlive(pgid: number): boolean {
  return groupMembers(pgid).length > 0
}

export function groupMembers(pgid: number): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // rest[0]=state rest[1]=ppid rest[2]=pgrp
      if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') out.push(Number(entry))
    } catch {
      /* raced with exit */
    }
  }
  return out
}

export function readPidFiles(runDir: string): Record<string, number> {
  const dir = join(runDir, 'pids')
  const out: Record<string, number> = {}
  if (!existsSync(dir)) return out
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.pid')) continue
    const pid = Number(readFileSync(join(dir, f), 'utf8').trim())
    if (pid > 1) out[f.slice(0, -4)] = pid
  }
  return out
}

/**
 * Stops every daemon that has a PID file under runDir, removing the PID files. User agents
 * (`baresip-*`, `linphone-*`) go first, while Kamailio is still up to answer their un-REGISTER;
 * then the rest.
 */
export async function stopAll(runDir: string): Promise<string[]> {
  const pids = readPidFiles(runDir)
  const stopped: string[] = []
  const stopOne = async ([name, pid]: [string, number]) => {
    await stopPid(pid)
    rmSync(join(runDir, 'pids', `${name}.pid`), { force: true })
    stopped.push(`${name}(${pid})`)
  }
  const entries = Object.entries(pids)
  const userAgent = (n: string) => n.startsWith('baresip-') || n.startsWith('linphone-')
  await Promise.all(entries.filter(([n]) => userAgent(n)).map(stopOne))
  await Promise.all(entries.filter(([n]) => !userAgent(n)).map(stopOne))
  return stopped
}

/** Reserves `n` distinct ports free for both TCP and UDP on 127.0.0.1. */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = []
  const holders: net.Server[] = []
  try {
    while (ports.length < n) {
      const srv = net.createServer()
      await new Promise<void>((res, rej) => {
        srv.once('error', rej)
        srv.listen(0, '127.0.0.1', () => res())
      })
      const port = (srv.address() as net.AddressInfo).port
      holders.push(srv)
      const udpOk = await new Promise<boolean>((res) => {
        const s = dgram.createSocket('udp4')
        s.once('error', () => res(false))
        s.bind(port, '127.0.0.1', () => s.close(() => res(true)))
      })
      if (udpOk && !ports.includes(port)) ports.push(port)
    }
  } finally {
    await Promise.all(holders.map((s) => new Promise((r) => s.close(r))))
  }
  return ports
}

export async function waitTcp(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect(port, host)
      s.once('connect', () => {
        s.destroy()
        res(true)
      })
      s.once('error', () => res(false))
    })
    if (ok) return
    if (Date.now() > deadline)
      throw new Error(`port ${host}:${port} not listening after ${timeoutMs} ms`)
    await sleep(40)
  }
}

export { sleep }
