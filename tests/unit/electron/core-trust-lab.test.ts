import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../../electron/main/core'
import { createTrustParts } from '../../../electron/main/trust-parts'
import type { InvokeName, ResponseOf } from '../../../shared/ipc/contract'
import type { IpcResult } from '../../../shared/ipc/result'
import { makeCert, makeHierarchy, type IssuedCert, type NameSpec } from '../../fixtures/pki'
import { startTlsServer, type Running } from '../../fixtures/tls-lab'
import { startLab, type Lab } from '../../lab/lab'

// The DNS-hijack rule through a whole sign-in: the lab's dnsmasq sends a SIP domain (by SRV) to
// a TLS server of the test's own, outside the domain, whose certificate is valid for its own name
// but does not name the domain, except through a trick (a wildcard, text inside another
// attribute). The server records every byte it receives after the handshake: before the user
// answers the question, not one SIP byte (no REGISTER, no digest) may reach it.

interface Scenario {
  /** The SIP domain signed in to (as the user types it). */
  domain: string
  /** The domain as DNS spells it (A-label). */
  dnsDomain: string
  /** The SRV target: outside the domain. */
  target: string
  received: Buffer[]
  server: Running | null
  leaf: IssuedCert | null
}

const scenarios: Record<string, Scenario> = {}
function scenario(name: string, domain: string, target: string, dnsDomain = domain): Scenario {
  scenarios[name] = { domain, dnsDomain, target, received: [], server: null, leaf: null }
  return scenarios[name]
}

const wildcard = scenario('wildcard', 'corp.wild.trustline.test', 'www.wild.trustline.test')
const tld = scenario('tld', 'corp.test', 'tld-edge.test')
const injected = scenario('injected', 'corp.inj.trustline.test', 'edge.inj.trustline.test')
const unicode = scenario(
  'unicode',
  'bücher.trustline.test',
  'edge.uni.trustline.test',
  'xn--bcher-kva.trustline.test'
)
const unicodeOther = scenario(
  'unicodeOther',
  'bücher2.trustline.test',
  'edge.uni2.trustline.test',
  'xn--bcher2-3ya.trustline.test'
)

let lab: Lab
let caFile: string
const cores: Core[] = []

beforeAll(async () => {
  const h = await makeHierarchy('hijack-test', { root: { subject: 'CN=Hijack Test Root' } })
  const issue = async (
    s: Scenario,
    sans: NameSpec[] | undefined,
    subject?: string,
    selfSigned = false
  ) => {
    s.leaf = await makeCert({
      subject: subject ?? `CN=${s.target}`,
      ...(selfSigned ? {} : { issuer: h.intermediate }),
      ...(sans ? { sans } : {})
    })
    s.server = await startTlsServer({
      chain: selfSigned ? [s.leaf] : [s.leaf, h.intermediate],
      key: s.leaf.keys,
      received: s.received
    })
  }
  await issue(
    wildcard,
    [{ type: 'dns', value: '*.wild.trustline.test' }],
    'CN=*.wild.trustline.test'
  )
  await issue(tld, [
    { type: 'dns', value: 'tld-edge.test' },
    { type: 'dns', value: '*.test' }
  ])
  // SAN-less and self-signed; the OU holds the text ", CN=<domain>".
  await issue(injected, undefined, `OU=x\\, CN=${injected.domain}`, true)
  await issue(unicode, [
    { type: 'dns', value: unicode.target },
    { type: 'uri', value: `sip:${unicode.dnsDomain}` }
  ])
  await issue(unicodeOther, [{ type: 'dns', value: unicodeOther.target }])
  caFile = join(mkdtempSync(join(tmpdir(), 'tl-hijack-ca-')), 'root.pem')
  writeFileSync(caFile, h.root.pem)
  const extraDns = Object.values(scenarios).flatMap((s) => [
    `--srv-host=_sips._tcp.${s.dnsDomain},${s.target},${s.server!.port},0,10`,
    `--address=/${s.target}/127.0.0.1`
  ])
  lab = await startLab({ runDir: mkdtempSync(join(tmpdir(), 'tl-hijack-lab-')), extraDns })
}, 60_000)

afterAll(async () => {
  for (const core of cores) await core.dispose().catch(() => undefined)
  for (const s of Object.values(scenarios)) await s.server?.close()
  await lab?.stop()
})

function makeCore() {
  const core = createCore({
    host: 'browser',
    version: '0.0.0-test',
    dataDir: mkdtempSync(join(tmpdir(), 'tl-hijack-data-')),
    trust: createTrustParts({ policyCaFiles: [lab.pki.rootCa, caFile], revocation: 'off' }),
    dnsServers: [`127.0.0.1:${lab.ports.dns}`],
    session: { registerTimeoutMs: 2000 }
  })
  cores.push(core)
  const call = async <K extends InvokeName>(channel: K, payload?: unknown) => {
    const result = (await core.dispatcher.invoke(channel, payload)) as IpcResult<ResponseOf<K>>
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`)
    return result.value
  }
  return { call }
}

const sent = (s: Scenario) => Buffer.concat(s.received).toString('latin1')

async function expectQuestionAndSilence(s: Scenario, call: ReturnType<typeof makeCore>['call']) {
  const state = await call('session:sign-in', {
    aor: `sip:alice@${s.domain}`,
    password: 'the password that must not leave'
  })
  expect(state).toMatchObject({
    status: 'failed',
    failure: { code: 'untrusted', finding: { code: 'sip-domain-unconfirmed' } }
  })
  const report = await call('trust:get-report')
  expect(report?.verdict).toBe('needs-question')
  expect(report?.headline?.params).toMatchObject({ sipDomain: s.dnsDomain, server: s.target })
  expect((await call('connection:get')).question).toMatchObject({
    sipDomain: s.dnsDomain,
    serverHost: s.target
  })
  // Give a stray REGISTER every chance to arrive before looking.
  await new Promise((r) => setTimeout(r, 300))
  expect(sent(s)).toBe('')
}

describe('the DNS-hijack rule through a whole sign-in', () => {
  it('asks, sending nothing, when the certificate only has a wildcard over the domain', async () => {
    const { call } = makeCore()
    await expectQuestionAndSilence(wildcard, call)
  })

  it('asks, sending nothing, when the certificate has a wildcard over a top-level domain', async () => {
    const { call } = makeCore()
    await expectQuestionAndSilence(tld, call)
  })

  it('asks, sending nothing, when a SAN-less certificate hides "CN=<domain>" in its OU', async () => {
    const { call } = makeCore()
    // The user once accepted this very certificate for this very server: the exception covers
    // the certificate, never the question whether that server serves the SIP domain.
    const server = { host: injected.target, port: injected.server!.port }
    const first = await call('session:sign-in', {
      aor: `sip:alice@${injected.domain}`,
      password: 'x',
      server
    })
    expect(first.failure?.code).toBe('untrusted')
    const shown = await call('trust:get-report')
    expect(shown?.exceptionOffer).toBe('available')
    await call('trust:accept-exception', {
      ...server,
      sha256: shown?.sentChain[0]?.sha256,
      confirm: true
    })
    await expectQuestionAndSilence(injected, call)
    // The exception still covers the certificate (the chain problems), not the domain.
    expect((await call('trust:get-report'))?.exception?.sha256).toBe(shown?.sentChain[0]?.sha256)
  })

  it('reaches a Unicode SIP domain through its A-label name, and trusts a certificate naming it', async () => {
    const { call } = makeCore()
    const pending = call('session:sign-in', {
      aor: `sip:alice@${unicode.domain}`,
      password: 'x'
    })
    const deadline = Date.now() + 10_000
    while (!sent(unicode).includes('REGISTER') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(sent(unicode)).toMatch(/^REGISTER sip:xn--bcher-kva\.trustline\.test /)
    const report = await call('trust:get-report')
    expect(report).toMatchObject({ verdict: 'trusted', sipDomain: unicode.dnsDomain })
    await call('session:sign-out')
    await pending
  })

  it('asks for a Unicode SIP domain whose server certificate does not name it', async () => {
    const { call } = makeCore()
    await expectQuestionAndSilence(unicodeOther, call)
  })

  it('stores an answer only for a question it asked', async () => {
    const { call } = makeCore()
    await expect(
      call('trust:decide-domain', {
        sipDomain: wildcard.domain,
        serverHost: wildcard.target,
        allow: true
      })
    ).rejects.toThrow(/not-asked/)
    expect(await call('trust:list-domain-decisions')).toEqual([])
    await expectQuestionAndSilence(wildcard, call)
    await expect(
      call('trust:decide-domain', {
        sipDomain: wildcard.domain,
        serverHost: 'elsewhere.test',
        allow: true
      })
    ).rejects.toThrow(/not-asked/)
    await call('trust:decide-domain', {
      sipDomain: wildcard.domain,
      serverHost: wildcard.target,
      allow: false
    })
    const refused = await call('session:sign-in', {
      aor: `sip:alice@${wildcard.domain}`,
      password: 'x'
    })
    expect(refused.failure?.finding?.code).toBe('sip-domain-refused')
    expect(sent(wildcard)).toBe('')
  })
})
