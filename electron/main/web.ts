import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createCore } from './core'
import { defaultDataDir } from './data-dir'
import { startWebHost } from './host/web-host'

// Browser host entry: the same core and contract as the Electron app, carried over a loopback
// WebSocket so the real renderer runs in any Chromium. `npm run start:web`.
const usage = `Usage: npm run start:web -- [--port N] [--data-dir DIR]`

async function main(): Promise<void> {
  let values: { port?: string; 'data-dir'?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
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
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a whole number from 0 to 65535, not ${values.port}.\n${usage}`)
    process.exit(2)
  }
  const root = join(import.meta.dirname, '..')
  const pkg = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8')) as {
    version: string
  }
  const core = createCore({
    host: 'browser',
    version: pkg.version,
    dataDir: values['data-dir'] ?? defaultDataDir(),
    log: (message, error) => console.error(`[trustline] ${message}`, error ?? '')
  })
  const host = await startWebHost({
    dispatcher: core.dispatcher,
    events: core.events,
    rendererDir: join(root, 'renderer'),
    port,
    log: (m) => console.error(`[web-host] ${m}`)
  })
  console.log(`TrustLine browser host is running. Open this URL in Chromium:\n${host.url}`)
  const stop = () => {
    void host
      .close()
      .then(() => core.dispose())
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main().catch((error: unknown) => {
  console.error(`TrustLine browser host could not start: ${(error as Error).message}`)
  process.exit(1)
})
