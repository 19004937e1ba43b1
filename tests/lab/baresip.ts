// baresip as a second, independent SIP user agent for lab tests, driven over ctrl_tcp (JSON in
// netstrings on 127.0.0.1). baresip 1.0 (Debian baresip-core) has no MESSAGE event on ctrl_tcp:
// incoming MESSAGEs are read from its UI output (cons module, TCP console on 127.0.0.1), where
// the menu module prints `<peer>: "<text>"`.
// Sending a MESSAGE goes to the menu's "current contact": the helper selects it first.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import type { LabInfo, Username } from './lab'
import { freePorts, isAlive, readPidFiles, sleep, spawnDaemon, stopPid, waitTcp } from './proc'

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g')

export interface BaresipOptions {
  /** Run dir for config, log and PID file (the lab's runDir: `stopLab` then stops baresip too). */
  runDir: string
  user: string
  password: string
  domain: string
  /** Kamailio port to use as outbound proxy (TLS port for transport tls). */
  proxyPort: number
  transport?: 'tls' | 'tcp' | 'udp'
  /** PEM CA file (sip_cafile) for TLS. */
  caFile?: string
  /** Lab dnsmasq port, so baresip never asks a real resolver. */
  dnsPort?: number
  /** Peer AORs put in the contacts file (presence subscriptions, MESSAGE targets). */
  contacts?: string[]
  /** Subscribe to contacts' presence (default true). */
  subscribePresence?: boolean
  /** PUBLISH interval (s); 0 disables PUBLISH (default 600). */
  pubint?: number
  regint?: number
  /** Instance name (default user). */
  name?: string
}

export interface BaresipEvent {
  type?: string
  class?: string
  accountaor?: string
  param?: string
  [k: string]: unknown
}

export interface ReceivedMessage {
  from: string
  text: string
}

export class Baresip {
  private sock: net.Socket | undefined
  private buf = Buffer.alloc(0)
  private seq = 0
  private readonly waiting = new Map<string, (r: { ok: boolean; data: string }) => void>()
  readonly events: BaresipEvent[] = []
  private readonly eventWaiters: ((e: BaresipEvent) => void)[] = []
  private cons: net.Socket | undefined
  /** Everything the UI printed (the cons module's TCP console): incoming MESSAGEs land here. */
  private consOut = ''

  constructor(
    readonly name: string,
    readonly pid: number,
    readonly ctrlPort: number,
    readonly consPort: number,
    readonly log: string,
    readonly configDir: string,
    readonly aor: string,
    readonly contacts: string[],
    readonly runDir: string
  ) {}

  async connectCtrl(timeoutMs = 5000): Promise<void> {
    await waitTcp(this.ctrlPort, timeoutMs)
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(this.ctrlPort, '127.0.0.1', () => resolve())
      s.once('error', reject)
      s.on('data', (d) => this.onData(d))
      this.sock = s
    })
    await waitTcp(this.consPort, timeoutMs)
    await new Promise<void>((resolve, reject) => {
      const c = net.connect(this.consPort, '127.0.0.1', () => resolve())
      c.once('error', reject)
      c.setEncoding('utf8')
      c.on('data', (d: string) => {
        this.consOut += d
      })
      this.cons = c
    })
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d])
    for (;;) {
      const colon = this.buf.indexOf(':')
      if (colon < 0) return
      const len = Number(this.buf.subarray(0, colon).toString())
      if (this.buf.length < colon + 1 + len + 1) return
      const json = this.buf.subarray(colon + 1, colon + 1 + len).toString()
      this.buf = this.buf.subarray(colon + 1 + len + 1)
      let msg: Record<string, unknown>
      try {
        msg = JSON.parse(json) as Record<string, unknown>
      } catch {
        continue
      }
      if (msg.response) {
        const cb = this.waiting.get(String(msg.token))
        if (cb) {
          this.waiting.delete(String(msg.token))
          cb({
            ok: Boolean(msg.ok),
            data: typeof msg.data === 'string' ? msg.data : JSON.stringify(msg.data ?? '')
          })
        }
      } else if (msg.event) {
        const e = msg as BaresipEvent
        this.events.push(e)
        for (const w of [...this.eventWaiters]) w(e)
      }
    }
  }

  /** Runs a baresip command (long name without the slash, e.g. `reginfo`, `uanew`, `message`). */
  command(command: string, params = '', timeoutMs = 5000): Promise<{ ok: boolean; data: string }> {
    if (!this.sock) throw new Error('baresip ctrl not connected')
    const token = `t${++this.seq}`
    const json = JSON.stringify({ command, params, token })
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(token)
        reject(new Error(`baresip ${this.name}: no response to ${command}`))
      }, timeoutMs)
      this.waiting.set(token, (r) => {
        clearTimeout(t)
        resolve(r)
      })
      this.sock!.write(`${Buffer.byteLength(json)}:${json},`)
    })
  }

  waitEvent(pred: (e: BaresipEvent) => boolean, timeoutMs = 5000): Promise<BaresipEvent> {
    const seen = this.events.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const on = (e: BaresipEvent) => {
        if (!pred(e)) return
        clearTimeout(t)
        this.eventWaiters.splice(this.eventWaiters.indexOf(on), 1)
        resolve(e)
      }
      const t = setTimeout(() => {
        this.eventWaiters.splice(this.eventWaiters.indexOf(on), 1)
        reject(new Error(`baresip ${this.name}: event not seen within ${timeoutMs} ms`))
      }, timeoutMs)
      this.eventWaiters.push(on)
    })
  }

  /** Resolves once the UA is registered (reginfo says OK). */
  async waitRegistered(timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const r = await this.command('reginfo')
      const plain = r.data.replace(ANSI, '')
      if (/\sOK\s/.test(plain)) return
      if (Date.now() > deadline)
        throw new Error(
          `baresip ${this.name} not registered: ${plain.trim()}\n${this.logText().slice(-1500)}`
        )
      await sleep(100)
    }
  }

  logText(): string {
    try {
      return readFileSync(this.log, 'utf8')
    } catch {
      return ''
    }
  }

  /** MESSAGEs received so far (parsed from the log: `sip:peer@domain: "text"`). */
  received(): ReceivedMessage[] {
    const out: ReceivedMessage[] = []
    for (const line of (this.consOut + '\n' + this.logText()).replace(ANSI, '').split('\n')) {
      const m = /^(sips?:[^\s:]+(?::\d+)?(?:;[^\s:]*)?): "([\s\S]*)"$/.exec(line.trim())
      if (m) out.push({ from: m[1]!, text: m[2]! })
    }
    return out
  }

  async waitMessage(
    pred: (m: ReceivedMessage) => boolean = () => true,
    timeoutMs = 5000
  ): Promise<ReceivedMessage> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = this.received().find(pred)
      if (m) return m
      if (Date.now() > deadline)
        throw new Error(`baresip ${this.name}: no matching MESSAGE within ${timeoutMs} ms`)
      await sleep(50)
    }
  }

  /** Makes `peer` (one of the contacts) the current contact, then sends it `text` as MESSAGE. */
  async sendMessage(peer: string, text: string): Promise<void> {
    const i = this.contacts.indexOf(peer)
    if (i < 0)
      throw new Error(
        `baresip ${this.name}: ${peer} is not in its contacts (${this.contacts.join(', ')})`
      )
    for (let n = 0; n <= this.contacts.length; n++) {
      const list = (await this.command('contacts')).data.replace(ANSI, '')
      const current = list.split('\n').find((l) => l.startsWith('>'))
      if (current?.includes(`<${peer}>`)) {
        const r = await this.command('message', text)
        if (!r.ok) throw new Error(`baresip ${this.name}: message failed: ${r.data}`)
        return
      }
      await this.command('contact_next')
    }
    throw new Error(`baresip ${this.name}: could not select contact ${peer}`)
  }

  /** PUBLISH presence (needs pubint > 0). */
  async setPresence(status: 'online' | 'offline'): Promise<void> {
    await this.command(status === 'online' ? 'presence_online' : 'presence_offline')
  }

  /** The contacts list as baresip shows it (includes presence state: Online/Offline/Unknown). */
  async contactsStatus(): Promise<string> {
    return (await this.command('contacts')).data.replace(ANSI, '')
  }

  async stop(): Promise<void> {
    if (this.sock && isAlive(this.pid)) {
      await this.command('quit', '', 1000).catch(() => undefined)
    }
    this.sock?.destroy()
    this.cons?.destroy()
    await stopPid(this.pid, 2000)
    rmSync(join(this.runDir, 'pids', `baresip-${this.name}.pid`), { force: true })
  }
}

export async function startBaresip(opts: BaresipOptions): Promise<Baresip> {
  const name = opts.name ?? opts.user
  const transport = opts.transport ?? 'tls'
  const dir = join(opts.runDir, 'baresip', name)
  mkdirSync(dir, { recursive: true })
  const [ctrlPort, consPort] = await freePorts(2)
  const aor = `sip:${opts.user}@${opts.domain}`
  const contacts = opts.contacts ?? []
  const pubint = opts.pubint ?? 600
  writeFileSync(
    join(dir, 'config'),
    [
      '# generated by tests/lab/baresip.ts',
      'sip_listen 127.0.0.1:0',
      ...(opts.caFile ? [`sip_cafile ${opts.caFile}`] : []),
      ...(opts.dnsPort ? [`dns_server 127.0.0.1:${opts.dnsPort}`] : []),
      'module_path /usr/lib/baresip/modules',
      'module_app account.so',
      'module_app contact.so',
      'module_app menu.so',
      'module_app presence.so',
      'module_app ctrl_tcp.so',
      'module_app cons.so',
      `cons_listen 127.0.0.1:${consPort}`,
      `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
      ''
    ].join('\n')
  )
  const esc = (s: string) => s.replace(/[;"]/g, '')
  writeFileSync(
    join(dir, 'accounts'),
    `<${aor};transport=${transport}>;auth_user=${esc(opts.user)};auth_pass=${esc(opts.password)};` +
      `outbound="sip:127.0.0.1:${opts.proxyPort};transport=${transport}";regint=${opts.regint ?? 600};pubint=${pubint}\n`
  )
  const presence = opts.subscribePresence ?? true
  writeFileSync(
    join(dir, 'contacts'),
    contacts
      .map((c) => `"${c.replace(/^sips?:|@.*$/g, '')}" <${c}>${presence ? ';presence=p2p' : ''}\n`)
      .join('')
  )
  // Same name in the same run dir = same role: stop a previous instance rather than orphan it.
  const previous = readPidFiles(opts.runDir)[`baresip-${name}`]
  if (previous) await stopPid(previous, 1500)
  const d = spawnDaemon(opts.runDir, `baresip-${name}`, '/usr/bin/baresip', ['-f', dir], dir)
  const b = new Baresip(name, d.pid, ctrlPort!, consPort!, d.log, dir, aor, contacts, opts.runDir)
  try {
    await b.connectCtrl()
  } catch (e) {
    await stopPid(d.pid, 500)
    throw new Error(`baresip ${name} did not start: ${(e as Error).message}\n${b.logText()}`, {
      cause: e
    })
  }
  return b
}

/** startBaresip for a lab user over the lab's good TLS port (or tcp/udp). */
export function startLabBaresip(
  lab: LabInfo,
  user: Username,
  extra: Partial<Omit<BaresipOptions, 'user' | 'password' | 'domain'>> = {}
): Promise<Baresip> {
  const transport = extra.transport ?? 'tls'
  const proxyPort =
    transport === 'tls' ? lab.ports.tls.good : transport === 'tcp' ? lab.ports.tcp : lab.ports.udp
  return startBaresip({
    runDir: lab.runDir,
    user,
    password: lab.users[user].password,
    domain: lab.domain,
    proxyPort,
    caFile: lab.pki.rootCa,
    dnsPort: lab.ports.dns,
    ...extra
  })
}
