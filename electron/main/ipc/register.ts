import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { invokeNames, type EventName } from '../../../shared/ipc/contract'
import {
  EVENT_INTEREST_CHANNEL,
  EventInterest,
  interestMessageSchema
} from '../../../shared/ipc/interest'
import { fail } from '../../../shared/ipc/result'
import type { Dispatcher, EventBus } from './dispatch'

/** Decides whether an invoke comes from one of our own windows' top frames. */
export class SenderGuard {
  readonly #trusted = new Map<number, WebContents>()

  constructor(private readonly isAllowedUrl: (url: string) => boolean) {}

  /** Called by the window factory for every window it makes. */
  trust(contents: WebContents): void {
    this.#trusted.set(contents.id, contents)
    contents.once('destroyed', () => this.#trusted.delete(contents.id))
  }

  /** Live trusted webContents, for event delivery. */
  all(): WebContents[] {
    return [...this.#trusted.values()].filter((c) => !c.isDestroyed())
  }

  /**
   * Only the top frame of a window we created, showing our own page, may call the core: an
   * iframe or a navigated-away page must not (as VS Code's validatedIpcMain does).
   */
  isTrusted(event: Pick<IpcMainInvokeEvent | IpcMainEvent, 'sender' | 'senderFrame'>): boolean {
    if (!this.#trusted.has(event.sender.id)) return false
    const frame = event.senderFrame
    if (!frame || frame !== event.sender.mainFrame) return false
    return this.isAllowedUrl(frame.url)
  }
}

/**
 * The only `ipcMain.handle` call site: every invoke channel goes through the guard and the shared
 * dispatcher, and always resolves to an IpcResult.
 */
export function registerIpcHandlers(dispatcher: Dispatcher, guard: SenderGuard): () => void {
  for (const channel of invokeNames) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, payload: unknown) => {
      if (!guard.isTrusted(event)) {
        return fail('unauthorized', 'This window is not allowed to talk to the TrustLine core.')
      }
      return dispatcher.invoke(channel, payload)
    })
  }
  return () => {
    for (const channel of invokeNames) ipcMain.removeHandler(channel)
  }
}

/**
 * The typed emitter: the only place that calls `webContents.send`. Payloads were validated by the
 * event bus; destroyed windows are skipped, and a window gets only the channels its page listens
 * to (the preload reports them on EVENT_INTEREST_CHANNEL, from trusted top frames only).
 */
export function forwardEvents(events: EventBus, guard: SenderGuard): () => void {
  const interest = new EventInterest<number>()
  const onInterest = (event: IpcMainEvent, message: unknown) => {
    if (!guard.isTrusted(event)) return
    const parsed = interestMessageSchema.safeParse(message)
    if (!parsed.success) return
    if ('reset' in parsed.data) interest.forget(event.sender.id)
    else interest.set(event.sender.id, parsed.data)
    // Closed windows: forget what they wanted (ids are never reused).
    const live = new Set(guard.all().map((c) => c.id))
    for (const id of interest.clients()) if (!live.has(id)) interest.forget(id)
  }
  ipcMain.on(EVENT_INTEREST_CHANNEL, onInterest)
  const unsubscribe = events.subscribe((channel: EventName, payload: unknown) => {
    for (const contents of guard.all()) {
      if (interest.wants(contents.id, channel)) contents.send(channel, payload)
    }
  })
  return () => {
    unsubscribe()
    ipcMain.removeListener(EVENT_INTEREST_CHANNEL, onInterest)
  }
}
