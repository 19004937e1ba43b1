import { join } from 'node:path'
import { app } from 'electron'
import { createCore } from './core'
import { NoticeRelay } from './notices'
import { createPolicyService, loadPolicy, UserSettingsFile } from './policy'
import { createTrustParts } from './trust-parts'
import { forwardEvents, registerIpcHandlers, SenderGuard } from './ipc/register'
import { installLastResort } from './last-resort'
import { hardenWebContents, isAppUrl } from './security'
import { attachDesktop } from './shell/desktop'
import { createSafeStorageVault } from './shell/safe-storage-vault'
import { createMainWindow } from './window'

// Composition root: app lifecycle → core services → IPC → first window (as VS Code's
// CodeApplication: initServices → initChannels → openFirstWindow).
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']

const rendererDir = join(import.meta.dirname, '../renderer')
const isOwnPage = (url: string) => isAppUrl(url, rendererDir, devServerUrl)

const log = (message: string, error?: unknown) =>
  console.error(`[trustline] ${message}`, error ?? '')
// Before anything else, so no error a bug leaves takes the app down (see last-resort.ts).
const lastResort = installLastResort(process, log)

app.enableSandbox()
if (!app.requestSingleInstanceLock()) app.quit()
hardenWebContents(isOwnPage)

async function start(): Promise<void> {
  // The env override is for development only: in an installed app it would let any user escape
  // the policy IT deployed.
  // The user's settings are read before the core exists (the policy merges them): what the
  // durable path reports about the file reaches the core's notices once there are some.
  const early = new NoticeRelay()
  const userSettings = await UserSettingsFile.open(
    join(app.getPath('userData'), 'user-settings.json'),
    { notices: early, log: (m) => log(`[storage] ${m}`) }
  )
  const policy = await createPolicyService({
    load: () => loadPolicy({ allowEnvOverride: !app.isPackaged }),
    userSettings: () => userSettings.get(),
    saveUserSettings: (patch) => userSettings.set(patch),
    onInvalid: (error) => log(`policy: ${error}`)
  })
  const core = createCore({
    policy,
    trust: createTrustParts({ log: (m) => log(`[tls] ${m}`) }),
    host: 'electron',
    version: app.getVersion(),
    electronVersion: process.versions.electron ?? null,
    dataDir: app.getPath('userData'),
    vault: createSafeStorageVault(),
    log
  })
  lastResort.notify(core.notices)
  early.attach(core.notices)
  const guard = new SenderGuard(isOwnPage)
  registerIpcHandlers(core.dispatcher, guard)
  forwardEvents(core.events, guard)
  const win = await createMainWindow(guard, devServerUrl)
  attachDesktop(
    core.events,
    () => (win.isDestroyed() ? undefined : win),
    () => core.sip.session.presence
  )

  app.on('window-all-closed', () => {
    core
      .dispose()
      .catch((error: unknown) => log('closing', error))
      .finally(() => app.quit())
  })
}

const ready = app.whenReady()
ready.then(start).catch((error: unknown) => {
  // Without a core or a window there is nothing to keep serving: say why and leave.
  log('TrustLine could not start', error)
  app.exit(1)
})
