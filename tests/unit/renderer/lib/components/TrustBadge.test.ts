import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import TrustBadge from '../../../../../renderer/src/lib/components/TrustBadge.svelte'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

describe('TrustBadge', () => {
  it.each([
    ['trusted', 'Trusted'],
    ['trusted-by-exception', 'Trusted by your exception'],
    ['untrusted', 'Not trusted'],
    ['not-connected', 'Not connected']
  ] as const)('%s reads "%s" and opens the connection panel', async (verdict, text) => {
    const onopen = vi.fn()
    render(TrustBadge, { props: { verdict, onopen } })
    const badge = screen.getByTestId('trust-badge')
    expect(badge.textContent).toContain(text)
    expect(badge.getAttribute('aria-label')).toContain(text)
    await fireEvent.click(badge)
    expect(onopen).toHaveBeenCalled()
  })
})
