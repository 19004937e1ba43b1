// The real SIP lab: Kamailio (registrar, digest auth, presence, MESSAGE relay) with one TLS
// listener per certificate scenario, a PKI server (AIA/CRL over HTTP + OCSP), and dnsmasq for
// SRV/NAPTR/A records — all on 127.0.0.1, free ports, per-run certificates, every daemon
// started detached with a PID file under `runDir/pids` and stopped by that PID.
//
//   const lab = await startLab()           // or startLab({ runDir: mkdtemp... })
//   lab.ports.tls.good, lab.users.alice.password, lab.pki.rootCa ...
//   await lab.stop()
import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generatePki, LAB_DOMAIN, WRONG_HOST, type LabPki } from './certs'
import { startDnsmasq, startKamailio, startPkiServer, waitDns } from './daemons'
import {
  repairKamailioTables,
  writeKamailioConfig,
  type KamailioPorts,
  type LabUser
} from './kamailio'
import { freePorts, isAlive, readPidFiles, stopAll, stopPid, waitTcp } from './proc'

export { LAB_DOMAIN, WRONG_HOST }
export type { LabPki, LabUser, KamailioPorts }

const HERE = dirname(fileURLToPath(import.meta.url))
export const DEFAULT_RUN_DIR = join(HERE, 'run')
export const HIJACK_DOMAIN = 'hijack.trustline.test'
export const USERNAMES = ['alice', 'bob', 'carol', 'dave'] as const
export type Username = (typeof USERNAMES)[number]

export type TlsScenario = keyof KamailioPorts['tls']
export const TLS_SCENARIOS: TlsScenario[] = [
  'good',
  'expired',
  'wrongHost',
  'selfSigned',
  'unknownCa',
  'missingIntermediate',
  'revoked',
  'mtls'
]

export interface LabInfo {
  runDir: string
  host: '127.0.0.1'
  domain: string
  /** SRV for this domain points at lab.trustline.test:good — a cert that does not name it. */
  hijackDomain: string
  /** DNS name the wrong-host certificate is issued to. */
  wrongHostName: string
  ports: KamailioPorts & { http: number; ocsp: number; ocspRoot: number; dns: number }
  urls: { http: string; ocsp: string; ocspRoot: string }
  /** DNS names (all resolve to 127.0.0.1 via lab dnsmasq) with SRV _sips._tcp/_sip._tls → scenario port. */
  scenarioDomains: Record<TlsScenario, string>
  users: Record<Username, LabUser>
  /** user1..userN when `extraUsers` was given (same domain, realm and auth as the named users). */
  extraUsers: LabUser[]
  pki: LabPki
  kamailio: { cfg: string; tlsCfg: string; log: string }
  logs: Record<string, string>
  pids: Record<string, number>
  startedAt: string
}

export interface Lab extends LabInfo {
  stop(): Promise<void>
  /** Kills Kamailio (the whole process group) by PID, as a crash would; the rest stays up. */
  stopKamailio(): Promise<void>
  /** Starts Kamailio again with the same config and ports, and waits until it listens. */
  startKamailio(): Promise<void>
}

export interface StartLabOptions {
  /** Where PID files, logs, certs and configs go. Default tests/lab/run. Wiped at start. */
  runDir?: string
  /** Use consecutive ports from this base instead of free ports picked at start. */
  basePort?: number
  /** Fixed passwords (default: random per run). */
  passwords?: Partial<Record<Username, string>>
  /** Kamailio debug level (default 2; 3 logs every message). */
  kamailioDebug?: number
  /** Timeout for everything to be up, ms (default 15000). */
  timeoutMs?: number
  /** Extra users user1..userN (password `userN-<random>`), e.g. for benchmarks: `lab.extraUsers`. */
  extraUsers?: number
  /** Kill the lab's processes when this Node process exits (tests: true; the CLI: false). */
  stopOnExit?: boolean
  /**
   * More dnsmasq records for a test's own scenarios, as dnsmasq options (`--srv-host=…`,
   * `--naptr-record=…`); every name under trustline.test already resolves to 127.0.0.1.
   */
  extraDns?: string[]
}

const PORT_NAMES = [
  'udp',
  'tcp',
  'ws',
  'wss',
  ...TLS_SCENARIOS.map((s) => `tls.${s}`),
  'http',
  'ocsp',
  'ocspRoot',
  'dns'
] as const

function scenarioDomain(s: TlsScenario): string {
  return s === 'good'
    ? LAB_DOMAIN
    : `${s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}.${LAB_DOMAIN}`
}

function dnsRecords(info: {
  ports: LabInfo['ports']
  scenarioDomains: LabInfo['scenarioDomains']
}): string[] {
  const p = info.ports
  const args = [
    `--address=/trustline.test/127.0.0.1`,
    // lab.trustline.test: the "good" server
    `--srv-host=_sips._tcp.${LAB_DOMAIN},${LAB_DOMAIN},${p.tls.good},0,10`,
    `--srv-host=_sip._tls.${LAB_DOMAIN},${LAB_DOMAIN},${p.tls.good},0,10`,
    `--srv-host=_sip._tcp.${LAB_DOMAIN},${LAB_DOMAIN},${p.tcp},0,10`,
    `--srv-host=_sip._udp.${LAB_DOMAIN},${LAB_DOMAIN},${p.udp},0,10`,
    `--naptr-record=${LAB_DOMAIN},10,10,S,SIPS+D2T,,_sips._tcp.${LAB_DOMAIN}`,
    `--naptr-record=${LAB_DOMAIN},20,10,S,SIP+D2T,,_sip._tcp.${LAB_DOMAIN}`,
    `--naptr-record=${LAB_DOMAIN},30,10,S,SIP+D2U,,_sip._udp.${LAB_DOMAIN}`,
    // hijack: SRV in a domain the server certificate does not name
    `--srv-host=_sips._tcp.${HIJACK_DOMAIN},${LAB_DOMAIN},${p.tls.good},0,10`,
    `--srv-host=_sip._tls.${HIJACK_DOMAIN},${LAB_DOMAIN},${p.tls.good},0,10`,
    `--naptr-record=${HIJACK_DOMAIN},10,10,S,SIPS+D2T,,_sips._tcp.${HIJACK_DOMAIN}`
  ]
  for (const s of TLS_SCENARIOS) {
    if (s === 'good') continue
    const d = info.scenarioDomains[s]
    args.push(`--srv-host=_sips._tcp.${d},${d},${p.tls[s]},0,10`)
    args.push(`--srv-host=_sip._tls.${d},${d},${p.tls[s]},0,10`)
  }
  return args
}

function assertAlive(name: string, pid: number, log: string): void {
  if (!isAlive(pid)) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : ''
    throw new Error(`lab: ${name} (pid ${pid}) exited during start-up; log ${log}:\n${tail}`)
  }
}

export async function startLab(opts: StartLabOptions = {}): Promise<Lab> {
  const t0 = Date.now()
  const runDir = resolve(opts.runDir ?? DEFAULT_RUN_DIR)
  const timeoutMs = opts.timeoutMs ?? 15_000
  // A previous lab in the same run dir? Stop it by its PID files first, then start clean.
  if (Object.keys(readPidFiles(runDir)).length > 0) await stopAll(runDir)
  rmSync(runDir, { recursive: true, force: true })
  mkdirSync(runDir, { recursive: true })

  const list = opts.basePort
    ? PORT_NAMES.map((_, i) => opts.basePort! + i)
    : await freePorts(PORT_NAMES.length)
  const at = (name: (typeof PORT_NAMES)[number]) => list[PORT_NAMES.indexOf(name)]!
  const ports: LabInfo['ports'] = {
    udp: at('udp'),
    tcp: at('tcp'),
    ws: at('ws'),
    wss: at('wss'),
    tls: Object.fromEntries(TLS_SCENARIOS.map((s) => [s, at(`tls.${s}`)])) as KamailioPorts['tls'],
    http: at('http'),
    ocsp: at('ocsp'),
    ocspRoot: at('ocspRoot'),
    dns: at('dns')
  }
  const urls = {
    http: `http://127.0.0.1:${ports.http}`,
    ocsp: `http://127.0.0.1:${ports.ocsp}`,
    ocspRoot: `http://127.0.0.1:${ports.ocspRoot}`
  }
  const users = Object.fromEntries(
    USERNAMES.map((u) => [
      u,
      {
        username: u,
        password: opts.passwords?.[u] ?? `${u}-${randomBytes(6).toString('hex')}`,
        uri: `sip:${u}@${LAB_DOMAIN}`
      }
    ])
  ) as Record<Username, LabUser>
  const extraUsers: LabUser[] = Array.from({ length: opts.extraUsers ?? 0 }, (_, i) => ({
    username: `user${i + 1}`,
    password: `user${i + 1}-${randomBytes(4).toString('hex')}`,
    uri: `sip:user${i + 1}@${LAB_DOMAIN}`
  }))
  const scenarioDomains = Object.fromEntries(
    TLS_SCENARIOS.map((s) => [s, scenarioDomain(s)])
  ) as Record<TlsScenario, string>

  const pki = await generatePki(join(runDir, 'pki'), urls)
  const kam = writeKamailioConfig(
    join(runDir, 'kamailio'),
    ports,
    [...Object.values(users), ...extraUsers],
    pki,
    {
      debug: opts.kamailioDebug ?? 2,
      extraAliases: [
        HIJACK_DOMAIN,
        ...Object.values(scenarioDomains).filter((d) => d !== LAB_DOMAIN)
      ]
    }
  )

  const logs: Record<string, string> = {}
  const pids: Record<string, number> = {}
  const lab: Lab = {
    runDir,
    host: '127.0.0.1',
    domain: LAB_DOMAIN,
    hijackDomain: HIJACK_DOMAIN,
    wrongHostName: WRONG_HOST,
    ports,
    urls,
    scenarioDomains,
    users,
    extraUsers,
    pki,
    kamailio: { cfg: kam.cfg, tlsCfg: kam.tlsCfg, log: join(runDir, 'logs', 'kamailio.log') },
    logs,
    pids,
    startedAt: new Date().toISOString(),
    stop: async () => {
      await stopLab(runDir)
    },
    stopKamailio: async () => {
      await stopPid(pids.kamailio!, 0)
      rmSync(join(runDir, 'pids', 'kamailio.pid'), { force: true })
    },
    startKamailio: async () => {
      const repaired = repairKamailioTables(kam.dbDir)
      if (repaired.length) {
        const note = `lab: reset ${repaired.join(', ')} before the restart (cut off by the kill)\n`
        appendFileSync(join(runDir, 'logs', 'kamailio.log'), note)
      }
      spawnKamailio()
      const listening = [ports.tcp, ports.ws, ports.wss, ...Object.values(ports.tls)]
      await Promise.all(listening.map((p) => waitTcp(p, timeoutMs)))
    }
  }

  function spawnKamailio(): void {
    const k = startKamailio(runDir, kam.cfg, { sharedMb: 64, privateMb: 16 })
    pids.kamailio = k.pid
    logs.kamailio = k.log
  }

  try {
    // PKI server (HTTP AIA/CRL + OCSP).
    const pkiSrv = startPkiServer(runDir, {
      www: join(pki.dir, 'www'),
      httpPort: ports.http,
      ocsp: [
        {
          port: ports.ocsp,
          index: pki.intermediateIndex,
          ca: pki.intermediateCa,
          signerCert: pki.ocspSigner.cert,
          signerKey: pki.ocspSigner.key
        },
        {
          port: ports.ocspRoot,
          index: pki.rootIndex,
          ca: pki.rootCa,
          signerCert: pki.rootOcspSigner.cert,
          signerKey: pki.rootOcspSigner.key
        }
      ]
    })
    pids['pki-server'] = pkiSrv.pid
    logs['pki-server'] = pkiSrv.log

    // dnsmasq
    const dns = startDnsmasq(runDir, ports.dns, [
      ...dnsRecords({ ports, scenarioDomains }),
      ...(opts.extraDns ?? [])
    ])
    pids.dnsmasq = dns.pid
    logs.dnsmasq = dns.log

    spawnKamailio()

    const all = [ports.tcp, ports.ws, ports.wss, ...Object.values(ports.tls)]
    await Promise.all([
      waitTcp(ports.http, timeoutMs),
      waitTcp(ports.ocsp, timeoutMs),
      waitTcp(ports.ocspRoot, timeoutMs),
      waitDns(ports.dns, LAB_DOMAIN, timeoutMs),
      ...all.map((p) => waitTcp(p, timeoutMs))
    ]).catch((e) => {
      for (const [n, pid] of Object.entries(pids)) assertAlive(n, pid, logs[n]!)
      throw e
    })
    for (const [n, pid] of Object.entries(pids)) assertAlive(n, pid, logs[n]!)
  } catch (e) {
    await stopLab(runDir)
    throw e
  }

  const info = Object.fromEntries(
    Object.entries(lab).filter(([k]) => k !== 'stop')
  ) as unknown as LabInfo
  writeFileSync(
    join(runDir, 'lab.json'),
    JSON.stringify({ ...info, startMs: Date.now() - t0 }, null, 2) + '\n'
  )
  if (opts.stopOnExit) {
    // last resort if the test process dies without lab.stop(): synchronous SIGKILL by PID group
    const pidsNow = () => Object.values(readPidFiles(runDir))
    process.once('exit', () => {
      for (const pid of pidsNow()) {
        try {
          process.kill(-pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
    })
  }
  return lab
}

/** Stops every process with a PID file in runDir (lab daemons and baresip instances). */
export async function stopLab(runDir: string = DEFAULT_RUN_DIR): Promise<string[]> {
  return stopAll(resolve(runDir))
}

/** Reads `runDir/lab.json` (written by startLab) — for tests that reuse a lab started by the CLI. */
export function readLabInfo(runDir: string = DEFAULT_RUN_DIR): LabInfo {
  return JSON.parse(readFileSync(join(resolve(runDir), 'lab.json'), 'utf8')) as LabInfo
}

export function labStatus(
  runDir: string = DEFAULT_RUN_DIR
): { name: string; pid: number; alive: boolean }[] {
  return Object.entries(readPidFiles(resolve(runDir))).map(([name, pid]) => ({
    name,
    pid,
    alive: isAlive(pid)
  }))
}
