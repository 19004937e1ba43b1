import { join } from 'node:path'
import { BrowserWindow } from 'electron'
import type { SenderGuard } from './ipc/register'

/** The window options every TrustLine window uses; exported so a test can pin them. */
export function secureWindowOptions(preloadPath: string): Electron.BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'TrustLine',
    backgroundColor: '#1b1f24',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
      // No middle-click: it would open links in new windows behind setWindowOpenHandler's back.
      disableBlinkFeatures: 'Auxclick'
    }
  }
}

/** The only BrowserWindow factory: secure options, sender registration, then load the renderer. */
export async function createMainWindow(
  guard: SenderGuard,
  rendererUrl: string | undefined
): Promise<BrowserWindow> {
  const win = new BrowserWindow(
    secureWindowOptions(join(import.meta.dirname, '../preload/index.cjs'))
  )
  guard.trust(win.webContents)
  win.once('ready-to-show', () => win.show())
  if (rendererUrl) await win.loadURL(rendererUrl)
  else await win.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  return win
}
