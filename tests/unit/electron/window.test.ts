import { describe, expect, it } from 'vitest'
import { isSafeExternalUrl } from '../../../electron/main/security'
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
