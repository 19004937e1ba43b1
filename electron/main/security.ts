import { sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, shell, type WebContents } from 'electron'
import { isSafeExternalUrl } from '../../shared/links/external-url'

/**
 * Our own page: the dev server in development, else a file inside out/renderer. Compared as file
 * system paths (a URL pathname is `/C:/…` on Windows) and with a trailing separator, so a sibling
 * folder such as `renderer-evil/` does not pass.
 */
export function isAppUrl(url: string, rendererDir: string, devUrl?: string): boolean {
  if (devUrl && url.startsWith(devUrl)) return true
  try {
    if (new URL(url).protocol !== 'file:') return false
    return fileURLToPath(url).startsWith(rendererDir + sep)
  } catch {
    return false
  }
}

/**
 * Hardens every webContents the app ever creates: no navigation, no new windows (https links go to
 * the system browser), no permission grants, no webviews.
 */
function reportOpenFailure(url: string): (error: unknown) => void {
  return (error) => console.error(`[trustline] could not open ${url}`, error)
}

export function hardenWebContents(isAppUrl: (url: string) => boolean): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault()
    })
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) shell.openExternal(url).catch(reportOpenFailure(url))
      return { action: 'deny' }
    })
    const session = contents.session
    session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
    session.setPermissionCheckHandler(() => false)
  })
}
