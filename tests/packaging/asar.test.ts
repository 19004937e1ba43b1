import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { extractFile, getRawHeader } from '@electron/asar'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  appPackage,
  asarPath,
  distDir,
  filesUnder,
  lockPackages,
  requirePacked,
  root
} from './packaged'

/** Every file (not directory) in the archive, relative with `/`. */
function asarFiles(archive: string): string[] {
  const out: string[] = []
  type Dir = ReturnType<typeof getRawHeader>['header']
  const walk = (dir: Dir, prefix: string): void => {
    for (const [name, entry] of Object.entries(dir.files)) {
      if ('files' in entry) walk(entry, `${prefix}${name}/`)
      else out.push(`${prefix}${name}`)
    }
  }
  walk(getRawHeader(archive).header, '')
  return out.sort()
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/**
 * The build that was packed: the manifest dist:check wrote right after electron-vite build (out/
 * may be rebuilt by someone else since), else out/ as it is now. File → sha256.
 */
function builtOut(): Record<string, string> {
  const manifest = join(distDir, 'out-manifest.json')
  if (existsSync(manifest))
    return JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>
  const out = join(root, 'out')
  return Object.fromEntries(filesUnder(out).map((f) => [f, sha256(readFileSync(join(out, f)))]))
}

// An install path: node_modules/<name> or node_modules/@scope/<name>, possibly nested.
const installPath = /^node_modules\/(?:@[^/]+\/)?[^/]+(?:\/node_modules\/(?:@[^/]+\/)?[^/]+)*$/

let files: string[]

beforeAll(() => {
  requirePacked()
  files = asarFiles(asarPath)
})

describe('app.asar', () => {
  it('holds only out/, package.json and node_modules/ at the top', () => {
    expect([...new Set(files.map((f) => f.split('/')[0]))].sort()).toEqual([
      'node_modules',
      'out',
      'package.json'
    ])
  })

  it('holds exactly the electron-vite output (out/main, out/preload, out/renderer), no maps', () => {
    const built = builtOut()
    const packed = files.filter((f) => f.startsWith('out/')).map((f) => f.slice('out/'.length))
    expect(packed).toEqual(Object.keys(built).filter((f) => !f.endsWith('.map')))
    for (const f of packed) expect(sha256(extractFile(asarPath, `out/${f}`)), f).toBe(built[f])
    expect([...new Set(packed.map((f) => f.split('/')[0]))].sort()).toEqual([
      'main',
      'preload',
      'renderer'
    ])
    expect(packed).toContain('preload/index.cjs')
    expect(packed).toContain('renderer/index.html')
  })

  it("has the app's package.json, whose main is in the archive", () => {
    const packed = JSON.parse(extractFile(asarPath, 'package.json').toString('utf8')) as {
      name: string
      version: string
      main: string
    }
    const local = appPackage()
    expect(packed).toMatchObject({ name: local.name, version: local.version, main: local.main })
    expect(files).toContain(packed.main)
  })

  it('has no sources, tests, TypeScript or source maps anywhere', () => {
    expect(files.filter((f) => /\.(?:[mc]?ts|tsx|map)$/.test(f))).toEqual([])
    const app = files.filter((f) => !f.startsWith('node_modules/'))
    expect(app.filter((f) => /(^|\/)(tests?|__tests__|src)\//.test(f))).toEqual([])
    expect(app.filter((f) => !f.startsWith('out/') && f !== 'package.json')).toEqual([])
  })

  it('node_modules is exactly the production tree of package-lock.json, same versions', () => {
    const packed = new Map<string, string>()
    for (const f of files) {
      if (!f.startsWith('node_modules/') || !f.endsWith('/package.json')) continue
      const dir = f.slice(0, -'/package.json'.length)
      if (!installPath.test(dir)) continue
      const pkg = JSON.parse(extractFile(asarPath, f).toString('utf8')) as { version: string }
      packed.set(dir, pkg.version)
    }
    const lock = lockPackages()
    const production = [...lock].filter(([, e]) => !e.dev && !e.devOptional)
    const required = production.filter(([, e]) => !e.optional).map(([p]) => p)
    const allowed = new Set(production.map(([p]) => p))

    expect([...packed.keys()].filter((p) => !allowed.has(p))).toEqual([])
    expect(required.filter((p) => !packed.has(p))).toEqual([])
    for (const [path, version] of packed) expect(version, path).toBe(lock.get(path)?.version)
  })

  it('carries no devDependency (electron, vitest, svelte, builders, …)', () => {
    const dev = Object.keys(appPackage().devDependencies)
    expect(dev).toEqual(
      expect.arrayContaining(['electron', 'vitest', 'svelte', 'electron-builder'])
    )
    expect(dev.filter((name) => files.some((f) => f.startsWith(`node_modules/${name}/`)))).toEqual(
      []
    )
  })
})

describe('tar.gz', () => {
  const tarball = existsSync(distDir)
    ? readdirSync(distDir).find((f) => f.endsWith('.tar.gz'))
    : undefined

  it.skipIf(tarball === undefined)('holds the same executable and app.asar', () => {
    const file = join(distDir, tarball!)
    const prefix = tarball!.slice(0, -'.tar.gz'.length)
    const list = spawnSync('tar', ['-tvzf', file], { encoding: 'utf8' })
    expect(list.status).toBe(0)
    const exe = list.stdout.split('\n').find((l) => l.endsWith(` ${prefix}/trustline`))
    expect(exe, 'executable in the tarball').toMatch(/^-rwx/)
    const asar = spawnSync('tar', ['-xzOf', file, `${prefix}/resources/app.asar`], {
      maxBuffer: 512 * 1024 * 1024
    })
    expect(asar.status).toBe(0)
    expect(sha256(asar.stdout)).toBe(sha256(readFileSync(asarPath)))
  })
})
