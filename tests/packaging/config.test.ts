import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { getConfig } from 'app-builder-lib/out/util/config/config'
import type { Configuration } from 'app-builder-lib'
import { beforeAll, describe, expect, it } from 'vitest'
import { root } from './packaged'

let config: Configuration

beforeAll(async () => {
  config = await getConfig(root, null, null)
})

const targetNames = (t: unknown): string[] =>
  (Array.isArray(t) ? t : [t]).map((x: string | { target: string }) =>
    typeof x === 'string' ? x : x.target
  )

describe('electron-builder.yml, as electron-builder reads it', () => {
  it('identifies the app', () => {
    expect(config.appId).toBe('org.trustline.desktop')
    expect(config.productName).toBe('TrustLine')
    expect(config.asar).toBe(true)
    expect(config.directories?.buildResources).toBe('build')
  })

  it('packs only the build output and package.json', () => {
    // electron-builder normalizes a plain list into one FileSet.
    expect(config.files).toEqual([
      { filter: ['out/**', 'package.json', '!**/*.map', '!**/*.{ts,mts,cts,tsx}'] }
    ])
  })

  it('builds deb, AppImage, tar.gz; NSIS; dmg', () => {
    expect(targetNames(config.linux?.target)).toEqual(['deb', 'AppImage', 'tar.gz'])
    expect(targetNames(config.win?.target)).toEqual(['nsis'])
    expect(targetNames(config.mac?.target)).toEqual(['dmg'])
  })

  it('has a desktop entry in Network;InstantMessaging;', () => {
    expect(config.linux?.desktop?.entry).toMatchObject({
      Name: 'TrustLine',
      Categories: 'Network;InstantMessaging;'
    })
  })

  it('never publishes on its own', () => {
    expect(config.publish).toBeNull()
  })
})

describe('icons in build/', () => {
  const read = (f: string): Buffer => readFileSync(join(root, 'build', f))
  const pngSize = (b: Buffer): number => b.readUInt32BE(16)

  it.each([16, 32, 48, 64, 128, 256, 512])('icons/%ix%i.png is a PNG of that size', (s) => {
    const b = read(`icons/${s}x${s}.png`)
    expect(b.subarray(1, 4).toString('ascii')).toBe('PNG')
    expect(pngSize(b)).toBe(s)
  })

  it('icon.ico holds a 256 px image (NSIS needs it)', () => {
    const b = read('icon.ico')
    expect(b.readUInt16LE(2)).toBe(1)
    const count = b.readUInt16LE(4)
    const widths = Array.from({ length: count }, (_, n) => b[6 + 16 * n] || 256)
    expect(widths).toContain(256)
  })

  it('icon.icns holds 512 and 1024 px images', () => {
    const b = read('icon.icns')
    expect(b.subarray(0, 4).toString('ascii')).toBe('icns')
    expect(b.readUInt32BE(4)).toBe(b.length)
    const types: string[] = []
    for (let o = 8; o < b.length; o += b.readUInt32BE(o + 4))
      types.push(b.toString('ascii', o, o + 4))
    expect(types).toEqual(expect.arrayContaining(['ic09', 'ic10']))
  })
})
