/**
 * Test double for the `electron` module, aliased in vitest.config.ts so unit tests of the thin
 * shell never load (or try to download) the real Electron binary.
 */
type Listener = (...args: unknown[]) => unknown

class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>()
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) l(...args)
  }
  removeListener(event: string, listener: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener)
    )
    return this
  }
}

/** Records `ipcMain.handle` registrations so tests can invoke them directly. */
class FakeIpcMain extends FakeEmitter {
  readonly handlers = new Map<string, Listener>()
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`handler already registered for ${channel}`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
}

export const ipcMain = new FakeIpcMain()
export const app = Object.assign(new FakeEmitter(), {
  getVersion: () => '0.0.0-test',
  getPath: () => '/tmp',
  isPackaged: false,
  enableSandbox: () => undefined,
  whenReady: () => Promise.resolve(),
  quit: () => undefined
})
export const shell = { openExternal: () => Promise.resolve() }
/** Records what a preload exposes, so tests can call it as the page would. */
export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, value: unknown) {
    contextBridge.exposed.set(key, value)
  }
}
/** Records what the preload sends (`sent`) so tests can check the event-interest messages. */
export const ipcRenderer = Object.assign(new FakeEmitter(), {
  sent: [] as Array<{ channel: string; message: unknown }>,
  invoke: () => Promise.resolve(undefined),
  send(channel: string, message: unknown) {
    ipcRenderer.sent.push({ channel, message })
  }
})
/** Configurable keychain double: tests set `backend` and `available`. */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  isAsyncEncryptionAvailable() {
    return Promise.resolve(this.available)
  },
  getSelectedStorageBackend() {
    return this.backend
  },
  encryptStringAsync: (plain: string) => Promise.resolve(Buffer.from(`sealed:${plain}`)),
  decryptStringAsync: (sealed: Buffer) =>
    Promise.resolve({ shouldReEncrypt: false, result: sealed.toString().replace(/^sealed:/, '') })
}
export class BrowserWindow extends FakeEmitter {}

/** Records notifications shown. */
export class Notification extends FakeEmitter {
  static shown: { title: string; body: string }[] = []
  static isSupported = () => true
  constructor(readonly options: { title: string; body: string }) {
    super()
  }
  show(): void {
    Notification.shown.push({ title: this.options.title, body: this.options.body })
  }
}

/** Records the tray's image and tooltip. */
export class Tray extends FakeEmitter {
  static last: Tray | null = null
  tooltip = ''
  image: unknown
  constructor(image: unknown) {
    super()
    this.image = image
    Tray.last = this
  }
  setImage(image: unknown): void {
    this.image = image
  }
  setToolTip(text: string): void {
    this.tooltip = text
  }
  setContextMenu(): void {}
  destroy(): void {}
}
export const Menu = { buildFromTemplate: (template: unknown) => template }
export const nativeImage = { createFromBuffer: (buffer: Buffer) => ({ buffer }) }
export default {
  ipcMain,
  app,
  shell,
  contextBridge,
  ipcRenderer,
  safeStorage,
  BrowserWindow,
  Notification,
  Tray,
  Menu,
  nativeImage
}
