import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { startLab, type Lab } from '../lab/lab'

// The built command-line tool (out/main/cli.js), as a user runs it: proves the bundle loads and
// answers with the documented exit codes against the real lab.
let lab: Lab

test.beforeAll(async () => {
  lab = await startLab({ runDir: mkdtempSync(join(tmpdir(), 'tl-e2e-cli-')) })
})
test.afterAll(async () => {
  await lab?.stop()
})

function trustline(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['out/main/cli.js', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env }
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

test('exit 2 with the usage for bad arguments', () => {
  const r = trustline(['check'])
  expect(r.code).toBe(2)
  expect(r.err).toContain('Usage: trustline check')
})

test('exit 0 for the good server, 1 with the reason for the expired one', () => {
  const good = trustline(['check', `127.0.0.1:${lab.ports.tls.good}`, '--ca', lab.pki.rootCa])
  expect(good.code).toBe(0)
  expect(good.out).toContain('TRUSTED')
  const expired = trustline(['check', `127.0.0.1:${lab.ports.tls.expired}`, '--ca', lab.pki.rootCa])
  expect(expired.code).toBe(1)
  expect(expired.out).toContain('[expired]')
})

test('discovers the server for a sip: address and checks the SIP domain', () => {
  const env = { TRUSTLINE_DNS: `127.0.0.1:${lab.ports.dns}` }
  const ok = trustline(['check', `sip:alice@${lab.domain}`, '--ca', lab.pki.rootCa, '--json'], env)
  expect(ok.code).toBe(0)
  expect(ok.err).toContain(`SRV _sips._tcp.${lab.domain}`)
  expect((JSON.parse(ok.out) as { verdict: string }).verdict).toBe('trusted')
  const hijack = trustline(['check', `sip:alice@${lab.hijackDomain}`, '--ca', lab.pki.rootCa], env)
  // The same rule, with the same matcher, as sign-in: DNS sent the domain outside it.
  expect(hijack.code).toBe(1)
  expect(hijack.out).toContain('NEEDS YOUR ANSWER')
  expect(hijack.out).toContain('[sip-domain-unconfirmed]')
})
