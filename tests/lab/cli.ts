// npx tsx tests/lab/cli.ts start|stop|status [--run-dir DIR] [--base-port N] [--debug N] [--partner]
// (the project maps `npm run lab` to this). `start` leaves the daemons running detached and
// writes <runDir>/lab.json; `--partner` also starts the federation partner lab in
// <runDir>/partner (partner.json); `stop` stops them all by their PID files.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_RUN_DIR, labStatus, readLabInfo, startLab, stopLab, type LabInfo } from './lab'
import { readPartnerLabInfo, startPartnerLab, type PartnerLabInfo } from './partner'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}

function describe(lab: LabInfo): string {
  const p = lab.ports
  const lines = [
    `TrustLine SIP lab — domain ${lab.domain} (all on 127.0.0.1), run dir ${lab.runDir}`,
    `  SIP  udp ${p.udp}  tcp ${p.tcp}  ws://127.0.0.1:${p.ws}/ws  wss://127.0.0.1:${p.wss}/ws (good cert)`,
    ...Object.entries(p.tls).map(
      ([s, port]) =>
        `  TLS  ${s.padEnd(20)} ${port}   (${lab.scenarioDomains[s as keyof typeof p.tls]})`
    ),
    `  HTTP (AIA/CRL) ${lab.urls.http}   OCSP ${lab.urls.ocsp} (intermediate)  ${lab.urls.ocspRoot} (root)`,
    `  DNS  127.0.0.1:${p.dns}  (SRV/NAPTR for ${lab.domain}, hijack domain ${lab.hijackDomain}, *.trustline.test A 127.0.0.1)`,
    `  Root CA      ${lab.pki.rootCa}`,
    `  CA bundle    ${lab.pki.caBundle}`,
    `  alice p12    ${lab.pki.client.alice.p12} (password ${lab.pki.client.alice.p12Password})`,
    `  Users (realm ${lab.domain}):`,
    ...Object.values(lab.users).map((u) => `    ${u.uri.padEnd(34)} password ${u.password}`),
    `  JSON         ${lab.runDir}/lab.json`
  ]
  return lines.join('\n')
}

function describePartner(p: PartnerLabInfo): string {
  return [
    `Federation partner lab (own Kamailio, CA and DNS 127.0.0.1:${p.ports.dns}), run dir ${p.runDir}`,
    ...Object.entries(p.scenarios).map(
      ([name, s]) =>
        `  ${name.padEnd(20)} ${s.domain.padEnd(36)} ${s.host}:${s.port} (OPTIONS ${s.options})`
    ),
    `  Our edge (p12 password ${p.pki.our.edge.p12Password}): ${p.pki.our.edge.p12}`,
    `  Our edge without clientAuth (public CA): ${p.pki.our.serverOnly.p12}`,
    `  CAs: ours ${p.pki.ourCa}, "public" ${p.pki.publicCa}, partner ${p.pki.partnerCa}`,
    `  Try: TRUSTLINE_DNS=127.0.0.1:${p.ports.dns} npm run trustline -- federation ${p.scenarios.ready.domain} \\`,
    `         --client-cert ${p.pki.our.edge.p12} --passphrase ${p.pki.our.edge.p12Password} --ca ${p.pki.ourCa} --ca ${p.pki.partnerCa}`,
    `  App:  node out/main/web.js --ca ${p.pki.ourCa} --ca ${p.pki.partnerCa} --dns 127.0.0.1:${p.ports.dns}`,
    `        (Helpdesk → Federation: domain ${p.scenarios.ready.domain}, certificate ${p.pki.our.edge.p12})`
  ].join('\n')
}

async function main(): Promise<void> {
  const cmd = process.argv[2]
  const runDir = arg('--run-dir') ?? DEFAULT_RUN_DIR
  if (cmd === 'start') {
    const base = arg('--base-port')
    const debug = arg('--debug')
    const t = Date.now()
    // startLab wipes the run dir: a partner lab from an earlier start must be stopped first.
    await stopLab(join(runDir, 'partner'))
    const lab = await startLab({
      runDir,
      ...(base ? { basePort: Number(base) } : {}),
      ...(debug ? { kamailioDebug: Number(debug) } : {})
    })
    console.log(describe(lab))
    if (process.argv.includes('--partner')) {
      console.log(describePartner(await startPartnerLab({ runDir: join(lab.runDir, 'partner') })))
    }
    console.log(`  started in ${Date.now() - t} ms; stop with: npx tsx tests/lab/cli.ts stop`)
  } else if (cmd === 'stop') {
    const stopped = [...(await stopLab(join(runDir, 'partner'))), ...(await stopLab(runDir))]
    console.log(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing running')
  } else if (cmd === 'status') {
    const st = labStatus(runDir)
    if (st.length === 0) {
      console.log('lab not running (no PID files in ' + runDir + ')')
      process.exitCode = 1
      return
    }
    for (const s of st)
      console.log(
        `${s.name.padEnd(16)} pid ${String(s.pid).padEnd(8)} ${s.alive ? 'running' : 'DEAD'}`
      )
    try {
      console.log(describe(readLabInfo(runDir)))
      if (existsSync(join(runDir, 'partner', 'partner.json'))) {
        console.log(describePartner(readPartnerLabInfo(join(runDir, 'partner'))))
      }
    } catch {
      /* no lab.json */
    }
    if (st.some((s) => !s.alive)) process.exitCode = 1
  } else {
    console.error(
      'usage: npx tsx tests/lab/cli.ts start|stop|status [--run-dir DIR] [--base-port N] [--debug N] [--partner]'
    )
    process.exitCode = 2
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exitCode = 1
})
