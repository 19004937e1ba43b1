import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createCore } from '../../../electron/main/core'
import { createPolicyService, loadPolicy } from '../../../electron/main/policy'
import { createTrustParts } from '../../../electron/main/trust-parts'

async function coreWithPolicy(policyText: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tl-core-policy-'))
  const file = join(dir, 'policy.json')
  writeFileSync(file, policyText, { mode: 0o644 })
  const policy = await createPolicyService({
    load: () => loadPolicy({ file }),
    userSettings: () => ({})
  })
  const core = createCore({
    host: 'browser',
    version: '0',
    dataDir: dir,
    policy,
    trust: createTrustParts({ platformAnchors: false })
  })
  return { core, file }
}

describe('enterprise policy in the core', () => {
  it('refuses sign-in outside the allowed SIP domains, naming the policy file', async () => {
    const { core, file } = await coreWithPolicy(
      JSON.stringify({ version: 1, allowedSipDomains: ['corp.example'] })
    )
    const r = await core.dispatcher.invoke('session:sign-in', {
      aor: 'sip:alice@elsewhere.example',
      password: 'x'
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'policy-forbids' } })
    if (!r.ok) expect(r.error.message).toContain(file)
    await core.dispose()
  })

  it('refuses trust exceptions when the policy forbids them', async () => {
    const { core } = await coreWithPolicy(JSON.stringify({ allowTrustExceptions: false }))
    const r = await core.dispatcher.invoke('trust:accept-exception', {
      host: 'sip.corp.example',
      port: 5061,
      sha256: Array.from({ length: 32 }, () => 'AB').join(':'),
      confirm: true
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'policy-forbids' } })
    const effective = await core.dispatcher.invoke('policy:get', undefined)
    expect(effective).toMatchObject({
      ok: true,
      value: {
        status: 'active',
        settings: { allowTrustExceptions: { value: false, locked: true } }
      }
    })
    await core.dispose()
  })

  it('locks down, with a clear error, when the policy file is invalid', async () => {
    const { core } = await coreWithPolicy('{ "allowTrustExceptions": tru')
    const effective = await core.dispatcher.invoke('policy:get', undefined)
    expect(effective).toMatchObject({ ok: true, value: { status: 'invalid' } })
    if (effective.ok) expect((effective.value as { error: string }).error).toMatch(/JSON/i)
    const r = await core.dispatcher.invoke('session:sign-in', {
      aor: 'sip:alice@corp.example',
      password: 'x'
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'policy-forbids' } })
    await core.dispose()
  })
})
