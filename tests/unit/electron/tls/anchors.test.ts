import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CaFileError,
  clearAnchorCaches,
  loadAnchorBundle,
  loadAnchors,
  loadCaFile,
  loadPlatformAnchors,
  parseCaBytes,
  platformAnchors,
  preloadAnchors
} from '../../../../electron/main/tls/anchors'
import { makeHierarchy } from '../../../fixtures/pki'
import { pemBundle } from '../../../fixtures/tls-lab'

let dir: string
let h: Awaited<ReturnType<typeof makeHierarchy>>
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustline-anchors-'))
  h = await makeHierarchy('localhost')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('anchors', () => {
  it('reads the platform store, labelled system or bundled', () => {
    const all = platformAnchors()
    expect(all.length).toBeGreaterThan(10)
    expect(['system', 'bundled']).toContain(all[0]!.source)
  })

  it('reads PEM bundles and DER files, de-duplicates, labels policy and account', async () => {
    const bundle = join(dir, 'bundle.pem')
    writeFileSync(bundle, pemBundle([h.root, h.intermediate]))
    const der = join(dir, 'root.cer')
    writeFileSync(der, h.root.der)
    expect((await loadCaFile(bundle, 'policy')).map((a) => a.subject)).toEqual([
      'CN=TrustLine Test Root',
      'CN=TrustLine Test Intermediate'
    ])
    const all = await loadAnchors({
      platform: false,
      policyFiles: [der],
      accountFiles: [bundle],
      accountCas: [Buffer.from(h.root.pem)]
    })
    expect(all.map((a) => [a.subject, a.source])).toEqual([
      ['CN=TrustLine Test Root', 'policy'],
      ['CN=TrustLine Test Intermediate', 'account']
    ])
  })

  it('gives a clear error for missing, empty and garbage CA files', async () => {
    await expect(loadCaFile(join(dir, 'nope.pem'), 'policy')).rejects.toThrow(/does not exist/)
    const garbage = join(dir, 'garbage.pem')
    writeFileSync(garbage, 'hello')
    await expect(loadCaFile(garbage, 'policy')).rejects.toBeInstanceOf(CaFileError)
    await expect(loadCaFile(garbage, 'policy')).rejects.toThrow(/neither a PEM nor a DER/)
    expect(() =>
      parseCaBytes(Buffer.from('-----BEGIN PRIVATE KEY-----\nAA\n'), 'account', 'x')
    ).toThrow(/no CERTIFICATE block/)
    expect(() =>
      parseCaBytes(
        Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
        'account',
        'x'
      )
    ).toThrow(/Certificate #1 in x is unreadable/)
  })
})

describe('anchor caches', () => {
  it('parses the platform store once per process and shares it frozen', async () => {
    clearAnchorCaches()
    const first = loadPlatformAnchors()
    expect(loadPlatformAnchors()).toBe(first)
    const anchors = await first
    expect(await loadPlatformAnchors()).toBe(anchors)
    expect(anchors.length).toBe(platformAnchors().length)
    expect(Object.isFrozen(anchors)).toBe(true)
    expect(Object.isFrozen(anchors[0])).toBe(true)
    expect(() => {
      ;(anchors[0] as { source: string }).source = 'policy'
    }).toThrow(TypeError)
    expect(() => (anchors as unknown as unknown[]).push(anchors[0])).toThrow(TypeError)
  })

  it('memoises a bundle by content, with parsed, frozen engine anchors', async () => {
    const file = join(dir, 'memo.pem')
    writeFileSync(file, pemBundle([h.root]))
    const set = { platform: false, policyFiles: [file] }
    const a = await loadAnchorBundle(set)
    expect(await loadAnchorBundle({ ...set })).toBe(a)
    // The same CA given as in-memory bytes instead of a file is another source, another set.
    const b = await loadAnchorBundle({ platform: false, accountCas: [Buffer.from(h.root.pem)] })
    expect(b.key).not.toBe(a.key)
    expect(a.pems).toEqual([h.root.pem.replace(/\r?\n?$/, '\n')])
    const engine = a.engine[0]!
    expect(engine.cert?.subject.text).toBe('CN=TrustLine Test Root')
    expect(Object.isFrozen(engine.cert)).toBe(true)
    expect(Object.isFrozen(engine.cert!.subject)).toBe(true)
    expect(Object.isFrozen(a.engine)).toBe(true)
  })

  it('re-parses a CA file whose content changed, even with size and mtime unchanged', async () => {
    const file = join(dir, 'edited.pem')
    const other = await makeHierarchy('other')
    // Text outside the PEM blocks is ignored: pad both to one length, so only content differs.
    const [oldPem, newPem] = [pemBundle([h.root]), pemBundle([other.root])]
    const size = Math.max(oldPem.length, newPem.length)
    const original = oldPem.padEnd(size, '\n')
    // A whole-second time both before and after the edit, so the file system stores it exactly.
    const stamp = new Date('2026-11-01T08:00:00Z')
    writeFileSync(file, original)
    utimesSync(file, stamp, stamp)
    const before = await loadAnchorBundle({ platform: false, policyFiles: [file] })
    const st = statSync(file)
    writeFileSync(file, newPem.padEnd(size, '\n'))
    utimesSync(file, stamp, stamp)
    expect(statSync(file).size).toBe(st.size)
    expect(statSync(file).mtimeMs).toBe(st.mtimeMs)
    const after = await loadAnchorBundle({ platform: false, policyFiles: [file] })
    expect(after.key).not.toBe(before.key)
    expect(after.anchors.map((a) => a.subject)).toEqual(['CN=TrustLine Test Root'])
    expect(after.anchors[0]!.sha256).not.toBe(before.anchors[0]!.sha256)
    // Back to the old content: the old parse and bundle are reused.
    writeFileSync(file, original)
    expect(await loadAnchorBundle({ platform: false, policyFiles: [file] })).toBe(before)
  })

  it('never caches a failure: a CA file that appears later is used', async () => {
    const file = join(dir, 'later.pem')
    await expect(loadAnchorBundle({ platform: false, policyFiles: [file] })).rejects.toThrow(
      /does not exist/
    )
    writeFileSync(file, pemBundle([h.root]))
    expect((await loadAnchors({ platform: false, policyFiles: [file] })).length).toBe(1)
  })

  it('preloads without blocking the caller and never rejects', async () => {
    clearAnchorCaches()
    let settled = false
    const warm = preloadAnchors({}).then((b) => {
      settled = true
      return b
    })
    await Promise.resolve()
    expect(settled).toBe(false)
    const bundle = await warm
    // The very anchor objects a later check gets: the preload did the parsing.
    const platform = await loadPlatformAnchors()
    expect(bundle!.anchors.length).toBeGreaterThan(10)
    expect(bundle!.anchors.every((a) => platform.includes(a))).toBe(true)
    expect(await loadAnchorBundle({})).toBe(bundle)
    expect(await preloadAnchors({ platform: false, policyFiles: [join(dir, 'nope.pem')] })).toBe(
      null
    )
  })
})
