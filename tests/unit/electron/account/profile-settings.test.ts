import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ProfileSettings } from '../../../../electron/main/account/profile-settings'
import { readCaFile } from '../../../../electron/main/account/trusted-ca-file'
import { NoticeBoard } from '../../../../electron/main/notices'
import { makeHierarchy, type IssuedCert } from '../../../fixtures/pki'

let root: IssuedCert
let intermediate: IssuedCert
let leaf: IssuedCert
beforeAll(async () => {
  ;({ root, intermediate, leaf } = await makeHierarchy('sip.example.test'))
})

const aor = 'sip:alice@example.org'

/** What `run` throws (undefined if nothing). */
function thrown(run: () => unknown): Error | undefined {
  try {
    run()
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
  return undefined
}

describe('readCaFile', () => {
  it('reads one DER certificate or every block of a PEM bundle, with subject and fingerprint', () => {
    const der = readCaFile('root.der', root.der)
    expect(der).toHaveLength(1)
    expect(der[0]?.subject).toBe('CN=TrustLine Test Root')
    expect(der[0]?.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    const bundle = readCaFile('bundle.pem', Buffer.from(`${root.pem}\n${intermediate.pem}`))
    expect(bundle.map((c) => c.subject)).toEqual([
      'CN=TrustLine Test Root',
      'CN=TrustLine Test Intermediate'
    ])
  })

  it('refuses a certificate that is no CA, naming it', () => {
    const notCa = thrown(() => readCaFile('server.pem', Buffer.from(leaf.pem)))
    expect(notCa).toMatchObject({ code: 'ca-file-not-ca' })
    expect(notCa?.message).toContain('CN=sip.example.test')
    // One leaf in a bundle spoils the file: nothing of it is added.
    expect(() => readCaFile('mixed.pem', Buffer.from(root.pem + leaf.pem))).toThrow(
      expect.objectContaining({ code: 'ca-file-not-ca' })
    )
  })

  it('refuses what is not a certificate, with the file name', () => {
    for (const [name, bytes] of [
      ['notes.txt', Buffer.from('hello')],
      ['key.pem', Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')],
      ['cut.der', root.der.subarray(0, 100)],
      ['empty.der', Buffer.alloc(0)]
    ] as const) {
      const error = thrown(() => readCaFile(name, bytes))
      expect(error).toMatchObject({ code: 'ca-file-invalid' })
      expect(error?.message).toContain(name)
    }
  })
})

describe('ProfileSettings', () => {
  it('adds CAs once each, keeps where they came from, removes them, and survives a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-settings-'))
    const settings = new ProfileSettings(dir, aor)
    const added = await settings.addCas(
      'corp.pem',
      Buffer.from(root.pem),
      new Date('2026-02-03T04:05:06Z')
    )
    expect(added).toEqual([
      {
        sha256: readCaFile('x', root.der)[0]?.sha256,
        subject: 'CN=TrustLine Test Root',
        fileName: 'corp.pem',
        addedAt: '2026-02-03T04:05:06.000Z'
      }
    ])
    // The same CA from another file is not added twice.
    expect(await settings.addCas('again.der', root.der)).toHaveLength(1)
    await settings.addCas('inter.pem', Buffer.from(intermediate.pem))
    const again = new ProfileSettings(dir, aor)
    expect((await again.trustedCas()).map((c) => c.fileName)).toEqual(['corp.pem', 'inter.pem'])
    expect((await again.trustedCaDer())[0]?.equals(root.der)).toBe(true)
    const sha = (await again.trustedCas())[0]!.sha256
    expect(await again.removeCa(sha.toLowerCase().replace(/:/g, ''))).toBe(true)
    expect(await again.removeCa(sha)).toBe(false)
    expect((await new ProfileSettings(dir, aor).trustedCas()).map((c) => c.fileName)).toEqual([
      'inter.pem'
    ])
  })

  it('records whose profile it is and the display name, writing only on a change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-settings-'))
    const settings = new ProfileSettings(dir, aor)
    await settings.record()
    expect(JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8'))).toEqual({
      version: 1,
      aor,
      trustedCas: []
    })
    await settings.record('Alice')
    await settings.record()
    expect(await new ProfileSettings(dir, aor).displayName()).toBe('Alice')
  })

  it('keeps the valid CAs of a damaged file and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-settings-'))
    const first = new ProfileSettings(dir, aor)
    await first.addCas('corp.pem', Buffer.from(root.pem))
    const file = JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8')) as {
      trustedCas: unknown[]
    }
    file.trustedCas.push({ sha256: 42 })
    writeFileSync(join(dir, 'profile.json'), JSON.stringify(file))
    const notices = new NoticeBoard(null)
    const damaged = new ProfileSettings(dir, aor, { notices })
    expect((await damaged.trustedCas()).map((c) => c.fileName)).toEqual(['corp.pem'])
    expect(notices.list()).toMatchObject([
      { code: 'file-damaged', params: { file: 'profile', kept: 1 } }
    ])
    expect(readdirSync(dir).some((n) => n.startsWith('profile.json.damaged-'))).toBe(true)
  })
})
