import { describe, expect, it } from 'vitest'
import { exportReport, redact, reportText } from '../../../../electron/main/account/report-export'
import { SipLog } from '../../../../electron/main/sip/sip-log'
import { sampleReport } from '../../../fixtures/sample-dtos'
import { invokeSamples } from '../../shared/ipc/samples'

const input = {
  app: invokeSamples['app:get-info'].response,
  report: sampleReport,
  connection: invokeSamples['connection:get'].response,
  session: {
    status: 'failed',
    aor: 'sip:alice@example.org',
    failure: { code: 'untrusted', reason: 'expired' }
  }
}

describe('helpdesk report', () => {
  it('lists verdict, every reason with its fix, both chains and the discovery trace', () => {
    const text = reportText(input)
    expect(text).toContain('UNTRUSTED')
    expect(text).toContain('[ERROR] expired')
    expect(text).toContain('Fix: Ask the server administrator to renew')
    expect(text).toContain('Sent chain (as the server sent it)')
    // The trace travels as data; the text report words it in English as it always did.
    expect(text).toContain(
      '✓ SRV _sips._tcp.example.org → sip.provider.net:5061 (priority 0, weight 10)'
    )
    expect(text).toContain('✓ A sip.provider.net → 192.0.2.1')
    expect(text).toContain('waiting for the user: is sip.provider.net a server of example.org?')
  })

  it('lists the notices the user has, with the damaged file and its backup', () => {
    const notice = invokeSamples['app:list-notices'].response[0]!
    const text = reportText({ ...input, notices: [{ ...notice, count: 3 }] })
    expect(text).toContain('== Notices (1)')
    expect(text).toMatch(/file-damaged ×3 .*file=contacts .*backupPath=\S+contacts\.json\.damaged-/)
    expect(JSON.parse(exportReport({ ...input, notices: [notice] }, 'json').content)).toMatchObject(
      {
        notices: [{ code: 'file-damaged' }]
      }
    )
    expect(reportText(input)).not.toContain('== Notices')
  })

  it('redacts credentials that slipped into free text', () => {
    expect(redact('Authorization: Digest username="a", response="abc"')).toBe(
      'Authorization: [redacted]'
    )
    expect(redact('password=hunter2; passphrase: "x y"')).toBe(
      'password=[redacted]; passphrase=[redacted]'
    )
    const leaky = {
      ...input,
      report: {
        ...sampleReport,
        reasons: [{ ...sampleReport.reasons[0]!, detail: 'sent password=hunter2 by mistake' }]
      }
    }
    for (const format of ['text', 'json'] as const) {
      expect(exportReport(leaky, format).content).not.toContain('hunter2')
    }
  })

  it('exports JSON that parses back and names the file by format', () => {
    const json = exportReport(input, 'json')
    expect(json.mime).toBe('application/json')
    expect(json.filename).toMatch(/^trustline-report-.*\.json$/)
    expect(JSON.parse(json.content)).toMatchObject({ report: { verdict: 'untrusted' } })
    expect(exportReport(input, 'text').filename).toMatch(/\.txt$/)
  })

  it('says where the revocation answer came from (a cached OCSP response, say)', () => {
    const detail =
      'OCSP response cached from 2026-11-30T10:00:00Z, valid until 2026-12-07T10:00:00Z'
    const text = reportText({
      ...input,
      report: {
        ...sampleReport,
        revocation: { mode: 'soft-fail', status: 'good', source: 'ocsp', detail }
      }
    })
    expect(text).toMatch(new RegExp(`Revocation +soft-fail: good via ocsp \\(${detail}\\)`))
  })

  it('says so when nothing was evaluated yet', () => {
    expect(reportText({ ...input, report: null })).toContain(
      'No connection has been evaluated yet.'
    )
  })

  it('carries no personal note and no server nonce, in either format', () => {
    const notes = ['at the dentist until 3', 'call my mobile 0612345678', '在开会']
    const nonces = ['5f2a9c1e-nonce', 'b64Zm9vYmFy', 'next-9d8e7f', 'c-n0nce-77', 'opaque-x1']
    const pidf = (note: string) =>
      `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@example.org"><tuple id="t"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`
    const log = new SipLog()
    const crlf = (...lines: string[]) => lines.join('\r\n')
    log.add(
      'in',
      crlf(
        'SIP/2.0 401 Unauthorized',
        'CSeq: 1 REGISTER',
        `WWW-Authenticate: Digest realm="example.org", nonce="${nonces[0]}", opaque="${nonces[4]}", qop="auth"`,
        '',
        ''
      )
    )
    log.add(
      'out',
      crlf(
        'REGISTER sip:example.org SIP/2.0',
        'CSeq: 2 REGISTER',
        `Authorization: Digest username="alice", realm="example.org", nonce="${nonces[0]}", cnonce="${nonces[3]}", nc=00000001, qop=auth, response="0011", opaque="${nonces[4]}"`,
        '',
        ''
      )
    )
    log.add(
      'in',
      crlf(
        'SIP/2.0 200 OK',
        'CSeq: 2 REGISTER',
        `Authentication-Info: nextnonce="${nonces[2]}"`,
        '',
        ''
      )
    )
    log.add(
      'in',
      crlf(
        'SIP/2.0 407 Proxy Authentication Required',
        'CSeq: 1 PUBLISH',
        `Proxy-Authenticate: Digest realm="example.org", nonce=${nonces[1]}`,
        '',
        ''
      )
    )
    log.add(
      'out',
      crlf(
        'PUBLISH sip:alice@example.org SIP/2.0',
        'CSeq: 2 PUBLISH',
        'Content-Type: application/pidf+xml',
        '',
        pidf(notes[0]!)
      )
    )
    log.add(
      'in',
      crlf(
        'NOTIFY sip:alice@example.org SIP/2.0',
        'CSeq: 9 NOTIFY',
        'Content-Type: application/pidf+xml',
        '',
        pidf(notes[1]!)
      )
    )
    log.add(
      'in',
      crlf(
        'NOTIFY sip:alice@example.org SIP/2.0',
        'CSeq: 10 NOTIFY',
        'Content-Type: multipart/related;type="application/rlmi+xml";boundary=b',
        '',
        `--b\r\nContent-Type: application/pidf+xml\r\n\r\n${pidf(notes[2]!)}\r\n--b--`
      )
    )
    const withLog = { ...input, sipLog: log.list() }
    for (const format of ['text', 'json'] as const) {
      const content = exportReport(withLog, format).content
      for (const secret of [...notes, ...nonces]) expect(content, format).not.toContain(secret)
    }
    // The JSON report still shows the presence structure the helpdesk debugs with.
    expect(exportReport(withLog, 'json').content).toContain('<basic>open</basic>')
  })
})
