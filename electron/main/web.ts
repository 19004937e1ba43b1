import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { revocationModeSchema, type RevocationMode } from '../../shared/types/trust'
import { createCore } from './core'
import { defaultDataDir } from './data-dir'
import { recordEventTimes } from './host/event-times'
import { startWebHost } from './host/web-host'
import { installLastResort } from './last-resort'
import { NoticeRelay } from './notices'
import { createPolicyService, loadPolicy, UserSettingsFile } from './policy'
import { createTrustParts } from './trust-parts'

// Browser host entry: the same core and contract as the Electron app, carried over a loopback
// WebSocket so the real renderer runs in any Chromium. `npm run start:web`.
const usage = `Usage: npm run start:web -- [options]
  --port N            listen on 127.0.0.1:N (default: a free port)
  --data-dir DIR      keep settings, history and exceptions here
  --ca FILE           also trust this CA file (PEM or DER); repeatable
  --dns HOST:PORT     DNS server for SIP server discovery (default: the system's)
  --revocation MODE   off | soft-fail | hard-fail (default soft-fail, or the policy's)
  --lab [RUN_DIR]     use the running test lab (npm run lab -- start): its CA and DNS`

interface LabJson {
  ports: { dns: number }
  pki: { rootCa: string }
  domain: string
}

async function main(): Promise<void> {
  let values: {
    port?: string
    'data-dir'?: string
    ca?: string[]
    dns?: string
    revocation?: string
    lab?: boolean
    help?: boolean
  }
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        ca: { type: 'string', multiple: true },
        dns: { type: 'string' },
        revocation: { type: 'string' },
        lab: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    }))
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`)
    process.exit(2)
  }
  if (values.help) {
    console.log(usage)
    return
  }
  const fail = (message: string): never => {
    console.error(`${message}\n${usage}`)
    process.exit(2)
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`--port must be a whole number from 0 to 65535, not ${values.port}.`)
  }
  let revocation: RevocationMode | undefined
  if (values.revocation !== undefined) {
    const parsed = revocationModeSchema.safeParse(values.revocation)
    if (!parsed.success) fail(`--revocation must be off, soft-fail or hard-fail.`)
    else revocation = parsed.data
  }
  const caFiles = (values.ca ?? []).map((f) => resolve(f))
  let dns = values.dns ? [values.dns] : undefined
  if (values.lab) {
    const labJson = join(resolve(positionals[0] ?? 'tests/lab/run'), 'lab.json')
    if (!existsSync(labJson))
      fail(`No running lab at ${labJson}: start it with npm run lab -- start`)
    const lab = JSON.parse(readFileSync(labJson, 'utf8')) as LabJson
    caFiles.push(lab.pki.rootCa)
    dns = [`127.0.0.1:${lab.ports.dns}`]
    console.log(`Using the lab: domain ${lab.domain}, DNS 127.0.0.1:${lab.ports.dns}`)
  }
  const root = join(import.meta.dirname, '..')
  const pkg = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8')) as {
    version: string
  }
  const log = (message: string, error?: unknown) =>
    console.error(`[trustline] ${message}`, error ?? '')
  const lastResort = installLastResort(process, log)
  const dataDir = values['data-dir'] ?? defaultDataDir()
  // The user's settings are read before the core exists (the policy merges them): what the
  // durable path reports about the file reaches the core's notices once there are some.
  const early = new NoticeRelay()
  const userSettings = await UserSettingsFile.open(join(dataDir, 'user-settings.json'), {
    notices: early,
    log: (m) => log(`[storage] ${m}`)
  })
  const policy = await createPolicyService({
    load: () => loadPolicy({ allowEnvOverride: true }),
    userSettings: () => userSettings.get(),
    saveUserSettings: (patch) => userSettings.set(patch),
    onInvalid: (error) => log(`policy: ${error}`)
  })
  const core = createCore({
    host: 'browser',
    version: pkg.version,
    dataDir,
    policy,
    trust: createTrustParts({
      policyCaFiles: caFiles,
      ...(revocation ? { revocation } : {}),
      log: (m) => log(`[tls] ${m}`)
    }),
    ...(dns ? { dnsServers: dns } : {}),
    log
  })
  lastResort.notify(core.notices)
  early.attach(core.notices)
  // For `npm run bench`: when each event left the core, written when the host stops.
  const eventTimesFile = process.env['TRUSTLINE_EVENT_TIMES']
  const writeEventTimes = eventTimesFile ? recordEventTimes(core.events, eventTimesFile) : null
  const host = await startWebHost({
    dispatcher: core.dispatcher,
    events: core.events,
    rendererDir: join(root, 'renderer'),
    port,
    log: (m) => console.error(`[web-host] ${m}`)
  })
  console.log(`TrustLine browser host is running. Open this URL in Chromium:\n${host.url}`)
  const stop = () => {
    try {
      writeEventTimes?.()
    } catch (error) {
      log('writing the event times failed', error)
    }
    host
      .close()
      .then(() => core.dispose())
      .catch((error: unknown) => log('stopping', error))
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(`TrustLine browser host could not start: ${(error as Error).message}`)
  process.exit(1)
})
