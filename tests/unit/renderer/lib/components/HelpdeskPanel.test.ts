import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import HelpdeskPanel from '../../../../../renderer/src/lib/components/HelpdeskPanel.svelte'
import { sipLog, trust } from '../../../../../renderer/src/lib/state'
import { answer, resetApi } from '../../api-mock'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

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

  it('says the SIP log is not available, then draws the ladder once it is', () => {
    const { unmount } = render(HelpdeskPanel)
    expect(screen.getByTestId('sip-log-unavailable')).toBeTruthy()
    unmount()
    sipLog.load([
      {
        id: '1',
        direction: 'out',
        at: '2026-11-28T12:00:00.000Z',
        firstLine: 'REGISTER sip:lab.trustline.test SIP/2.0',
        headers: ['Authorization: Digest username="alice", response="<redacted>"'],
        body: ''
      },
      {
        id: '2',
        direction: 'in',
        at: '2026-11-28T12:00:00.050Z',
        firstLine: 'SIP/2.0 200 OK',
        headers: ['Expires: 600'],
        body: '<b>not html</b>'
      }
    ])
    const { container } = render(HelpdeskPanel)
    const entries = screen.getAllByTestId('sip-entry')
    expect(entries.map((e) => e.className.includes('out'))).toEqual([true, false])
    expect(container.querySelector('b')).toBeNull()
    expect(screen.getByText('<b>not html</b>')).toBeTruthy()
  })
})
