import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ProfileSettings } from '../../../../electron/main/account/profile-settings'
import { createProfileHandlers } from '../../../../electron/main/ipc/profile-handlers'
import { mergeSettings } from '../../../../electron/main/policy/merge'
import type { EffectivePolicy, PolicyFile } from '../../../../shared/types/policy'
import { makeHierarchy, type IssuedCert } from '../../../fixtures/pki'

const source = '/etc/trustline/policy.json'
const aor = 'sip:alice@example.org'

let root: IssuedCert
beforeAll(async () => {
  ;({ root } = await makeHierarchy('sip.example.test'))
})

/** The handlers over one real profile's settings and a policy the test sets. */
function setup(signedIn = true) {
  let policy: EffectivePolicy | null = null
  const settings = new ProfileSettings(mkdtempSync(join(tmpdir(), 'tl-profile-h-')), aor)
  const profile = { aor, settings }
  const handlers = createProfileHandlers({
    profiles: {
      active: profile as never,
      signedIn: signedIn ? (profile as never) : null,
      view: { aor },
      start: () => Promise.resolve()
    },
    policy: () => policy
  })
  const add = () =>
    handlers['profile:add-ca']({ fileName: 'root.pem', dataBase64: root.der.toString('base64') })
  return {
    handlers,
    add,
    setPolicy: (p: PolicyFile | null) =>
      (policy = p ? mergeSettings({}, { policy: p, source }) : null)
  }
}

describe('profile handlers', () => {
  it('add and remove the CAs of the account shown when the policy leaves them to the user', async () => {
    const s = setup()
    s.setPolicy({ version: 1, trustedCaFiles: undefined, allowTrustExceptions: true })
    const list = await s.add()
    expect(list).toMatchObject({ aor, locked: null, cas: [{ fileName: 'root.pem' }] })
    const sha256 = list.cas[0]?.sha256 ?? ''
    expect(await s.handlers['profile:remove-ca']({ sha256 })).toMatchObject({ cas: [] })
  })

  it("refuses changes to the remembered account's CAs before anyone signed in with it", async () => {
    const s = setup(false)
    await expect(s.add()).rejects.toMatchObject({ code: 'not-signed-in' })
    expect(await s.handlers['profile:list-cas']()).toMatchObject({ aor, cas: [] })
  })

  // Both ways a policy takes trust decisions away from the user lock the account's own CAs:
  // nothing can be added or removed, and the list says which policy file and why.
  it.each<[PolicyFile, string]>([
    [{ version: 1, trustedCaFiles: ['/etc/trustline/corp.pem'] }, 'policy-sets-cas'],
    [{ version: 1, allowTrustExceptions: false }, 'policy-forbids-exceptions'],
    [
      { version: 1, trustedCaFiles: ['/etc/trustline/corp.pem'], allowTrustExceptions: false },
      'policy-sets-cas'
    ]
  ])('are locked by the policy %j (%s)', async (policy, reason) => {
    const s = setup()
    const before = await s.add()
    s.setPolicy(policy)
    await expect(s.add()).rejects.toMatchObject({ code: 'policy-forbids' })
    await expect(
      s.handlers['profile:remove-ca']({ sha256: before.cas[0]?.sha256 ?? '' })
    ).rejects.toMatchObject({ code: 'policy-forbids' })
    expect(await s.handlers['profile:list-cas']()).toMatchObject({
      locked: { reason, by: source },
      cas: [{ sha256: before.cas[0]?.sha256 }]
    })
  })
})
