import { X509Certificate } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore } from '../../../electron/main/core'
import { createPolicyService, loadPolicy } from '../../../electron/main/policy'
import { createTrustParts } from '../../../electron/main/trust-parts'
import type { ResponseOf } from '../../../shared/ipc/contract'
import type { IpcResult } from '../../../shared/ipc/result'
import type { SessionState } from '../../../shared/types/sip'
import { makeCert, type IssuedCert } from '../../fixtures/pki'
import { startTlsServer, type Running } from '../../fixtures/tls-lab'

async function coreWithPolicy(policyText: string, seed?: (dataDir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'tl-core-policy-'))
  const file = join(dir, 'policy.json')
  writeFileSync(file, policyText, { mode: 0o644 })
  seed?.(dir)
  const policy = await createPolicyService({
    load: () => loadPolicy({ file }),
    userSettings: () => ({})
  })
  const core = createCore({
    host: 'browser',
    version: '0',
    dataDir: dir,
    policy,
    trust: createTrustParts({ platformAnchors: false, revocation: 'off' }),
    // Nothing answers here: discovery fails at once instead of asking the machine's DNS.
    dnsServers: ['127.0.0.1:9']
  })
  return { core, file, dir }
}

/** A self-signed SIP-over-TLS server that records whatever a client sends it. */
let selfSigned: IssuedCert
let server: Running
const received: Buffer[] = []
beforeAll(async () => {
  selfSigned = await makeCert({
    subject: 'CN=localhost',
    sans: [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' }
    ]
  })
  server = await startTlsServer({ chain: [selfSigned], key: selfSigned.keys, received })
})
afterAll(async () => {
  await server.close()
})

/** The exception file as a user's data folder holds it, pinning the test server's leaf. */
function exceptionFile(dataDir: string): void {
  writeFileSync(
    join(dataDir, 'trust-exceptions.json'),
    JSON.stringify({
      version: 1,
      exceptions: [
        {
          host: '127.0.0.1',
          port: server.port,
          sha256: new X509Certificate(selfSigned.der).fingerprint256,
          subject: 'CN=localhost',
          acceptedAt: '2025-05-05T05:05:05.000Z'
        }
      ]
    })
  )
}

type Report = IpcResult<ResponseOf<'trust:get-report'>>

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
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

  it('enforces a locked SIP domain for every sign-in, explicit server or not', async () => {
    const { core, file } = await coreWithPolicy(
      JSON.stringify({ version: 1, server: { sipDomain: 'corp.example' } })
    )
    const r = await core.dispatcher.invoke('session:sign-in', {
      aor: 'sip:alice@other.example',
      password: 'x',
      server: { host: '127.0.0.1', port: server.port }
    })
    expect(r).toMatchObject({ ok: false, error: { code: 'policy-forbids' } })
    if (!r.ok) expect(r.error.message).toContain(file)
    expect(received).toEqual([])
    await core.dispose()
  })

  it("drops a server the user typed when the policy's server block means DNS discovery", async () => {
    const { core } = await coreWithPolicy(
      JSON.stringify({ version: 1, server: { sipDomain: 'corp.example' } })
    )
    await core.dispatcher.invoke('session:sign-in', {
      aor: 'sip:alice@corp.example',
      password: 'x',
      server: { host: '127.0.0.1', port: server.port }
    })
    const info = (await core.dispatcher.invoke('connection:get', undefined)) as IpcResult<
      ResponseOf<'connection:get'>
    >
    expect(info.ok && info.value.trace[0]).toMatchObject({ kind: 'naptr', name: 'corp.example' })
    expect(received).toEqual([])
    await core.dispose()
  })

  it('ignores a stored exception the policy forbids: refused, not one byte sent', async () => {
    const { core } = await coreWithPolicy(
      JSON.stringify({ version: 1, allowTrustExceptions: false }),
      exceptionFile
    )
    const r = await core.dispatcher.invoke('session:sign-in', {
      aor: 'sip:alice@corp.example',
      password: 'x',
      server: { host: '127.0.0.1', port: server.port }
    })
    expect(r).toMatchObject({
      ok: true,
      value: {
        status: 'failed',
        failure: { code: 'untrusted', finding: { code: 'exception-forbidden' } }
      }
    })
    const report = await core.dispatcher.invoke('trust:get-report', undefined)
    expect(report).toMatchObject({
      ok: true,
      value: { verdict: 'untrusted', exception: null, exceptionOffer: 'forbidden-by-policy' }
    })
    expect(received).toEqual([])
    await core.dispose()
  })

  it('drops a connection trusted by an exception when a reloaded policy forbids exceptions', async () => {
    const { core, file } = await coreWithPolicy(JSON.stringify({ version: 1 }), exceptionFile)
    const states: SessionState[] = []
    core.events.subscribe((channel, payload) => {
      if (channel === 'session:state-changed') states.push(payload as SessionState)
    })
    const signIn = core.dispatcher.invoke('session:sign-in', {
      aor: 'sip:alice@corp.example',
      password: 'x',
      server: { host: '127.0.0.1', port: server.port }
    })
    // Trusted by the exception: the session starts talking SIP to the server.
    await waitFor(() => Buffer.concat(received).toString('latin1').includes('REGISTER'))
    const live = (await core.dispatcher.invoke('trust:get-report', undefined)) as Report
    expect(live.ok && live.value?.verdict).toBe('trusted-by-exception')
    writeFileSync(file, JSON.stringify({ version: 1, allowTrustExceptions: false }))
    await core.dispatcher.invoke('policy:reload', undefined)
    await waitFor(() => states.some((s) => s.status === 'failed'))
    expect(states.at(-1)?.failure).toMatchObject({
      code: 'untrusted',
      finding: { code: 'exception-forbidden' }
    })
    const after = (await core.dispatcher.invoke('trust:get-report', undefined)) as Report
    expect(after.ok && after.value?.verdict).toBe('untrusted')
    await signIn
    received.length = 0
    await core.dispose()
  })
})
