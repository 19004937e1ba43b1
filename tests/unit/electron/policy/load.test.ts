import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadPolicy, lockedDownPolicy, maxPolicyBytes } from '../../../../electron/main/policy/load'
import { policyFileEnv } from '../../../../electron/main/policy/paths'

let dir: string
let file: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trustline-policy-'))
  file = join(dir, 'policy.json')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const good = {
  server: { host: 'sip.corp.example', sipDomain: 'corp.example' },
  revocation: 'hard-fail',
  allowTrustExceptions: false,
  allowedSipDomains: ['corp.example']
}

describe('loadPolicy', () => {
  it('no file → no policy, no error', async () => {
    expect(await loadPolicy({ file })).toEqual({ policy: null, source: file })
  })

  it('no directory → no policy', async () => {
    const missing = join(dir, 'nope', 'policy.json')
    expect(await loadPolicy({ file: missing })).toEqual({ policy: null, source: missing })
  })

  it('a valid file is the policy', async () => {
    await writeFile(file, JSON.stringify(good))
    const loaded = await loadPolicy({ file })
    expect(loaded).toEqual({ policy: good, source: file })
    expect(Object.isFrozen(loaded.policy)).toBe(true)
  })

  it('tolerates a UTF-8 byte order mark (Windows Notepad)', async () => {
    await writeFile(file, '\uFEFF' + JSON.stringify(good))
    expect((await loadPolicy({ file })).policy).toEqual(good)
  })

  it('finds the file through TRUSTLINE_POLICY_FILE when the override is allowed', async () => {
    await writeFile(file, JSON.stringify(good))
    const env = { [policyFileEnv]: file }
    expect(await loadPolicy({ env, allowEnvOverride: true })).toEqual({
      policy: good,
      source: file
    })
    const ignored = await loadPolicy({ env, platform: 'linux', allowEnvOverride: false })
    expect(ignored.source).toBe('/etc/trustline/policy.json')
  })

  describe('an invalid file locks down and says why', () => {
    async function expectLockedDown(detail: RegExp): Promise<void> {
      const loaded = await loadPolicy({ file, platform: 'linux' })
      expect(loaded.policy).toBe(lockedDownPolicy)
      expect(loaded.source).toBe(file)
      expect(loaded.error).toContain(file)
      expect(loaded.error).toMatch(detail)
      expect(loaded.error).toMatch(/locked down/)
    }

    it('bad JSON', async () => {
      await writeFile(file, '{ "revocation": "hard-fail", }')
      await expectLockedDown(/not valid JSON/)
    })

    it('an empty file', async () => {
      await writeFile(file, '')
      await expectLockedDown(/not valid JSON/)
    })

    it('a schema violation names the key', async () => {
      await writeFile(file, JSON.stringify({ revocation: 'strict' }))
      await expectLockedDown(/revocation: /)
    })

    it('a misspelt key', async () => {
      await writeFile(file, JSON.stringify({ allowTrustExeptions: false }))
      await expectLockedDown(/allowTrustExeptions/)
    })

    it('null instead of an object', async () => {
      await writeFile(file, 'null')
      await expectLockedDown(/\(top level\)/)
    })

    it('a directory where the file should be', async () => {
      await mkdir(file)
      await expectLockedDown(/not a regular file|cannot be read/)
    })

    it('a file too large to be a policy', async () => {
      await writeFile(file, ' '.repeat(maxPolicyBytes + 1))
      await expectLockedDown(/larger than/)
    })

    it('a file every user may write', async () => {
      await writeFile(file, JSON.stringify(good))
      await chmod(file, 0o666)
      await expectLockedDown(/writable by every user/)
    })

    it.skipIf(process.getuid?.() === 0)('an unreadable file', async () => {
      await writeFile(file, JSON.stringify(good))
      await chmod(file, 0o000)
      await expectLockedDown(/cannot be read \(EACCES\)/)
    })

    it('a path through a regular file (ENOTDIR)', async () => {
      await writeFile(file, '{}')
      const through = join(file, 'policy.json')
      const loaded = await loadPolicy({ file: through })
      expect(loaded.policy).toBe(lockedDownPolicy)
      expect(loaded.error).toMatch(/cannot be read \(ENOTDIR\)/)
    })
  })

  it('the locked-down policy never opens anything', () => {
    expect(lockedDownPolicy).toEqual({
      trustedCaFiles: [],
      revocation: 'hard-fail',
      allowTrustExceptions: false,
      allowedSipDomains: [],
      sendReadReceipts: false
    })
    expect(Object.isFrozen(lockedDownPolicy)).toBe(true)
    expect(Object.isFrozen(lockedDownPolicy.allowedSipDomains)).toBe(true)
  })

  it('world-writable is not checked on Windows (ACLs there)', async () => {
    await writeFile(file, JSON.stringify(good))
    await chmod(file, 0o666)
    expect((await loadPolicy({ file, platform: 'win32' })).policy).toEqual(good)
  })
})
