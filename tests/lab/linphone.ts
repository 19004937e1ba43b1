// Linphone (Debian linphone-cli 5.1: linphonec on liblinphone, belle-sip) as a third, independent
// SIP user agent for lab tests, driven through linphonec's command stdin with its own config file:
// SIP over TLS to the lab's Kamailio with the lab root CA and certificate verification on (host
// name checked), GRUU off, presence published, friends subscribed, and optionally CPIM in basic
// chat rooms (what makes Linphone ask for IMDN delivery and read receipts).
//
// belle-sip checks the server certificate against a DNS name only (an IP-address SAN is not
// accepted), so linphonec must reach Kamailio as lab.trustline.test: it runs in its own mount
// namespace (`unshare -m`, root, or `unshare -rm` elsewhere) with a private /etc/hosts naming the
// lab host and an /etc/resolv.conf without name servers, so it never asks a real resolver.
//
// linphonec has no command to set one's presence, to open (read) a chat or to list a chat with
// delivery states; the Linphone apps do those through liblinphone's API, and so does
// linphonec-lab.c: a small LD_PRELOAD library compiled here with the machine's C compiler that
// adds `lab-…` commands to linphonec's prompt (see the file for what each one calls).
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LabInfo, Username } from './lab'
import { isAlive, readPidFiles, sleep, stopPid } from './proc'

const HERE = dirname(fileURLToPath(import.meta.url))
const LINPHONEC = '/usr/bin/linphonec'
const LIBDIR = '/usr/lib/x86_64-linux-gnu'
const LIBS = ['liblinphone.so.10', 'libbctoolbox.so.1']

export interface LinphoneOptions {
  /** Run dir for config, database, logs and PID file (the lab's: `stopLab` stops it too). */
  runDir: string
  user: string
  password: string
  /** SIP domain, and the host name linphonec connects to and checks in the certificate. */
  domain: string
  /** Kamailio's TLS port. */
  proxyPort: number
  /** PEM root CA linphonec trusts (root_ca); verification of chain and host name is on. */
  caFile: string
  /** Friends (AORs): presence subscribed, shown as "Friend … is …" and by `friend()`. */
  contacts?: string[]
  /**
   * Send chat messages as CPIM (RFC 3862) in basic chat rooms, with IMDN requests for
   * delivery and display (RFC 5438). Off: plain text/plain, as linphonec does by default.
   */
  cpim?: boolean
  /** Publish presence (default true). */
  publish?: boolean
  /** Instance name (default user). */
  name?: string
}

/** A chat message as linphonec's database holds it (`lab-history`). */
export interface LinphoneHistoryEntry {
  dir: 'in' | 'out'
  /** LinphoneChatMessageState without the prefix: Delivered, DeliveredToUser, Displayed, … */
  state: string
  /** The IMDN Message-ID (for plain MESSAGEs liblinphone uses the Call-ID). */
  id: string
  type: string
  text: string
}

/** How Linphone reads a friend's presence (`lab-friend`). */
export interface LinphoneFriendPresence {
  /** What the Linphone apps show: online, busy, dnd, offline. */
  consolidated: string
  /** The older LinphoneOnlineStatus (linphonec's "Friend … is …"): Online, Busy, Away, … */
  status: string
  basic: 'open' | 'closed' | 'none'
  activities: string[]
  note: string
}

/** What to publish as our presence, as the Linphone apps' presence menu does. */
export type LinphonePresence = 'online' | 'busy' | 'dnd' | 'offline'

export interface LinphoneMessage {
  from: string
  text: string
}

/** Why Linphone cannot run here, or null when it can. */
export function linphoneUnavailable(): string | null {
  if (process.platform !== 'linux') return 'Linphone lab agent needs Linux'
  if (!existsSync(LINPHONEC)) return `${LINPHONEC} not installed (apt-get install linphone-cli)`
  for (const lib of LIBS)
    if (!existsSync(join(LIBDIR, lib))) return `${join(LIBDIR, lib)} not found (liblinphone 5.1)`
  if (!existsSync('/usr/bin/unshare')) return 'unshare (util-linux) not found'
  return null
}

let compiled: Promise<string> | null = null

/** Builds linphonec-lab.so once per process into `dir` (rebuilt when the source is newer). */
function buildExtension(dir: string): Promise<string> {
  compiled ??= (async () => {
    const src = join(HERE, 'linphonec-lab.c')
    mkdirSync(dir, { recursive: true })
    const out = join(dir, 'linphonec-lab.so')
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out
    const cc = process.env.CC ?? 'cc'
    const args = [
      '-shared',
      '-fPIC',
      '-O1',
      '-Wall',
      '-o',
      out,
      src,
      ...LIBS.map((l) => join(LIBDIR, l)),
      '-ldl'
    ]
    await new Promise<void>((resolve, reject) =>
      execFile(cc, args, (error, _stdout, stderr) =>
        error
          ? reject(
              new Error(`compiling linphonec-lab.c with ${cc} failed: ${stderr || error.message}`)
            )
          : resolve()
      )
    )
    return out
  })()
  const pending = compiled
  pending.catch(() => {
    if (compiled === pending) compiled = null
  })
  return pending
}

const PROMPT = 'linphonec> '

export class Linphone {
  #out = ''
  #queue: Promise<unknown> = Promise.resolve()
  readonly #waiters = new Set<() => void>()

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly pid: number,
    readonly aor: string,
    readonly dir: string,
    readonly runDir: string
  ) {
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (d: string) => {
      this.#out += d
      for (const w of [...this.#waiters]) w()
    })
    child.stdin?.on('error', () => undefined)
  }

  /** Everything linphonec printed, prompts removed. */
  output(): string {
    return this.#out.split(PROMPT).join('\n')
  }

  /** liblinphone's own log (level 6: every SIP message it sent and received). */
  logText(): string {
    try {
      return readFileSync(join(this.dir, 'linphone.log'), 'utf8')
    } catch {
      return ''
    }
  }

  #write(line: string): void {
    if (/[\r\n]/.test(line)) throw new Error(`linphonec ${this.name}: a command is one line`)
    this.child.stdin?.write(`${line}\n`)
  }

  /** Waits until `check` over the output (from `from` on) returns something. */
  async waitOutput<T>(
    check: (text: string) => T | undefined | null | false,
    timeoutMs = 10_000,
    from = 0,
    what = 'output'
  ): Promise<T> {
    const now = () => check(this.output().slice(from))
    const first = now()
    if (first) return first
    return new Promise<T>((resolve, reject) => {
      const waiter = () => {
        const r = now()
        if (r) {
          clearTimeout(timer)
          this.#waiters.delete(waiter)
          resolve(r)
        }
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        reject(
          new Error(
            `linphonec ${this.name}: no ${what} within ${timeoutMs} ms; output:\n${this.output().slice(-2000)}`
          )
        )
      }, timeoutMs)
      this.#waiters.add(waiter)
    })
  }

  /** Runs a `lab-…` command and returns its `lab: ` lines (the last one is `ok …`). */
  labCommand(line: string, timeoutMs = 10_000): Promise<string[]> {
    const run = async () => {
      const from = this.output().length
      this.#write(line)
      const lines = await this.waitOutput(
        (text) => {
          const labLines = text
            .split('\n')
            .filter((l) => l.startsWith('lab: '))
            .map((l) => l.slice(5))
          const end = labLines.findIndex((l) => /^(ok|error)\b/.test(l))
          return end < 0 ? null : labLines.slice(0, end + 1)
        },
        timeoutMs,
        from,
        `answer to ${line}`
      )
      const last = lines[lines.length - 1] ?? ''
      if (last.startsWith('error')) throw new Error(`linphonec ${this.name}: ${line}: ${last}`)
      return lines
    }
    const next = this.#queue.then(run, run)
    this.#queue = next.catch(() => undefined)
    return next
  }

  /** Resolves once the account is registered (`status register`). */
  async waitRegistered(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const from = this.output().length
      this.#write('status register')
      const line = await this.waitOutput(
        (t) =>
          /^(registered|unregistered|registration in progress|.*not registered).*$/im.exec(t)?.[0],
        5000,
        from,
        'registration status'
      ).catch(() => '')
      if (/^registered,/.test(line)) return
      if (Date.now() > deadline)
        throw new Error(
          `linphonec ${this.name} not registered (${line}); log tail:\n${this.logText().slice(-3000)}`
        )
      await sleep(200)
    }
  }

  /** Sends `text` (one line) with linphonec's `chat` command. */
  sendMessage(peer: string, text: string): void {
    this.#write(`chat ${peer} ${text}`)
  }

  /** MESSAGEs linphonec reported ("Message received from <from>: <text>"). */
  received(): LinphoneMessage[] {
    const out: LinphoneMessage[] = []
    for (const m of this.output().matchAll(/Message received from (.+?): (.*)$/gm))
      out.push({ from: m[1]!, text: m[2]! })
    return out
  }

  waitMessage(
    pred: (m: LinphoneMessage) => boolean = () => true,
    timeoutMs = 10_000
  ): Promise<LinphoneMessage> {
    return this.waitOutput(() => this.received().find(pred), timeoutMs, 0, 'matching MESSAGE')
  }

  /** The chat with `peer` as liblinphone stores it, with each message's delivery state. */
  async history(peer: string): Promise<LinphoneHistoryEntry[]> {
    const lines = await this.labCommand(`lab-history ${peer}`)
    const out: LinphoneHistoryEntry[] = []
    for (const line of lines) {
      const m = /^msg dir=(in|out) state=(\S+) id=(\S+) type=(\S+) text=(.*)$/.exec(line)
      if (!m) continue
      out.push({
        dir: m[1] as 'in' | 'out',
        state: m[2]!.replace(/^LinphoneChatMessageState/, ''),
        id: m[3]!,
        type: m[4]!,
        text: m[5]!.replace(/\\(n|r|\\)/g, (_s, c: string) =>
          c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'
        )
      })
    }
    return out
  }

  /** Polls the chat with `peer` until an entry matches. */
  async waitHistory(
    peer: string,
    pred: (e: LinphoneHistoryEntry) => boolean,
    timeoutMs = 15_000
  ): Promise<LinphoneHistoryEntry> {
    let hit: LinphoneHistoryEntry | undefined
    await this.#poll(
      `matching message with ${peer}`,
      () => this.history(peer),
      timeoutMs,
      (e) => {
        hit = e.find(pred)
        return hit !== undefined
      }
    )
    return hit!
  }

  /** Publishes our presence as the Linphone apps do (consolidated presence), with a note. */
  async setPresence(state: LinphonePresence, note?: string): Promise<void> {
    await this.labCommand(`lab-presence ${state}${note ? ` ${note}` : ''}`)
  }

  /** How Linphone reads `peer`'s presence right now. */
  async friend(peer: string): Promise<LinphoneFriendPresence> {
    const lines = await this.labCommand(`lab-friend ${peer}`)
    const line = lines.find((l) => l.startsWith('friend ')) ?? ''
    const m = /consolidated=(\S+) status=(.+?) basic=(\S+)(?: activities=(.*?) note=(.*))?$/.exec(
      line
    )
    if (!m) throw new Error(`linphonec ${this.name}: unexpected friend line ${line}`)
    return {
      consolidated: m[1]!,
      status: m[2]!,
      basic: m[3] as LinphoneFriendPresence['basic'],
      activities: m[4] ? m[4].split('|') : [],
      note: m[5] ?? ''
    }
  }

  /** Polls `peer`'s presence until it matches. */
  waitFriend(
    peer: string,
    pred: (p: LinphoneFriendPresence) => boolean,
    timeoutMs = 15_000
  ): Promise<LinphoneFriendPresence> {
    return this.#poll(`matching presence of ${peer}`, () => this.friend(peer), timeoutMs, pred)
  }

  /** Asks `get` every 200 ms until `done` holds; the error shows the last answer. */
  async #poll<T>(
    what: string,
    get: () => Promise<T>,
    timeoutMs: number,
    done: (value: T) => boolean
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = await get()
      if (done(value)) return value
      if (Date.now() > deadline)
        throw new Error(
          `linphonec ${this.name}: no ${what} within ${timeoutMs} ms: ${JSON.stringify(value)}`
        )
      await sleep(200)
    }
  }

  /** The user opens the chat with `peer`: liblinphone sends the display notifications asked for. */
  async markRead(peer: string): Promise<void> {
    await this.labCommand(`lab-read ${peer}`)
  }

  /** The user types in the chat with `peer` (isComposing, RFC 3994). */
  async compose(peer: string): Promise<void> {
    await this.labCommand(`lab-compose ${peer}`)
  }

  async stop(): Promise<void> {
    if (isAlive(this.pid)) {
      try {
        this.#write('quit')
      } catch {
        /* stdin gone */
      }
      this.child.stdin?.end()
      const deadline = Date.now() + 3000
      while (isAlive(this.pid) && Date.now() < deadline) await sleep(50)
    }
    await stopPid(this.pid, 1000)
    rmSync(join(this.runDir, 'pids', `linphone-${this.name}.pid`), { force: true })
  }
}

function config(opts: LinphoneOptions, dir: string): string {
  const friends = (opts.contacts ?? []).map((uri, i) =>
    [
      `[friend_${i}]`,
      `url="${uri.replace(/^sips?:|@.*$/g, '')}" <${uri}>`,
      'pol=accept',
      'subscribe=1',
      ''
    ].join('\n')
  )
  const cpim = opts.cpim ? 1 : 0
  return [
    '# generated by tests/lab/linphone.ts',
    '[sip]',
    // No UDP or TCP listener; TLS on a free port on the loopback address only.
    'sip_port=0',
    'sip_tcp_port=0',
    'sip_tls_port=-1',
    'bind_address=127.0.0.1',
    'ipv6=0',
    'default_proxy=0',
    // Certificate verification on: chain to root_ca and the host name (RFC 5922).
    'verify_server_certs=1',
    'verify_server_cn=1',
    `root_ca=${opts.caFile}`,
    // GRUU off (RFC 5627): no "gruu" option tag, so the registrar hands out none.
    'supported=replaces, outbound',
    '',
    '[proxy_0]',
    `reg_proxy=<sip:${opts.domain}:${opts.proxyPort};transport=tls>`,
    `reg_identity=sip:${opts.user}@${opts.domain}`,
    'reg_expires=600',
    'reg_sendregister=1',
    `publish=${opts.publish === false ? 0 : 1}`,
    `cpim_in_basic_chat_rooms_enabled=${cpim}`,
    '',
    // liblinphone 5.1 reads this account setting from the defaults section.
    '[proxy_default_values]',
    `cpim_in_basic_chat_rooms_enabled=${cpim}`,
    '',
    '[auth_info_0]',
    `username=${opts.user}`,
    `passwd=${opts.password}`,
    `realm=${opts.domain}`,
    `domain=${opts.domain}`,
    '',
    '[storage]',
    `uri=${join(dir, 'linphone.db')}`,
    '',
    '[sound]',
    'echocancellation=0',
    '',
    ...friends
  ].join('\n')
}

export async function startLinphone(opts: LinphoneOptions): Promise<Linphone> {
  const unavailable = linphoneUnavailable()
  if (unavailable) throw new Error(unavailable)
  const name = opts.name ?? opts.user
  const dir = join(opts.runDir, 'linphone', name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'home'), { recursive: true })
  const extension = await buildExtension(join(opts.runDir, 'linphone'))
  const rc = join(dir, 'linphonerc')
  writeFileSync(rc, config(opts, dir))
  const hosts = join(dir, 'hosts')
  writeFileSync(hosts, `127.0.0.1 localhost\n127.0.0.1 ${opts.domain}\n`)
  const resolv = join(dir, 'resolv.conf')
  writeFileSync(resolv, '# no name servers: names come from the private hosts file\n')
  const log = join(dir, 'linphone.log')
  // Same name in the same run dir = same role: stop a previous instance rather than orphan it.
  const previous = readPidFiles(opts.runDir)[`linphone-${name}`]
  if (previous) await stopPid(previous, 1500)
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
  const script =
    `mount --bind ${q(hosts)} /etc/hosts && mount --bind ${q(resolv)} /etc/resolv.conf && ` +
    `exec ${LINPHONEC} -c ${q(rc)} -d 6 -l ${q(log)}`
  const nsArgs = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m']
  const child = spawn('/usr/bin/unshare', [...nsArgs, 'sh', '-c', script], {
    cwd: dir,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, HOME: join(dir, 'home'), LD_PRELOAD: extension }
  })
  if (!child.pid) throw new Error('could not spawn linphonec')
  const stderr: string[] = []
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (d: string) => {
    stderr.push(d)
    if (stderr.length > 200) stderr.shift()
  })
  mkdirSync(join(opts.runDir, 'pids'), { recursive: true })
  writeFileSync(join(opts.runDir, 'pids', `linphone-${name}.pid`), `${child.pid}\n`)
  const aor = `sip:${opts.user}@${opts.domain}`
  const lp = new Linphone(name, child, child.pid, aor, dir, opts.runDir)
  try {
    await lp.waitOutput((t) => t.includes('Warning: video is disabled') || t.length > 0, 10_000)
  } catch (e) {
    await lp.stop()
    throw new Error(
      `linphonec ${name} did not start: ${(e as Error).message}\n${stderr.join('')}`,
      {
        cause: e
      }
    )
  }
  return lp
}

/** startLinphone for a lab user over the lab's good TLS port. */
export function startLabLinphone(
  lab: LabInfo,
  user: Username,
  extra: Partial<Omit<LinphoneOptions, 'user' | 'password' | 'domain'>> = {}
): Promise<Linphone> {
  return startLinphone({
    runDir: lab.runDir,
    user,
    password: lab.users[user].password,
    domain: lab.domain,
    proxyPort: lab.ports.tls.good,
    caFile: lab.pki.rootCa,
    ...extra
  })
}
