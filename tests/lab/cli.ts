// npx tsx tests/lab/cli.ts start|stop|status [--run-dir DIR] [--base-port N] [--debug N]
// (the project maps `npm run lab` to this). `start` leaves the daemons running detached and
// writes <runDir>/lab.json; `stop` stops them by their PID files.
import { DEFAULT_RUN_DIR, labStatus, readLabInfo, startLab, stopLab, type LabInfo } from './lab'

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

async function main(): Promise<void> {
  const cmd = process.argv[2]
  const runDir = arg('--run-dir') ?? DEFAULT_RUN_DIR
  if (cmd === 'start') {
    const base = arg('--base-port')
    const debug = arg('--debug')
    const t = Date.now()
    const lab = await startLab({
      runDir,
      ...(base ? { basePort: Number(base) } : {}),
      ...(debug ? { kamailioDebug: Number(debug) } : {})
    })
    console.log(describe(lab))
    console.log(`  started in ${Date.now() - t} ms; stop with: npx tsx tests/lab/cli.ts stop`)
  } else if (cmd === 'stop') {
    const stopped = await stopLab(runDir)
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
    } catch {
      /* no lab.json */
    }
    if (st.some((s) => !s.alive)) process.exitCode = 1
  } else {
    console.error(
      'usage: npx tsx tests/lab/cli.ts start|stop|status [--run-dir DIR] [--base-port N] [--debug N]'
    )
    process.exitCode = 2
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exitCode = 1
})
