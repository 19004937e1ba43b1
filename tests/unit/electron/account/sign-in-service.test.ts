import { describe, expect, it } from 'vitest'
import type { ConnectionAccount } from '../../../../electron/main/account/connection-service'
import {
  SignInService,
  type SignInServiceDeps
} from '../../../../electron/main/account/sign-in-service'
import { mergeSettings } from '../../../../electron/main/policy/merge'
import type { SavedAccount } from '../../../../shared/types/account'
import type { EffectivePolicy, PolicyFile } from '../../../../shared/types/policy'
import type { SessionState, SignInRequest } from '../../../../shared/types/sip'

/** A policy in force, as the policy service would answer it. */
function policyOf(policy: PolicyFile): EffectivePolicy {
  return mergeSettings({}, { policy, source: '/etc/trustline/policy.json' })
}

/** Fakes that write down, in order, what the service asked of each. */
function fakes(outcome: SessionState = { status: 'registered', aor: 'sip:alice@example.org' }) {
  const steps: string[] = []
  const configured: (ConnectionAccount | null)[] = []
  const signedIn: SignInRequest[] = []
  let state: SessionState = { status: 'signed-out' }
  let remembered: SavedAccount | null = null
  let cas: Buffer[] = []
  let policy: EffectivePolicy | null = null
  const deps: SignInServiceDeps = {
    session: {
      get state() {
        return state
      },
      signIn: (request) => {
        steps.push(`session.signIn ${request.aor}`)
        signedIn.push(request)
        state = outcome
        return Promise.resolve(outcome)
      },
      signOut: () => {
        steps.push('session.signOut')
        state = { status: 'signed-out' }
        return Promise.resolve()
      }
    },
    connection: {
      configure: (account) => {
        steps.push(account ? `configure ${account.sipDomain}` : 'configure null')
        configured.push(account)
      }
    },
    profiles: {
      open: (aor, displayName) => {
        steps.push(`open ${aor}${displayName ? ` (${displayName})` : ''}`)
        return Promise.resolve({
          aor,
          settings: { trustedCaDer: () => Promise.resolve(cas) }
        } as never)
      },
      settleClaim: () => Promise.resolve(),
      showRemembered: () => {
        steps.push('showRemembered')
        return Promise.resolve()
      },
      remember: (account, password) => {
        steps.push(`remember ${account.aor} ${password ?? ''}`)
        remembered = { ...account, hasSavedPassword: password !== null }
        return Promise.resolve({ account: remembered, refused: null })
      },
      remembered: () => Promise.resolve(remembered),
      password: (aor) => Promise.resolve(remembered?.aor === aor ? 'kept' : null),
      forget: () => {
        steps.push('forget')
        remembered = null
        return Promise.resolve(true)
      }
    },
    policy: () => policy,
    onSavedChanged: () => steps.push('saved-changed')
  }
  return {
    service: new SignInService(deps),
    steps,
    configured,
    signedIn,
    setState: (s: SessionState) => (state = s),
    setCas: (c: Buffer[]) => (cas = c),
    setPolicy: (p: EffectivePolicy | null) => (policy = p),
    setRemembered: (r: SavedAccount | null) => (remembered = r)
  }
}

describe('SignInService', () => {
  it('parses the address once: the domain as DNS spells it, in the profile, connection and session', async () => {
    const f = fakes()
    await f.service.signIn({ aor: 'sip:Alice@Bücher.Example', password: 'x', displayName: 'A' })
    expect(f.steps).toEqual([
      'open sip:Alice@xn--bcher-kva.example (A)',
      'configure xn--bcher-kva.example',
      'session.signIn sip:Alice@xn--bcher-kva.example'
    ])
  })

  it('refuses what is not an address, or what the policy forbids, before anything changes', async () => {
    const f = fakes()
    await expect(f.service.signIn({ aor: 'alice', password: 'x' })).rejects.toMatchObject({
      code: 'bad-request'
    })
    f.setPolicy(policyOf({ version: 1, allowedSipDomains: ['corp.example'] }))
    await expect(
      f.service.signIn({ aor: 'sip:alice@example.org', password: 'x' })
    ).rejects.toMatchObject({ code: 'policy-forbids' })
    expect(f.steps).toEqual([])
  })

  it("signs the previous account out before another account's profile is shown", async () => {
    const f = fakes()
    f.setState({ status: 'registered', aor: 'sip:carol@example.org' })
    await f.service.signIn({ aor: 'sip:alice@example.org', password: 'x' })
    expect(f.steps.slice(0, 2)).toEqual(['session.signOut', 'open sip:alice@example.org'])
  })

  it("passes the account's own CAs to the connection unless the policy sets the CAs", async () => {
    const f = fakes()
    const ca = Buffer.from('a CA')
    f.setCas([ca])
    await f.service.signIn({ aor: 'sip:alice@example.org', password: 'x' })
    expect(f.configured.at(-1)?.extraCas).toEqual([ca])
    f.setPolicy(policyOf({ version: 1, trustedCaFiles: ['/etc/trustline/corp.pem'] }))
    await f.service.signIn({ aor: 'sip:alice@example.org', password: 'x' })
    expect(f.configured.at(-1)?.extraCas).toBeUndefined()
    // A policy that forbids trusting servers by hand forbids the account's own CAs too.
    f.setPolicy(policyOf({ version: 1, allowTrustExceptions: false }))
    await f.service.signIn({ aor: 'sip:alice@example.org', password: 'x' })
    expect(f.configured.at(-1)?.extraCas).toBeUndefined()
    f.setPolicy(policyOf({ version: 1, allowTrustExceptions: true }))
    await f.service.signIn({ aor: 'sip:alice@example.org', password: 'x' })
    expect(f.configured.at(-1)?.extraCas).toEqual([ca])
  })

  it('applies a server preset by the policy and keeps the certificate and transport asked for', async () => {
    const f = fakes()
    f.setPolicy(policyOf({ version: 1, server: { host: 'sip.corp.example', port: 5062 } }))
    await f.service.signIn({
      aor: 'sip:alice@example.org',
      password: 'x',
      server: { host: 'typed.example' },
      clientCertificate: { fileName: 'a.pem', format: 'pem', dataBase64: 'QUJD' }
    })
    expect(f.configured.at(-1)).toMatchObject({
      sipDomain: 'example.org',
      server: { host: 'sip.corp.example', port: 5062 },
      clientCertificate: { pem: 'ABC' }
    })
    expect(f.signedIn.at(-1)?.server).toMatchObject({ host: 'sip.corp.example' })
  })

  it('remembers the account only when asked and signed in', async () => {
    const failed = fakes({ status: 'failed', failure: { code: 'wrong-password', reason: '403' } })
    await failed.service.signIn({ aor: 'sip:alice@example.org', password: 'x', remember: true })
    expect(failed.steps.some((s) => s.startsWith('remember'))).toBe(false)
    const ok = fakes()
    await ok.service.signIn({ aor: 'sip:alice@example.org', password: 'x' })
    expect(ok.steps.some((s) => s.startsWith('remember'))).toBe(false)
    await ok.service.signIn({ aor: 'sip:alice@example.org', password: 'pw', remember: true })
    expect(ok.steps.slice(-2)).toEqual(['remember sip:alice@example.org pw', 'saved-changed'])
  })

  it('signs in with the remembered account and its kept password, or says none is kept', async () => {
    const f = fakes()
    await expect(f.service.signInSaved('sip:alice@example.org')).rejects.toMatchObject({
      code: 'no-saved-password'
    })
    f.setRemembered({
      aor: 'sip:alice@example.org',
      displayName: 'Alice',
      server: { host: 'sip.example.org' },
      hasSavedPassword: true
    })
    await f.service.signInSaved('sip:alice@example.org')
    expect(f.signedIn.at(-1)).toEqual({
      aor: 'sip:alice@example.org',
      password: 'kept',
      displayName: 'Alice',
      server: { host: 'sip.example.org' }
    })
  })

  it('signs out: the session, then the connection view, then the remembered profile is shown', async () => {
    const f = fakes()
    await f.service.signOut()
    expect(f.steps).toEqual(['session.signOut', 'configure null', 'showRemembered'])
  })

  it('forgets the remembered account and stops showing it when nobody is signed in', async () => {
    const f = fakes()
    expect(await f.service.forgetSaved()).toBe(true)
    expect(f.steps).toEqual(['forget', 'saved-changed', 'showRemembered'])
    const signedIn = fakes()
    signedIn.setState({ status: 'registered', aor: 'sip:alice@example.org' })
    await signedIn.service.forgetSaved()
    expect(signedIn.steps).toEqual(['forget', 'saved-changed'])
  })
})
