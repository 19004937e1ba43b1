// The federation partner lab: a second SIP domain run by its own Kamailio instance, with its own
// CA, that requires and verifies client certificates (server-to-server mutual TLS) and answers
// OPTIONS; its own dnsmasq carries `_sipfederationtls._tcp` (and, for one scenario, only
// `_sips._tcp`). One TLS listener and one DNS domain per scenario, as the main lab does for its
// TLS scenarios. It also issues "our" edge certificates (the side TrustLine checks from).
//
// Started only when asked (`startPartnerLab()`, `npm run lab -- start --partner`), so the main
// lab's start time does not change. Everything on 127.0.0.1, free ports, per-run certificates,
// PID files under `<runDir>/pids`, stopped by PID.
//
//   const partner = await startPartnerLab({ runDir: mkdtemp... })
//   partner.scenarios.ready.domain, partner.pki.our.edge.p12, partner.ports.dns
//   await partner.stop()
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { LAB_DOMAIN, setupCaDir } from './certs'
import { startDnsmasq, startKamailio, startPkiServer, waitDns } from './daemons'
import { freePorts, isAlive, readPidFiles, run, stopAll, waitTcp } from './proc'

/** Parent of every partner domain (`<scenario>.partner.test`). */
export const PARTNER_PARENT = 'partner.test'
/** A hosting provider's domain, outside every partner domain (the SRV-outside-the-domain case). */
export const HOSTING_DOMAIN = 'partner-hosting.test'
/** The name the wrong-name scenario's certificate is issued to. */
export const OTHER_NAME = 'sip.other-company.test'
/** Our own SIP domain (the edge TrustLine checks from): the main lab's domain. */
export const OUR_DOMAIN = LAB_DOMAIN

/** How the partner's Kamailio answers an OPTIONS request on a listener. */
export type OptionsAnswer = 200 | 403 | 404 | 503 | 'silent'

/** What one scenario listener is. */
interface ScenarioSpec {
  /** Leaf certificate the partner presents. */
  cert: 'good' | 'noClientAuth' | 'wrongName' | 'expired' | 'hosting' | 'hostingNamed'
  /** Which CAs it accepts for client certificates. */
  trusts: 'ours' | 'own-only'
  /** TLS versions offered (TLS 1.2 shows the CertificateRequest in the clear). */
  method: 'TLSv1.2+' | 'TLSv1.2'
  options: OptionsAnswer
  /** DNS: the federation SRV record, or only RFC 3263 `_sips._tcp`. */
  srv: 'federation' | 'sips-only'
  /** SRV target: `sip.<domain>` or a host at the hosting provider. */
  target: 'in-domain' | 'hosting'
}

const SPECS = {
  ready: spec({}),
  partnerNoClientAuth: spec({ cert: 'noClientAuth' }),
  distrustsOurCa: spec({ trusts: 'own-only', method: 'TLSv1.2' }),
  wrongName: spec({ cert: 'wrongName' }),
  outsideDomain: spec({ cert: 'hosting', target: 'hosting' }),
  outsideNamed: spec({ cert: 'hostingNamed', target: 'hosting' }),
  expired: spec({ cert: 'expired' }),
  noFederationSrv: spec({ srv: 'sips-only' }),
  options403: spec({ options: 403 }),
  options404: spec({ options: 404 }),
  options503: spec({ options: 503 }),
  silent: spec({ options: 'silent' })
} satisfies Record<string, ScenarioSpec>

function spec(o: Partial<ScenarioSpec>): ScenarioSpec {
  return {
    cert: 'good',
    trusts: 'ours',
    method: 'TLSv1.2+',
    options: 200,
    srv: 'federation',
    target: 'in-domain',
    ...o
  }
}

/** A partner scenario: one listener, one DNS domain. */
export type PartnerScenario = keyof typeof SPECS

/** Every partner scenario, in a stable order. */
export const PARTNER_SCENARIOS = Object.keys(SPECS) as PartnerScenario[]

/** One scenario as tests use it. */
export interface PartnerScenarioInfo {
  /** The partner's SIP domain, e.g. `ready.partner.test`. */
  domain: string
  /** The SRV target (the name the partner's certificate should carry). */
  host: string
  port: number
  options: OptionsAnswer
  srv: ScenarioSpec['srv']
  method: ScenarioSpec['method']
}

/** One of our edge identities: PEM certificate + key, the same as PKCS#12. */
export interface EdgeIdentity {
  cert: string
  key: string
  /** Certificate and key in one PEM file. */
  pem: string
  p12: string
  p12Password: string
}

/** The partner lab's certificates. */
export interface PartnerPki {
  dir: string
  /** Our organisation's private CA (issues `our.edge`): trusted by the partner. */
  ourCa: string
  /** A CA standing in for a public one (issues `our.serverOnly`): trusted by the partner too. */
  publicCa: string
  /** The partner's root CA (add it to our anchors to trust the partner). */
  partnerCa: string
  partnerIntermediate: string
  our: {
    /** sip.lab.trustline.test, serverAuth + clientAuth, from ourCa. */
    edge: EdgeIdentity
    /** The same names, serverAuth only, from publicCa, issued today (after 2026-06-15). */
    serverOnly: EdgeIdentity
  }
}

/** What `startPartnerLab` returns (and writes to `<runDir>/partner.json`, without stop). */
export interface PartnerLabInfo {
  runDir: string
  host: '127.0.0.1'
  ourDomain: string
  /** dns: dnsmasq; http: the CRLs (`/partner-issuing.crl`, …); one TLS port per scenario. */
  ports: { dns: number; http: number } & Record<PartnerScenario, number>
  scenarios: Record<PartnerScenario, PartnerScenarioInfo>
  pki: PartnerPki
  kamailio: { cfg: string; tlsCfg: string }
  logs: Record<string, string>
  pids: Record<string, number>
}

/** A running partner lab. */
export interface PartnerLab extends PartnerLabInfo {
  stop(): Promise<void>
}

/** Options of startPartnerLab. */
export interface StartPartnerLabOptions {
  /** Where PID files, logs, certificates and configs go; wiped at start. */
  runDir: string
  timeoutMs?: number
  /** Kill the processes when this Node process exits (tests). */
  stopOnExit?: boolean
  /** Kamailio debug level (default 2). */
  kamailioDebug?: number
}

const KEYOPT = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

function scenarioDomain(s: PartnerScenario): string {
  return `${s.replace(/[A-Z0-9]+/g, (c) => '-' + c.toLowerCase())}.${PARTNER_PARENT}`
}

function scenarioTarget(s: PartnerScenario): string {
  return SPECS[s].target === 'hosting'
    ? `${s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}.edge.${HOSTING_DOMAIN}`
    : `sip.${scenarioDomain(s)}`
}

function leafExt(name: string, eku: string, san: string, crl: string): string {
  return `[ ${name} ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = ${eku}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${san}
crlDistributionPoints = URI:${crl}
`
}

/** The CAs and the CRL each publishes on the partner lab's HTTP server. */
const CRLS = {
  'our-ca': 'our-ca.crl',
  'public-ca': 'public-ca.crl',
  'partner-root': 'partner-root.crl',
  'partner-intermediate': 'partner-issuing.crl'
} as const

async function generatePartnerPki(
  dir: string,
  scenarios: Record<PartnerScenario, PartnerScenarioInfo>,
  http: string
): Promise<{ pki: PartnerPki; leaves: Record<PartnerScenario, { chain: string; key: string }> }> {
  mkdirSync(join(dir, 'www'), { recursive: true })
  const p = (f: string) => join(dir, f)
  const crl = (ca: keyof typeof CRLS) => `${http}/${CRLS[ca]}`
  const both = 'serverAuth,clientAuth'
  const sanFor = (s: PartnerScenario) => {
    const { domain, host } = scenarios[s]
    switch (SPECS[s].cert) {
      case 'wrongName':
        return `DNS:${OTHER_NAME}`
      case 'hosting':
        return `DNS:${host}`
      case 'hostingNamed':
        return `DNS:${host},URI:sip:${domain}`
      default:
        return `DNS:${host},DNS:${domain},URI:sip:${domain}`
    }
  }
  const ourSan = `DNS:sip.${OUR_DOMAIN},DNS:${OUR_DOMAIN},URI:sip:${OUR_DOMAIN}`
  writeFileSync(
    p('ext.cnf'),
    `[ req ]
distinguished_name = dn
[ dn ]
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_intermediate ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:${crl('partner-root')}
${leafExt('v3_our_edge', both, ourSan, crl('our-ca'))}
${leafExt('v3_our_server_only', 'serverAuth', ourSan, crl('public-ca'))}
${PARTNER_SCENARIOS.map((s) =>
  leafExt(
    `v3_${s}`,
    SPECS[s].cert === 'noClientAuth' ? 'serverAuth' : both,
    sanFor(s),
    crl('partner-intermediate')
  )
).join('\n')}`
  )
  const setupCa = (name: string) => setupCaDir(dir, name)
  const root = (d: string, subject: string) =>
    run('openssl', [
      'req',
      '-x509',
      ...KEYOPT,
      '-keyout',
      join(d, 'ca.key'),
      '-out',
      join(d, 'ca.pem'),
      '-days',
      '3650',
      '-subj',
      subject,
      '-config',
      p('ext.cnf'),
      '-extensions',
      'v3_root'
    ])
  const req = (name: string, subject: string) =>
    run('openssl', [
      'req',
      '-new',
      ...KEYOPT,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.csr`),
      '-subj',
      subject
    ])
  const sign = (ca: string, name: string, section: string, extra: string[] = []) =>
    run('openssl', [
      'ca',
      '-batch',
      '-notext',
      '-config',
      join(ca, 'ca.cnf'),
      '-extfile',
      p('ext.cnf'),
      '-extensions',
      section,
      '-in',
      p(`${name}.csr`),
      '-out',
      p(`${name}.pem`),
      ...extra
    ])

  const ourCa = setupCa('our-ca')
  const publicCa = setupCa('public-ca')
  const partnerRoot = setupCa('partner-root')
  const partnerInt = setupCa('partner-intermediate')
  await Promise.all([
    root(ourCa, '/O=TrustLine Lab/CN=TrustLine Lab Edge CA'),
    root(publicCa, '/O=Lab Public Trust/CN=Lab Public TLS Root CA'),
    root(partnerRoot, '/O=Partner Lab/CN=Partner Lab Root CA'),
    run('openssl', [
      'req',
      '-new',
      ...KEYOPT,
      '-keyout',
      join(partnerInt, 'ca.key'),
      '-out',
      join(partnerInt, 'ca.csr'),
      '-subj',
      '/O=Partner Lab/CN=Partner Lab Issuing CA'
    ]),
    req('our-edge', `/O=TrustLine Lab/CN=sip.${OUR_DOMAIN}`),
    req('our-server-only', `/O=TrustLine Lab/CN=sip.${OUR_DOMAIN}`),
    ...PARTNER_SCENARIOS.map((s) =>
      req(
        `partner-${s}`,
        `/O=Partner Lab/CN=${SPECS[s].cert === 'wrongName' ? OTHER_NAME : scenarios[s].host}`
      )
    )
  ])
  await run('openssl', [
    'ca',
    '-batch',
    '-notext',
    '-config',
    join(partnerRoot, 'ca.cnf'),
    '-extfile',
    p('ext.cnf'),
    '-extensions',
    'v3_intermediate',
    '-days',
    '3650',
    '-in',
    join(partnerInt, 'ca.csr'),
    '-out',
    join(partnerInt, 'ca.pem')
  ])
  await Promise.all([
    sign(ourCa, 'our-edge', 'v3_our_edge'),
    sign(publicCa, 'our-server-only', 'v3_our_server_only')
  ])
  // `openssl ca` owns its index file: one CA's leaves one after the other.
  for (const s of PARTNER_SCENARIOS) {
    await sign(
      partnerInt,
      `partner-${s}`,
      `v3_${s}`,
      SPECS[s].cert === 'expired'
        ? ['-startdate', '20230101000000Z', '-enddate', '20240101000000Z']
        : []
    )
  }

  // Every CA publishes a CRL, so revocation checking has a real answer ("good").
  await Promise.all(
    (Object.keys(CRLS) as (keyof typeof CRLS)[]).map(async (ca) => {
      const pem = p(`${ca}.crl.pem`)
      await run('openssl', [
        'ca',
        '-batch',
        '-config',
        join(p(ca), 'ca.cnf'),
        '-gencrl',
        '-out',
        pem
      ])
      await run('openssl', [
        'crl',
        '-in',
        pem,
        '-outform',
        'DER',
        '-out',
        join(dir, 'www', CRLS[ca])
      ])
    })
  )
  const cat = (out: string, ...files: string[]) =>
    writeFileSync(out, files.map((f) => readFileSync(f, 'utf8').trimEnd() + '\n').join(''))
  const identity = async (name: string, password: string): Promise<EdgeIdentity> => {
    cat(p(`${name}.bundle.pem`), p(`${name}.pem`), p(`${name}.key`))
    await run('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      p(`${name}.key`),
      '-in',
      p(`${name}.pem`),
      '-name',
      `sip.${OUR_DOMAIN}`,
      '-out',
      p(`${name}.p12`),
      '-passout',
      `pass:${password}`
    ])
    return {
      cert: p(`${name}.pem`),
      key: p(`${name}.key`),
      pem: p(`${name}.bundle.pem`),
      p12: p(`${name}.p12`),
      p12Password: password
    }
  }
  const [edge, serverOnly] = await Promise.all([
    identity('our-edge', 'edge-p12'),
    identity('our-server-only', 'edge-p12')
  ])
  // What the partner accepts for client certificates: our private CA and the "public" one, or
  // (distrustsOurCa) only its own.
  cat(p('trusts-ours.pem'), join(ourCa, 'ca.pem'), join(publicCa, 'ca.pem'))
  cat(p('trusts-own-only.pem'), join(partnerRoot, 'ca.pem'))
  const leaves = Object.fromEntries(
    PARTNER_SCENARIOS.map((s) => {
      cat(p(`partner-${s}.chain.pem`), p(`partner-${s}.pem`), join(partnerInt, 'ca.pem'))
      return [s, { chain: p(`partner-${s}.chain.pem`), key: p(`partner-${s}.key`) }]
    })
  ) as Record<PartnerScenario, { chain: string; key: string }>
  return {
    pki: {
      dir,
      ourCa: join(ourCa, 'ca.pem'),
      publicCa: join(publicCa, 'ca.pem'),
      partnerCa: join(partnerRoot, 'ca.pem'),
      partnerIntermediate: join(partnerInt, 'ca.pem'),
      our: { edge, serverOnly }
    },
    leaves
  }
}

function writePartnerKamailio(
  dir: string,
  info: { ports: PartnerLabInfo['ports']; pki: PartnerPki },
  leaves: Record<PartnerScenario, { chain: string; key: string }>,
  debug: number
): { cfg: string; tlsCfg: string } {
  mkdirSync(dir, { recursive: true })
  const tlsCfg = join(dir, 'tls.cfg')
  const profile = (s: PartnerScenario) => `
[server:127.0.0.1:${info.ports[s]}]
method = ${SPECS[s].method}
certificate = ${leaves[s].chain}
private_key = ${leaves[s].key}
verify_certificate = yes
require_certificate = yes
ca_list = ${join(info.pki.dir, `trusts-${SPECS[s].trusts}.pem`)}
verify_depth = 3
`
  writeFileSync(
    tlsCfg,
    `# generated by tests/lab/partner.ts\n${PARTNER_SCENARIOS.map(profile).join('')}
[server:default]
method = TLSv1.2+
certificate = ${leaves.ready.chain}
private_key = ${leaves.ready.key}
verify_certificate = yes
require_certificate = yes
ca_list = ${join(info.pki.dir, 'trusts-ours.pem')}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`
  )
  const answers = PARTNER_SCENARIOS.filter((s) => SPECS[s].options !== 200).map((s) => {
    const a = SPECS[s].options
    const reply =
      a === 'silent'
        ? '# silent: the TLS connection stays up, the request is never answered\n\t\t'
        : a === 403
          ? 'sl_send_reply("403", "Forbidden (domain not federated)");'
          : a === 404
            ? 'sl_send_reply("404", "Not Found");'
            : 'sl_send_reply("503", "Service Unavailable");'
    return `\tif ($Rp == ${info.ports[s]}) { ${reply} exit; }`
  })
  const cfg = join(dir, 'kamailio.cfg')
  writeFileSync(
    cfg,
    `#!KAMAILIO
# generated by tests/lab/partner.ts — the federation partner's edge server
debug=${debug}
log_stderror=yes
log_prefix="{$mt $hdr(CSeq) $ci} "
children=1
tcp_children=2
auto_aliases=no
${PARTNER_SCENARIOS.map((s) => `listen=tls:127.0.0.1:${info.ports[s]}`).join('\n')}
enable_tls=yes
tcp_accept_no_cl=yes
server_header="Server: Partner-Edge (kamailio)"
dns=no
rev_dns=no
use_dns_cache=no

loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "tls.so"

modparam("tls", "config", "${tlsCfg}")
modparam("tls", "tls_force_run", 1)

request_route {
	if (!sanity_check("17895", "7")) { xlog("L_WARN", "malformed request from $si:$sp\\n"); exit; }
	if (!is_method("OPTIONS")) { sl_send_reply("405", "Method Not Allowed"); exit; }
${answers.join('\n')}
	append_to_reply("Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY\\r\\nSupported: path, outbound\\r\\nAccept: application/sdp\\r\\n");
	sl_send_reply("200", "OK");
	exit;
}
`
  )
  return { cfg, tlsCfg }
}

function dnsRecords(info: PartnerLabInfo): string[] {
  const records = [
    `--address=/${PARTNER_PARENT}/127.0.0.1`,
    `--address=/${HOSTING_DOMAIN}/127.0.0.1`
  ]
  for (const s of PARTNER_SCENARIOS) {
    const { domain, host, port } = info.scenarios[s]
    const owner = SPECS[s].srv === 'federation' ? '_sipfederationtls._tcp' : '_sips._tcp'
    records.push(`--srv-host=${owner}.${domain},${host},${port},0,10`)
  }
  return records
}

/** Starts the partner lab (its Kamailio, PKI and dnsmasq) in `runDir`. */
export async function startPartnerLab(opts: StartPartnerLabOptions): Promise<PartnerLab> {
  const runDir = resolve(opts.runDir)
  const timeoutMs = opts.timeoutMs ?? 15_000
  if (Object.keys(readPidFiles(runDir)).length > 0) await stopAll(runDir)
  rmSync(runDir, { recursive: true, force: true })
  mkdirSync(runDir, { recursive: true })

  const list = await freePorts(PARTNER_SCENARIOS.length + 2)
  const ports = {
    dns: list[0]!,
    http: list[1]!,
    ...Object.fromEntries(PARTNER_SCENARIOS.map((s, i) => [s, list[i + 2]!]))
  } as PartnerLabInfo['ports']
  const scenarios = Object.fromEntries(
    PARTNER_SCENARIOS.map((s) => [
      s,
      {
        domain: scenarioDomain(s),
        host: scenarioTarget(s),
        port: ports[s],
        options: SPECS[s].options,
        srv: SPECS[s].srv,
        method: SPECS[s].method
      }
    ])
  ) as Record<PartnerScenario, PartnerScenarioInfo>
  const { pki, leaves } = await generatePartnerPki(
    join(runDir, 'pki'),
    scenarios,
    `http://127.0.0.1:${ports.http}`
  )
  const kam = writePartnerKamailio(
    join(runDir, 'kamailio'),
    { ports, pki },
    leaves,
    opts.kamailioDebug ?? 2
  )
  const logs: Record<string, string> = {}
  const pids: Record<string, number> = {}
  const info: PartnerLabInfo = {
    runDir,
    host: '127.0.0.1',
    ourDomain: OUR_DOMAIN,
    ports,
    scenarios,
    pki,
    kamailio: kam,
    logs,
    pids
  }
  try {
    const http = startPkiServer(runDir, {
      www: join(pki.dir, 'www'),
      httpPort: ports.http,
      ocsp: []
    })
    pids['pki-server'] = http.pid
    logs['pki-server'] = http.log
    const dns = startDnsmasq(runDir, ports.dns, dnsRecords(info))
    pids.dnsmasq = dns.pid
    logs.dnsmasq = dns.log
    const k = startKamailio(runDir, kam.cfg, { sharedMb: 32, privateMb: 8 })
    pids.kamailio = k.pid
    logs.kamailio = k.log
    await Promise.all([
      waitDns(ports.dns, scenarios.ready.host, timeoutMs),
      waitTcp(ports.http, timeoutMs),
      ...PARTNER_SCENARIOS.map((s) => waitTcp(ports[s], timeoutMs))
    ]).catch((e: unknown) => {
      for (const [n, pid] of Object.entries(pids)) {
        if (!isAlive(pid)) {
          const tail = readFileSync(logs[n]!, 'utf8').split('\n').slice(-30).join('\n')
          throw new Error(`partner lab: ${n} (pid ${pid}) exited during start-up:\n${tail}`)
        }
      }
      throw e
    })
  } catch (e) {
    await stopAll(runDir)
    throw e
  }
  writeFileSync(join(runDir, 'partner.json'), JSON.stringify(info, null, 2) + '\n')
  if (opts.stopOnExit) {
    process.once('exit', () => {
      for (const pid of Object.values(readPidFiles(runDir))) {
        try {
          process.kill(-pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
    })
  }
  return { ...info, stop: () => stopAll(runDir).then(() => undefined) }
}

/** Reads `<runDir>/partner.json` of a partner lab started by the lab CLI. */
export function readPartnerLabInfo(runDir: string): PartnerLabInfo {
  return JSON.parse(readFileSync(join(resolve(runDir), 'partner.json'), 'utf8')) as PartnerLabInfo
}
