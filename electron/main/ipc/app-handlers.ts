import type { AppInfo, HostKind } from '../../../shared/types/app'
import type { NoticeBoard } from '../notices'
import type { HandlerMap } from './types'

/** What the app handlers need from their host. */
export interface AppHandlerDeps {
  name: string
  version: string
  host: HostKind
  electronVersion: string | null
  startedAt: Date
}

/** Describes the TLS library: Electron uses BoringSSL, plain Node uses OpenSSL. */
export function tlsLibrary(versions: NodeJS.ProcessVersions): string {
  if (versions.openssl && !versions.electron) return `OpenSSL ${versions.openssl}`
  if (versions.electron) return `BoringSSL (Electron ${versions.electron})`
  return 'unknown'
}

/** Facts about the running core. */
export function appInfo(deps: AppHandlerDeps): AppInfo {
  return {
    name: deps.name,
    version: deps.version,
    platform: process.platform,
    arch: process.arch,
    host: deps.host,
    nodeVersion: process.versions.node,
    electronVersion: deps.electronVersion,
    tlsLibrary: tlsLibrary(process.versions),
    startedAt: deps.startedAt.toISOString()
  }
}

/** Handlers for the `app:` channels. */
export function createAppHandlers(deps: AppHandlerDeps): HandlerMap<'app:get-info'> {
  return { 'app:get-info': () => appInfo(deps) }
}

/** Handlers for the notice channels: list what the user has not dismissed, dismiss one. */
export function createNoticeHandlers(
  notices: Pick<NoticeBoard, 'list' | 'dismiss'>
): HandlerMap<'app:list-notices' | 'app:dismiss-notice'> {
  return {
    'app:list-notices': () => notices.list(),
    'app:dismiss-notice': ({ id }) => ({ dismissed: notices.dismiss(id) })
  }
}
