import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { flushSync } from 'svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import HelpdeskPanel from '../../../../../renderer/src/lib/components/HelpdeskPanel.svelte'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { sipLog, trust } from '../../../../../renderer/src/lib/state'
import type { SipLogEntry } from '../../../../../shared/types/sip-log'
import { answer, emit, resetApi } from '../../api-mock'

const register: SipLogEntry = {
  id: 1,
  at: '2026-11-28T12:00:00.000Z',
  direction: 'out',
  startLine: 'REGISTER sip:lab.trustline.test SIP/2.0',
  method: 'REGISTER',
  status: null,
  callId: 'abc@host',
  cseq: '1 REGISTER',
  headers: [{ name: 'Via', value: 'SIP/2.0/TLS x.invalid' }],
  body: '',
  bodyRedacted: false
}
const challenge: SipLogEntry = {
  ...register,
  id: 2,
  direction: 'in',
  startLine: 'SIP/2.0 407 Proxy Authentication Required',
  status: 407
}
const ok200: SipLogEntry = {
  ...register,
  id: 3,
  direction: 'in',
  startLine: 'SIP/2.0 200 OK',
  status: 200,
  body: '<b>not html</b>',
  bodyRedacted: true
}

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => {
  cleanup()
  i18n.setLanguage('en')
})

describe('HelpdeskPanel', () => {
  beforeEach(() => {
    resetApi()
    trust.error = null
  })

  it('copies the text report from trust:export-report', async () => {
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const exportReport = answer('trust', 'exportReport', {
      filename: 'trustline-report.txt',
      mime: 'text/plain',
      content: 'Verdict: trusted'
    })
    render(HelpdeskPanel)
    await fireEvent.click(screen.getByTestId('copy-report'))
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith('Verdict: trusted'))
    expect(exportReport).toHaveBeenCalledWith({ format: 'text' })
    await vi.waitFor(() => expect(screen.getByText('Report copied.')).toBeTruthy())
  })

  it('shows a translated error when the export is not available', async () => {
    render(HelpdeskPanel)
    await fireEvent.click(screen.getByTestId('save-report-json'))
    await vi.waitFor(() => expect(screen.getByTestId('helpdesk-error')).toBeTruthy())
  })

  it('listens to the SIP log only while the panel is open', async () => {
    answer('sip', 'getLog', [register])
    render(HelpdeskPanel)
    await vi.waitFor(() => expect(sipLog.entries.map((e) => e.id)).toEqual([1]))
    emit('sip', 'onLogAppended', challenge)
    expect(sipLog.entries.map((e) => e.id)).toEqual([1, 2])
    cleanup()
    emit('sip', 'onLogAppended', ok200)
    expect(sipLog.entries.map((e) => e.id)).toEqual([1, 2])
  })

  it('shows the IMDN exchanges in the ladder: requests for receipts and the receipts', async () => {
    answer('sip', 'getLog', [
      {
        ...register,
        id: 11,
        startLine: 'MESSAGE sip:bob@lab.trustline.test SIP/2.0',
        method: 'MESSAGE',
        receiptsRequested: ['positive-delivery', 'display']
      },
      {
        ...register,
        id: 12,
        direction: 'in',
        startLine: 'MESSAGE sip:alice@lab.trustline.test SIP/2.0',
        method: 'MESSAGE',
        receipt: { kind: 'display', status: 'displayed', messageId: 'm1' }
      }
    ])
    render(HelpdeskPanel)
    await vi.waitFor(() => expect(screen.getByTestId('sip-receipt')).toBeTruthy())
    expect(screen.getByTestId('sip-receipt-request').textContent).toBe(
      'Asks for: delivery receipt, read receipt'
    )
    expect(screen.getByTestId('sip-receipt').textContent).toBe(
      'Read receipt: displayed (message m1)'
    )
  })

  it.each([
    [
      'delivery',
      'delivered',
      'Delivery receipt: delivered (message m1)',
      '送达回执：已送达（消息 m1）'
    ],
    ['delivery', 'failed', 'Delivery receipt: failed (message m1)', '送达回执：失败（消息 m1）'],
    ['display', 'displayed', 'Read receipt: displayed (message m1)', '已读回执：已读（消息 m1）'],
    ['display', 'forbidden', 'Read receipt: forbidden (message m1)', '已读回执：被拒绝（消息 m1）'],
    [
      'processing',
      'stored',
      'Processing notice: stored (message m1)',
      '处理通知：已存储（消息 m1）'
    ]
  ] as const)(
    'words a %s receipt saying %s in both languages, not as its code',
    async (kind, status, en, zh) => {
      sipLog.entries = []
      answer('sip', 'getLog', [
        {
          ...register,
          id: 12,
          direction: 'in',
          startLine: 'MESSAGE sip:alice@lab.trustline.test SIP/2.0',
          method: 'MESSAGE',
          receipt: { kind, status, messageId: 'm1' }
        }
      ])
      render(HelpdeskPanel)
      await vi.waitFor(() => expect(screen.getByTestId('sip-receipt')).toBeTruthy())
      expect(screen.getByTestId('sip-receipt').textContent).toBe(en)
      i18n.setLanguage('zh-CN')
      flushSync()
      expect(screen.getByTestId('sip-receipt').textContent).toBe(zh)
    }
  )

  it('says when the SIP log cannot be loaded', async () => {
    sipLog.available = false
    render(HelpdeskPanel)
    expect(screen.getByTestId('sip-log-unavailable')).toBeTruthy()
    await vi.waitFor(() =>
      expect(screen.getByTestId('sip-log-error').dataset['code']).toBe('unavailable')
    )
  })

  it('draws the ladder from sip:get-log, follows sip:log-appended, filters and clears', async () => {
    answer('sip', 'getLog', [register, challenge])
    const clear = answer('sip', 'clearLog', { cleared: true })
    const { container } = render(HelpdeskPanel)
    await vi.waitFor(() => expect(screen.getAllByTestId('sip-entry')).toHaveLength(2))
    emit('sip', 'onLogAppended', { ...ok200, id: 3 })
    emit('sip', 'onLogAppended', { ...ok200, id: 3 })
    await vi.waitFor(() => expect(screen.getAllByTestId('sip-entry')).toHaveLength(3))
    const entries = screen.getAllByTestId('sip-entry')
    expect(entries.map((e) => e.classList.contains('out'))).toEqual([true, false, false])
    expect(entries[1]?.classList.contains('challenge')).toBe(true)
    expect(entries[2]?.classList.contains('success')).toBe(true)
    // Bodies are text: markup in a body is never parsed.
    expect(container.querySelector('b')).toBeNull()
    expect(screen.getByText('<b>not html</b>')).toBeTruthy()
    expect(screen.getByText(/removed by TrustLine/)).toBeTruthy()

    await fireEvent.input(screen.getByLabelText('Filter'), { target: { value: '407' } })
    expect(screen.getAllByTestId('sip-entry')).toHaveLength(1)
    await fireEvent.click(screen.getByTestId('clear-log'))
    expect(clear).toHaveBeenCalled()
    await vi.waitFor(() => expect(screen.queryAllByTestId('sip-entry')).toHaveLength(0))
    sipLog.filter = ''
  })
})
