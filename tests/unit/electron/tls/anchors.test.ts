import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CaFileError,
  loadAnchors,
  loadCaFile,
  parseCaBytes,
  platformAnchors
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
