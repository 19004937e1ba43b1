import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { getConfig } from 'app-builder-lib/out/util/config/config'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { hardenWebContents } from '../../../electron/main/security'
import { secureWindowOptions } from '../../../electron/main/window'
import { app, shell } from '../../mocks/electron'

// STYLE.md §4 as tests: window options, CSP, the per-webContents handlers and the fuses. The
// electronegativity gate (npm run security) explains some of its findings by pointing here.

const root = join(import.meta.dirname, '..', '..', '..')

describe('secureWindowOptions', () => {
  const prefs = secureWindowOptions('/app/out/preload/index.cjs').webPreferences ?? {}

  it('isolates and sandboxes the renderer, without Node', () => {
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false
    })
  })

  it('keeps web security on and the risky features off', () => {
    expect(prefs).toMatchObject({
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false
    })
    for (const risky of [
      'experimentalFeatures',
      'enableBlinkFeatures',
      'additionalArguments'
    ] as const) {
      expect([undefined, false], risky).toContainEqual(prefs[risky])
    }
  })
})

describe('CSP of renderer/index.html', () => {
  const html = readFileSync(join(root, 'renderer', 'index.html'), 'utf8')
  const metas = [
    ...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)
  ]

  const directives = (csp: string): Map<string, string> =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map(([name, ...values]) => [name!, values.join(' ')])
    )

  it('has exactly one CSP meta, before any script', () => {
    expect(metas).toHaveLength(1)
    expect(html.indexOf(metas[0]![0])).toBeLessThan(html.indexOf('<script'))
  })

  it('is the policy STYLE.md §4 asks for; extra directives only tighten', () => {
    const csp = directives(metas[0]![1]!)
    const required = {
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data:",
      'font-src': "'self'",
      'connect-src': "'none'"
    }
    for (const [name, value] of Object.entries(required)) expect(csp.get(name), name).toBe(value)
    const tightening = new Set(['base-uri', 'form-action', 'frame-ancestors', 'object-src'])
    for (const [name, value] of csp) {
      if (name in required) continue
      expect(tightening.has(name) && value === "'none'", `${name} ${value}`).toBe(true)
    }
  })

  it('has no inline script and loads nothing from the network', () => {
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i)
    expect(html).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//i)
  })
})

interface FakeContents {
  emit(event: string, ...args: unknown[]): void
  openHandler?: (details: { url: string }) => { action: string }
  permissionRequest?: (wc: unknown, permission: string, callback: (ok: boolean) => void) => void
  permissionCheck?: (...args: unknown[]) => boolean
}

/** A webContents double with the surface hardenWebContents touches. */
function fakeContents(): FakeContents {
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>()
  const contents: FakeContents & Record<string, unknown> = {
    on(event: string, listener: (...args: unknown[]) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener])
    },
    emit(event: string, ...args: unknown[]) {
      for (const l of listeners.get(event) ?? []) l(...args)
    },
    setWindowOpenHandler(handler: FakeContents['openHandler']) {
      contents.openHandler = handler
    },
    session: {
      setPermissionRequestHandler(handler: FakeContents['permissionRequest']) {
        contents.permissionRequest = handler
      },
      setPermissionCheckHandler(handler: FakeContents['permissionCheck']) {
        contents.permissionCheck = handler
      }
    }
  }
  return contents
}

describe('hardenWebContents', () => {
  const appUrl = 'file:///app/out/renderer/index.html'
  let contents: FakeContents

  beforeAll(() => {
    hardenWebContents((url) => url === appUrl)
    contents = fakeContents()
    app.emit('web-contents-created', {}, contents)
  })

  const prevented = (event: string, url?: string): boolean => {
    const e = { preventDefault: vi.fn() }
    contents.emit(event, e, url)
    return e.preventDefault.mock.calls.length > 0
  }

  it.each(['will-navigate', 'will-redirect'])('%s: only to the app itself', (event) => {
    expect(prevented(event, 'https://evil.example/')).toBe(true)
    expect(prevented(event, 'file:///etc/passwd')).toBe(true)
    expect(prevented(event, appUrl)).toBe(false)
  })

  it('never attaches a webview', () => {
    expect(prevented('will-attach-webview')).toBe(true)
  })

  it('denies every new window (window.open, target=_blank, middle-click)', () => {
    const open = vi.spyOn(shell, 'openExternal')
    for (const url of ['https://help.example/', 'http://x.example/', 'file:///x', appUrl]) {
      expect(contents.openHandler?.({ url })).toEqual({ action: 'deny' })
    }
    // Only the vetted https link goes to the system browser.
    expect(open.mock.calls).toEqual([['https://help.example/']])
  })

  it('denies every permission request and check', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal']) {
      const callback = vi.fn()
      contents.permissionRequest?.({}, permission, callback)
      expect(callback).toHaveBeenCalledExactlyOnceWith(false)
    }
    expect(contents.permissionCheck?.({}, 'media', 'file://', {})).toBe(false)
  })
})

describe('composition root', () => {
  const index = readFileSync(join(root, 'electron', 'main', 'index.ts'), 'utf8')

  it('enables the sandbox for every renderer and hardens webContents before the app is ready', () => {
    const ready = index.indexOf('app.whenReady()')
    expect(index.indexOf('app.enableSandbox()')).toBeGreaterThan(-1)
    expect(index.indexOf('app.enableSandbox()')).toBeLessThan(ready)
    expect(index.indexOf('hardenWebContents(')).toBeGreaterThan(-1)
    expect(index.indexOf('hardenWebContents(')).toBeLessThan(ready)
  })
})

describe('electron-builder fuses', () => {
  it('sets every fuse explicitly to the hardened value', async () => {
    const config = await getConfig(root, null, null)
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false
    })
    expect(config.asar).toBe(true)
  })
})
