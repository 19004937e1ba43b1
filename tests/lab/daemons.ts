// The lab's daemons, started the same way by the main lab (lab.ts) and the federation partner
// lab (partner.ts): each detached with a PID file under `<runDir>/pids` (see proc.ts).
import { Resolver } from 'node:dns/promises'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sleep, spawnDaemon, type Daemon } from './proc'

const HERE = dirname(fileURLToPath(import.meta.url))

/** One OCSP responder of the PKI server (see pki-server.mjs). */
export interface OcspResponderConfig {
  port: number
  index: string
  ca: string
  signerCert: string
  signerKey: string
}

/** The PKI server (plain node, no tsx): `www` over HTTP (AIA, CRLs) and the OCSP responders. */
export function startPkiServer(
  runDir: string,
  config: { www: string; httpPort: number; ocsp: OcspResponderConfig[] }
): Daemon {
  const file = join(runDir, 'pki-server.json')
  writeFileSync(file, JSON.stringify(config, null, 2))
  return spawnDaemon(
    runDir,
    'pki-server',
    process.execPath,
    [join(HERE, 'pki-server.mjs'), file],
    HERE
  )
}

/** dnsmasq on 127.0.0.1:`port`, nothing but `records` (its --address/--srv-host/… options). */
export function startDnsmasq(runDir: string, port: number, records: string[]): Daemon {
  return spawnDaemon(runDir, 'dnsmasq', '/usr/sbin/dnsmasq', [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--bind-interfaces',
    '--listen-address=127.0.0.1',
    `--port=${port}`,
    `--pid-file=${join(runDir, 'dnsmasq.own.pid')}`,
    '--log-queries',
    '--log-facility=-',
    '--local-ttl=5',
    ...records
  ])
}

/**
 * Kamailio with `cfg`: -DD = no daemonize but fork workers (they share the process group that
 * stopping kills); shared and private memory in MB.
 */
export function startKamailio(
  runDir: string,
  cfg: string,
  memory: { sharedMb: number; privateMb: number }
): Daemon {
  const rt = join(runDir, 'kamailio', 'rt')
  mkdirSync(rt, { recursive: true })
  return spawnDaemon(runDir, 'kamailio', '/usr/sbin/kamailio', [
    '-DD',
    '-E',
    '-f',
    cfg,
    '-Y',
    rt,
    '-P',
    join(rt, 'kamailio.pid'),
    '-m',
    String(memory.sharedMb),
    '-M',
    String(memory.privateMb)
  ])
}

/** Waits until dnsmasq on `port` answers an A query for `name`. */
export async function waitDns(port: number, name: string, timeoutMs: number): Promise<void> {
  const r = new Resolver({ timeout: 300, tries: 1 })
  r.setServers([`127.0.0.1:${port}`])
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await r.resolve4(name)
      return
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`dnsmasq not answering on ${port}: ${(e as Error).message}`, { cause: e })
      await sleep(50)
    }
  }
}
