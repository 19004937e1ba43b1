import { join } from 'node:path'
import { app } from 'electron'
import { createCore } from './core'
import { createPolicyService, loadPolicy } from './policy'
import { createTrustParts } from './trust-parts'
import { forwardEvents, registerIpcHandlers, SenderGuard } from './ipc/register'
import { hardenWebContents, isAppUrl } from './security'
import { attachDesktop } from './shell/desktop'
import { createSafeStorageVault } from './shell/safe-storage-vault'
import { createMainWindow } from './window'

// Composition root: app lifecycle → core services → IPC → first window (as VS Code's
// CodeApplication: initServices → initChannels → openFirstWindow).
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL']

const rendererDir = join(import.meta.dirname, '../renderer')
const isOwnPage = (url: string) => isAppUrl(url, rendererDir, devServerUrl)

app.enableSandbox()
if (!app.requestSingleInstanceLock()) app.quit()
hardenWebContents(isOwnPage)

void app.whenReady().then(async () => {
  const log = (message: string, error?: unknown) =>
    console.error(`[trustline] ${message}`, error ?? '')
  // The env override is for development only: in an installed app it would let any user escape
  // the policy IT deployed.
  const policy = await createPolicyService({
    load: () => loadPolicy({ allowEnvOverride: !app.isPackaged }),
    userSettings: () => ({}),
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
    void core.dispose().finally(() => app.quit())
  })
})
