import { BrowserWindow, Menu, nativeImage, Notification, Tray } from 'electron'
import type { EventName } from '../../../shared/ipc/contract'
import type { ImMessage } from '../../../shared/types/im'
import type { Presence } from '../../../shared/types/presence'
import type { TrustReport } from '../../../shared/types/trust'
import type { EventBus } from '../ipc/dispatch'
import { statusColours, statusIconPng } from './status-icon'

/** Longest message preview shown in a notification. */
const PREVIEW = 120

/** Notification text for an incoming message: the sender, and the body as plain text. */
export function notificationFor(message: ImMessage): { title: string; body: string } {
  const from = message.conversation.replace(/^sips?:/i, '')
  const body = message.body.replace(/\s+/g, ' ').trim()
  return { title: from, body: body.length > PREVIEW ? `${body.slice(0, PREVIEW)}…` : body }
}

/**
 * Desktop integration: a notification for each message that arrives while the window is not
 * focused (click brings the window back), and a tray icon showing own presence and, with a red
 * ring, an untrusted connection.
 */
export function attachDesktop(
  events: EventBus,
  window: () => BrowserWindow | undefined,
  ownPresence: () => Presence
): () => void {
  let presence: Presence['state'] = 'offline'
  let untrusted = false
  const tray = new Tray(nativeImage.createFromBuffer(statusIconPng(statusColours.offline, false)))
  const show = () => {
    const w = window()
    if (!w) return
    if (w.isMinimized()) w.restore()
    w.show()
    w.focus()
  }
  const refresh = () => {
    tray.setImage(nativeImage.createFromBuffer(statusIconPng(statusColours[presence], untrusted)))
    tray.setToolTip(
      `TrustLine — ${presence.replace(/-/g, ' ')}${untrusted ? ' — connection NOT trusted' : ''}`
    )
  }
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show TrustLine', click: show },
      { type: 'separator' },
      { role: 'quit' }
    ])
  )
  tray.on('click', show)
  refresh()

  const off = events.subscribe((channel: EventName, payload: unknown) => {
    if (channel === 'im:received') {
      const w = window()
      if (w?.isFocused() || !Notification.isSupported()) return
      const n = new Notification({ ...notificationFor(payload as ImMessage), silent: false })
      n.on('click', show)
      n.show()
    } else if (channel === 'trust:report-changed') {
      // The tray shows what the core decided; a report-less moment (new attempt, signed out)
      // is not a warning.
      const verdict = (payload as TrustReport | null)?.verdict
      untrusted = verdict === 'untrusted' || verdict === 'needs-question'
      refresh()
    } else if (channel === 'presence:own-changed') {
      presence = (payload as Presence).state
      refresh()
    } else if (channel === 'session:state-changed') {
      const status = (payload as { status: string }).status
      presence = status === 'registered' ? ownPresence().state : 'offline'
      refresh()
    }
  })
  return () => {
    off()
    tray.destroy()
  }
}
