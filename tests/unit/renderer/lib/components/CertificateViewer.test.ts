import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import CertificateViewer from '../../../../../renderer/src/lib/components/CertificateViewer.svelte'
import { intermediate, leaf, makeCert, root } from '../../fixtures'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

// jsdom's Blob has no text(); FileReader reads it the old way.
function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve) => {
    const reader = new FileReader()
    reader.onload = () => resolve(reader.result as string)
    reader.readAsText(blob)
  })
}

describe('CertificateViewer', () => {
  it('has one ARIA tab per certificate, arrow keys and Home/End move the selection', async () => {
    render(CertificateViewer, { props: { certs: [leaf, intermediate, root] } })
    const tabs = screen.getAllByRole('tab')
    expect(tabs).toHaveLength(3)
    expect(tabs[0]?.getAttribute('aria-selected')).toBe('true')
    expect(tabs[1]?.getAttribute('tabindex')).toBe('-1')
    const panel = screen.getByRole('tabpanel')
    expect(panel.getAttribute('aria-labelledby')).toBe(tabs[0]?.id)

    await fireEvent.keyDown(tabs[0]!, { key: 'ArrowRight' })
    expect(screen.getAllByRole('tab')[1]?.getAttribute('aria-selected')).toBe('true')
    expect(document.activeElement).toBe(screen.getAllByRole('tab')[1])
    expect(screen.getByTestId('cert-subject').textContent).toBe(intermediate.subject)

    await fireEvent.keyDown(tabs[1]!, { key: 'End' })
    expect(screen.getByTestId('cert-subject').textContent).toBe(root.subject)
    await fireEvent.keyDown(tabs[2]!, { key: 'ArrowRight' })
    expect(screen.getByTestId('cert-subject').textContent).toBe(leaf.subject)
    await fireEvent.keyDown(tabs[0]!, { key: 'ArrowLeft' })
    expect(screen.getByTestId('cert-subject').textContent).toBe(root.subject)
    await fireEvent.keyDown(tabs[2]!, { key: 'Home' })
    expect(screen.getByTestId('cert-subject').textContent).toBe(leaf.subject)
  })

  it('shows the fields a helpdesk needs, critical extensions marked', () => {
    render(CertificateViewer, { props: { certs: [leaf] } })
    expect(screen.getByTestId('cert-sha256').textContent).toBe(leaf.sha256)
    expect(screen.getByTestId('cert-serial').textContent).toBe('81ca')
    expect(screen.getByTestId('cert-days-left').textContent).toContain('34 days left')
    expect(screen.getByTestId('cert-sans').textContent).toContain('127.0.0.1')
    const ext = screen.getByTestId('cert-extensions')
    expect(ext.querySelectorAll('.critical')).toHaveLength(1)
    expect(screen.getByText('P-256')).toBeTruthy()
  })

  it('says how long ago an expired certificate expired', () => {
    render(CertificateViewer, { props: { certs: [makeCert({ daysLeft: -1 })] } })
    expect(screen.getByTestId('cert-days-left').textContent).toContain('expired 1 day ago')
  })

  it('copies the fingerprint and downloads PEM through a Blob link', async () => {
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const created: Blob[] = []
    URL.createObjectURL = vi.fn((b: Blob) => {
      created.push(b)
      return 'blob:x'
    })
    URL.revokeObjectURL = vi.fn()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    render(CertificateViewer, { props: { certs: [leaf, intermediate] } })
    await fireEvent.click(screen.getByTestId('copy-sha256'))
    expect(writeText).toHaveBeenCalledWith(leaf.sha256)
    await fireEvent.click(screen.getByTestId('download-chain'))
    expect(click).toHaveBeenCalled()
    expect(await readBlob(created[0]!)).toBe(`${leaf.pem.trim()}\n${intermediate.pem.trim()}\n`)
  })
})
