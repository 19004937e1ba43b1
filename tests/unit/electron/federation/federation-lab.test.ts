// The federation check against the partner lab (a real Kamailio requiring client certificates):
// every scenario through the core and through `trustline federation`, asserting the verdict, the
// headline code and its sentence. Each scenario's cause is also shown to matter: the same check
// with that one thing different gives a different answer.
import { Resolver } from 'node:dns/promises'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { federationSentences } from '../../../../shared/federation/wording'
import { federationReportSchema, type FederationReport } from '../../../../shared/types/federation'
import { runCli } from '../../../../electron/main/cli/trustline'
import {
  FederationChecker,
  type FederationCheckerOptions,
  type FederationRequest
} from '../../../../electron/main/federation/check'
import { createCore } from '../../../../electron/main/core'
import { ConnectError } from '../../../../electron/main/tls/connector'
import { createTrustParts } from '../../../../electron/main/trust-parts'
import { startPartnerLab, type PartnerLab, type PartnerScenario } from '../../../lab/partner'

let lab: PartnerLab
let runDir: string
let resolver: Resolver

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), 'trustline-federation-'))
  lab = await startPartnerLab({ runDir, stopOnExit: true })
  resolver = new Resolver({ timeout: 2000, tries: 2 })
  resolver.setServers([`127.0.0.1:${lab.ports.dns}`])
})

afterAll(async () => {
  if (lab) await lab.stop()
  rmSync(runDir, { recursive: true, force: true })
})

type Identity = 'edge' | 'serverOnly'

interface Case {
  scenario: PartnerScenario
  identity?: Identity
  /** Which CA files go in as --ca (our anchors) and --public-ca. */
  cas?: CaFile[]
  publicCas?: 'publicCa'[]
  verdict: FederationReport['verdict']
  headline: FederationReport['headline']['code']
  /** Part of the headline's English sentence. */
  sentence: RegExp
}

type CaFile = 'ourCa' | 'partnerCa' | 'publicCa'
const anchors: CaFile[] = ['ourCa', 'partnerCa']

const cases: Record<string, Case> = {
  ready: {
    scenario: 'ready',
    verdict: 'ready',
    headline: 'federation-ready',
    sentence: /trust each other's certificates in both directions, and the partner answered/
  },
  'our certificate without clientAuth': {
    scenario: 'ready',
    identity: 'serverOnly',
    cas: ['ourCa', 'partnerCa', 'publicCa'],
    verdict: 'not-ready',
    headline: 'own-cert-no-client-auth',
    sentence: /does not allow TLS client authentication \(extended key usage: serverAuth\)/
  },
  'our public-CA certificate without clientAuth': {
    scenario: 'ready',
    identity: 'serverOnly',
    publicCas: ['publicCa'],
    verdict: 'not-ready',
    headline: 'own-cert-public-ca-no-client-auth',
    sentence:
      /since 2026-06-15 public CAs issue server certificates with serverAuth only.*likely cause/
  },
  'partner certificate without clientAuth': {
    scenario: 'partnerNoClientAuth',
    verdict: 'not-ready',
    headline: 'partner-cert-no-client-auth',
    sentence:
      /lacks clientAuth \(extended key usage: serverAuth\), so when partner-no-client-auth\.partner\.test connects to your edge/
  },
  'partner does not trust our CA': {
    scenario: 'distrustsOurCa',
    verdict: 'not-ready',
    headline: 'handshake-alert',
    sentence:
      /the partner does not trust the CA that issued your edge certificate \(TLS alert unknown_ca\)/
  },
  'partner certificate for another name': {
    scenario: 'wrongName',
    verdict: 'not-ready',
    headline: 'partner-cert-name-mismatch',
    sentence:
      /presented by sip\.wrong-name\.partner\.test does not name it; it is for sip\.other-company\.test/
  },
  'SRV target outside the domain': {
    scenario: 'outsideDomain',
    verdict: 'not-ready',
    headline: 'target-outside-domain',
    sentence:
      /DNS sent outside-domain\.partner\.test to outside-domain\.edge\.partner-hosting\.test, a server outside that domain/
  },
  'SRV target outside the domain, certificate naming the domain': {
    scenario: 'outsideNamed',
    verdict: 'ready',
    headline: 'federation-ready',
    sentence: /trust each other's certificates/
  },
  'expired partner certificate': {
    scenario: 'expired',
    verdict: 'not-ready',
    headline: 'partner-cert-expired',
    sentence: /The certificate of sip\.expired\.partner\.test expired on 2024-01-01/
  },
  'SRV missing but _sips._tcp present': {
    scenario: 'noFederationSrv',
    verdict: 'ready',
    headline: 'federation-srv-missing',
    sentence:
      /has no _sipfederationtls\._tcp SRV record; its server sip\.no-federation-srv\.partner\.test:\d+ was found through _sips\._tcp\.no-federation-srv\.partner\.test/
  },
  'OPTIONS answered 403': {
    scenario: 'options403',
    verdict: 'not-ready',
    headline: 'options-rejected',
    sentence:
      /answered 403 Forbidden \(domain not federated\): the partner refuses requests from your domain/
  },
  'OPTIONS answered 404': {
    scenario: 'options404',
    verdict: 'not-ready',
    headline: 'options-rejected',
    sentence: /answered 404 Not Found: the partner's server does not serve the domain/
  },
  'OPTIONS answered 503': {
    scenario: 'options503',
    verdict: 'not-ready',
    headline: 'options-rejected',
    sentence: /answered 503 Service Unavailable: the partner's server is overloaded/
  },
  'partner silent after TLS': {
    scenario: 'silent',
    verdict: 'not-ready',
    headline: 'options-silent',
    sentence:
      /accepted the mutual-TLS connection on sip\.silent\.partner\.test:\d+ but did not answer the SIP OPTIONS request within 1\.5 s/
  }
}

const optionsTimeoutMs = 1500

function checkerOptions(c: Pick<Case, 'cas' | 'publicCas'>): FederationCheckerOptions {
  return {
    resolver,
    platformAnchors: false,
    policyCaFiles: (c.cas ?? anchors).map((k) => lab.pki[k]),
    publicCaFiles: (c.publicCas ?? []).map((k) => lab.pki[k]),
    optionsTimeoutMs
  }
}

function identityOf(which: Identity = 'edge'): FederationRequest['identity'] {
  const id = lab.pki.our[which]
  return { pfx: readFileSync(id.p12), passphrase: id.p12Password }
}

async function check(
  c: Pick<Case, 'scenario' | 'identity' | 'cas' | 'publicCas'>,
  extra: Partial<FederationRequest> = {}
): Promise<FederationReport> {
  const report = await new FederationChecker(checkerOptions(c)).check({
    partnerDomain: lab.scenarios[c.scenario].domain,
    identity: identityOf(c.identity),
    ...extra
  })
  // What crosses IPC must be the contract's shape.
  return federationReportSchema.parse(JSON.parse(JSON.stringify(report)))
}

async function cli(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(['federation', ...argv], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    dns: resolver,
    federation: { platformAnchors: false, optionsTimeoutMs }
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

function cliArgs(c: Case): string[] {
  const id = lab.pki.our[c.identity ?? 'edge']
  return [
    lab.scenarios[c.scenario].domain,
    '--client-cert',
    id.p12,
    '--passphrase',
    id.p12Password,
    ...(c.cas ?? anchors).flatMap((k) => ['--ca', lab.pki[k]]),
    ...(c.publicCas ?? []).flatMap((k) => ['--public-ca', lab.pki[k]])
  ]
}

describe('federation check against the partner lab', () => {
  it.each(Object.entries(cases))('core: %s', async (_, c) => {
    const r = await check(c)
    expect(r.verdict).toBe(c.verdict)
    expect(r.headline.code).toBe(c.headline)
    expect(federationSentences(r.headline, 'en').summary).toMatch(c.sentence)
  })

  it.each(Object.entries(cases))('CLI: %s', async (_, c) => {
    const text = await cli(cliArgs(c))
    expect(text.err).toBe('')
    expect(text.code).toBe(c.verdict === 'ready' ? 0 : 1)
    expect(text.out.split('\n')[0]).toBe(
      `Federation check: ${lab.scenarios[c.scenario].domain} — ${c.verdict === 'ready' ? 'READY TO FEDERATE' : 'NOT READY'}`
    )
    expect(text.out).toMatch(c.sentence)
    const json = await cli([...cliArgs(c), '--json'])
    expect(json.code).toBe(text.code)
    const report = federationReportSchema.parse(JSON.parse(json.out))
    expect([report.verdict, report.headline.code]).toEqual([c.verdict, c.headline])
  })
})

describe('each verdict rests on a check that can fail', () => {
  it('ready really verified the partner’s chain: without the partner CA it is not ready', async () => {
    const r = await check({ scenario: 'ready', cas: ['ourCa'] })
    expect([r.verdict, r.headline.code]).toEqual(['not-ready', 'partner-cert-untrusted'])
    expect(federationSentences(r.headline, 'en').summary).toMatch(
      /chains up to CN=Partner Lab Root CA, O=Partner Lab, which is not among the CAs your side trusts/
    )
    expect(r.options).toMatchObject({
      outcome: 'not-sent',
      notSentBecause: 'partner-cert-untrusted'
    })
  })

  it('ready really checked our own chain: without our CA it says so', async () => {
    const r = await check({ scenario: 'ready', cas: ['partnerCa'] })
    expect(r.findings.map((f) => f.code)).toContain('own-cert-untrusted')
    expect(r.headline.code).toBe('own-cert-untrusted')
  })

  it('ready reports what the handshake showed: TLS 1.3, our CA among the names the partner accepts', async () => {
    const r = await check({ scenario: 'ready' })
    expect(r.tls).toMatchObject({
      handshake: 'completed',
      protocol: 'TLSv1.3',
      clientCertRequested: true,
      clientCertSent: true,
      caNamesStatus: 'listed',
      alert: null
    })
    expect(r.tls.caNames).toContain('CN=TrustLine Lab Edge CA, O=TrustLine Lab')
    expect(r.options).toMatchObject({
      outcome: 'answered',
      status: 200,
      server: 'Partner-Edge (kamailio)',
      supported: 'path, outbound'
    })
    expect(r.options.allow).toMatch(/OPTIONS/)
    expect(r.partnerChain?.anchor?.subject).toBe('CN=Partner Lab Root CA, O=Partner Lab')
    expect(r.partnerChain?.revocation.status).toBe('good')
    expect(r.ownChain.presented[0]?.subject).toBe('O=TrustLine Lab, CN=sip.lab.trustline.test')
    expect(r.ourDomain).toBe('lab.trustline.test')
  })

  it('the partner that distrusts our CA lists only its own (TLS 1.2, in the clear)', async () => {
    const r = await check({ scenario: 'distrustsOurCa' })
    expect(r.tls).toMatchObject({
      handshake: 'failed',
      protocol: 'TLSv1.2',
      alert: 'unknown_ca',
      caNamesStatus: 'listed',
      caNames: ['CN=Partner Lab Root CA, O=Partner Lab']
    })
    expect(r.findings.map((f) => f.code)).toContain('our-ca-not-listed')
    // Its chain was still read and checked from the failed handshake.
    expect(r.partnerChain?.anchor?.subject).toBe('CN=Partner Lab Root CA, O=Partner Lab')
  })

  it('the same serverAuth-only certificate is "likely cause" only when it chains to a public CA', async () => {
    const asPrivate = await check({
      scenario: 'ready',
      identity: 'serverOnly',
      cas: ['ourCa', 'partnerCa', 'publicCa']
    })
    const asPublic = await check({
      scenario: 'ready',
      identity: 'serverOnly',
      publicCas: ['publicCa']
    })
    expect(asPrivate.findings.map((f) => f.code)).not.toContain('own-cert-public-ca-no-client-auth')
    expect(asPublic.headline.params).toMatchObject({
      cutoff: '2026-06-15',
      issuer: 'CN=Lab Public TLS Root CA, O=Lab Public Trust'
    })
    // Both times the partner itself refused it.
    for (const r of [asPrivate, asPublic]) {
      expect(r.tls.alert).toBe('unsupported_certificate')
    }
  })

  it('a server entered by hand is not held to the DNS-hijack rule', async () => {
    const s = lab.scenarios.outsideDomain
    const r = await check({ scenario: 'outsideDomain' }, { server: { host: s.host, port: s.port } })
    expect(r.findings.map((f) => f.code)).not.toContain('target-outside-domain')
    expect([r.verdict, r.server?.source]).toEqual(['ready', 'configured'])
  })

  it('takes our identity as PEM certificate + key too', async () => {
    const r = await new FederationChecker(checkerOptions({})).check({
      partnerDomain: lab.scenarios.ready.domain,
      identity: {
        cert: readFileSync(lab.pki.our.edge.cert),
        key: readFileSync(lab.pki.our.edge.key)
      }
    })
    expect([r.verdict, r.headline.code]).toEqual(['ready', 'federation-ready'])
  })
})

describe('trustline federation: usage and DNS errors exit 2', () => {
  it('no server for the domain in DNS', async () => {
    const r = await cli(cliArgs(cases.ready!).with(0, 'nowhere.partner-missing.test'))
    expect(r.code).toBe(2)
    expect(r.out).toMatch(/DNS names no server for nowhere\.partner-missing\.test/)
  })

  it('a wrong passphrase, a missing --client-cert, a bad domain', async () => {
    const edge = lab.pki.our.edge
    const wrong = await cli([
      lab.scenarios.ready.domain,
      '--client-cert',
      edge.p12,
      '--passphrase',
      'nope'
    ])
    expect(wrong.code).toBe(2)
    expect(wrong.err).toMatch(/passphrase is wrong/)
    const missing = await cli([lab.scenarios.ready.domain])
    expect([missing.code, missing.err]).toEqual([
      2,
      expect.stringMatching(/--client-cert is required/)
    ])
    const bad = await cli(['not a domain', '--client-cert', edge.p12])
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/is not a domain name/)])
    await expect(
      new FederationChecker(checkerOptions({})).check({
        partnerDomain: lab.scenarios.ready.domain,
        identity: { pfx: readFileSync(edge.p12), passphrase: 'nope' }
      })
    ).rejects.toBeInstanceOf(ConnectError)
  })
})

describe('federation:check through the core, as the renderer calls it', () => {
  it('runs the check with the core’s DNS and trust settings, and explains a wrong passphrase', async () => {
    const core = createCore({
      host: 'browser',
      version: '0.0.0-test',
      dataDir: mkdtempSync(join(runDir, 'core-')),
      trust: createTrustParts({
        platformAnchors: false,
        policyCaFiles: [lab.pki.ourCa, lab.pki.partnerCa]
      }),
      dnsServers: [`127.0.0.1:${lab.ports.dns}`]
    })
    const upload = (passphrase: string) => ({
      partnerDomain: lab.scenarios.ready.domain,
      clientCertificate: {
        fileName: 'edge.p12',
        format: 'pkcs12',
        dataBase64: readFileSync(lab.pki.our.edge.p12).toString('base64'),
        passphrase
      }
    })
    try {
      const ready = await core.dispatcher.invoke('federation:check', upload('edge-p12'))
      expect(ready).toMatchObject({
        ok: true,
        value: { verdict: 'ready', headline: { code: 'federation-ready' } }
      })
      const wrong = await core.dispatcher.invoke('federation:check', upload('nope'))
      expect(wrong).toMatchObject({ ok: false, error: { code: 'client-cert-bad-passphrase' } })
    } finally {
      await core.dispose()
    }
  })
})
