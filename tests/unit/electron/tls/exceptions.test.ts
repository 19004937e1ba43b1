import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { TrustReport } from '../../../../shared/types/trust'
import { ExceptionStore } from '../../../../electron/main/tls/exceptions'
import { sampleReport } from '../../../fixtures/sample-dtos'

const dir = mkdtempSync(join(tmpdir(), 'trustline-exc-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const fp = (b: string) => Array.from({ length: 32 }, () => b).join(':')

function report(
  host: string,
  port: number,
  sha: string,
  extra: Partial<TrustReport> = {}
): TrustReport {
  const base = sampleReport
  const leaf = { ...base.sentChain[0]!, sha256: sha, subject: `CN=${host}` }
  return {
    ...base,
    host,
    port,
    sentChain: [leaf],
    builtChain: [leaf],
    verdict: 'untrusted',
    ...extra
  }
}

describe('ExceptionStore', () => {
  it('accepts only a certificate a report showed, with the repeated fingerprint', async () => {
    const file = join(dir, 'a.json')
    const store = new ExceptionStore(file, () => new Date('2026-01-02T03:04:05Z'))
    await expect(
      store.accept({ host: 'sip.x', port: 5061, sha256: fp('AA') })
    ).rejects.toMatchObject({
      code: 'no-offer'
    })
    store.offer(report('sip.x', 5061, fp('AA')))
    await expect(
      store.accept({ host: 'sip.x', port: 5061, sha256: fp('BB') })
    ).rejects.toMatchObject({
      code: 'fingerprint-mismatch'
    })
    const entry = await store.accept({ host: 'SIP.X', port: 5061, sha256: fp('AA'), confirm: true })
    expect(entry).toMatchObject({
      host: 'sip.x',
      port: 5061,
      sha256: fp('AA'),
      acceptedAt: '2026-01-02T03:04:05.000Z'
    })
    expect(await store.find('sip.x', 5061)).toEqual(entry)
    expect(await store.find('sip.x', 5062)).toBeNull()

    const again = new ExceptionStore(file)
    expect(await again.list()).toEqual([entry])
    expect(await again.revoke('sip.x', 5061)).toBe(true)
    expect(await again.revoke('sip.x', 5061)).toBe(false)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, exceptions: [] })
  })

  it('never accepts a revoked certificate', async () => {
    const store = new ExceptionStore(join(dir, 'b.json'))
    const base = report('sip.y', 5061, fp('CC'))
    store.offer({
      ...base,
      reasons: [
        {
          code: 'revoked',
          severity: 'error',
          certIndex: 0,
          certSubject: null,
          params: {},
          detail: ''
        }
      ]
    })
    await expect(
      store.accept({ host: 'sip.y', port: 5061, sha256: fp('CC') })
    ).rejects.toMatchObject({
      code: 'revoked'
    })
  })

  it('moves a corrupt file aside under a new name each time and starts empty', async () => {
    const file = join(dir, 'c.json')
    const backups = new Set<string>()
    for (const garbage of ['{ not json', '{ still not json']) {
      writeFileSync(file, garbage)
      const store = new ExceptionStore(file)
      expect(await store.list()).toEqual([])
      const keptAs = /kept as (\S+),/.exec(store.loadProblem ?? '')?.[1] ?? ''
      expect(keptAs).toMatch(/c\.json\.damaged-/)
      expect(readFileSync(keptAs, 'utf8')).toBe(garbage)
      backups.add(keptAs)
      expect(existsSync(file)).toBe(false)
    }
    expect(backups.size).toBe(2)
  })
})
