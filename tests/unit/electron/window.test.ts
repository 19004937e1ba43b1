import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isAppUrl } from '../../../electron/main/security'
import { isSafeExternalUrl } from '../../../shared/links/external-url'
import { secureWindowOptions } from '../../../electron/main/window'

describe('secureWindowOptions', () => {
  it('keeps the security baseline of STYLE.md §4', () => {
    const prefs = secureWindowOptions('/x/preload.cjs').webPreferences
    expect(prefs).toMatchObject({
      preload: '/x/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false
    })
  })
})

describe('isSafeExternalUrl', () => {
  it.each([
    ['https://trustline.example/help', true],
    ['http://trustline.example/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['https://user:pw@trustline.example/', false],
    ['not a url', false]
  ])('%s → %s', (url, expected) => {
    expect(isSafeExternalUrl(url)).toBe(expected)
  })
})

describe('isAppUrl', () => {
  const dir = process.platform === 'win32' ? 'C:\\app\\out\\renderer' : '/app/out/renderer'
  const fileUrl = (p: string) => pathToFileURL(p).href
  it('accepts our own page and the dev server', () => {
    expect(isAppUrl(fileUrl(join(dir, 'index.html')), dir)).toBe(true)
    expect(isAppUrl('http://localhost:5173/', dir, 'http://localhost:5173')).toBe(true)
  })
  it('refuses a sibling folder, other files, other schemes', () => {
    expect(isAppUrl(fileUrl(`${dir}-evil/index.html`), dir)).toBe(false)
    expect(isAppUrl(fileUrl(join(dir, '..', 'main', 'index.js')), dir)).toBe(false)
    expect(isAppUrl('https://evil.example/', dir)).toBe(false)
    expect(isAppUrl('http://localhost:5173/', dir)).toBe(false)
    expect(isAppUrl('not a url', dir)).toBe(false)
  })
})
