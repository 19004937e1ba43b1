import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connectorFromTrustCheck, createSipServices } from '../../../../electron/main/sip/services'

let dir: string
const target = { aor: 'sip:a@h', domain: 'h', transport: 'tls' as const, attempt: 0 }
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-services-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('connectorFromTrustCheck', () => {
  it('passes a trusted verdict and its socket through', async () => {
    const socket = new PassThrough()
    const c = connectorFromTrustCheck(() =>
      Promise.resolve({
        report: { verdict: 'trusted-by-exception', host: 'h', port: 5061, reasons: [] },
        socket
      })
    )
    expect(await c(target)).toEqual({
      verdict: 'trusted-by-exception',
      socket,
      host: 'h',
      port: 5061
    })
  })

  it('explains an untrusted verdict with the first error summary', async () => {
    const reason = (severity: 'error' | 'warning', summary: string) => ({
      code: 'expired' as never,
      severity,
      certIndex: 0,
      certSubject: null,
      summary,
      detail: '',
      remedy: ''
    })
    const c = connectorFromTrustCheck(() =>
      Promise.resolve({
        report: {
          verdict: 'untrusted',
          host: 'h',
          port: 5061,
          reasons: [reason('warning', 'weak'), reason('error', 'The certificate has expired.')]
        }
      })
    )
    expect(await c(target)).toMatchObject({
      verdict: 'untrusted',
      socket: null,
      reason: 'The certificate has expired.'
    })
  })
})

describe('createSipServices', () => {
  it('loads the roster into the session on start', async () => {
    const sip = createSipServices({
      dataDir: dir,
      connector: () => Promise.reject(new Error('offline'))
    })
    await sip.contacts.add({ uri: 'sip:bob@lab.test' })
    await sip.start()
    expect(sip.session.subscriptions.list().map((c) => c.uri)).toEqual(['sip:bob@lab.test'])
    await sip.shutdown()
    expect(sip.session.state.status).toBe('signed-out')
  })
})
