import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import StatusMenu from '../../../../../renderer/src/lib/components/StatusMenu.svelte'
import { presence } from '../../../../../renderer/src/lib/state'
import { answer, resetApi } from '../../api-mock'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

describe('StatusMenu', () => {
  beforeEach(() => {
    resetApi()
    presence.own = { state: 'available' }
    presence.error = null
  })

  it('offers the SfB states as radios, each with its name next to the dot', async () => {
    render(StatusMenu)
    await fireEvent.click(screen.getByTestId('status-menu'))
    expect(screen.getAllByRole('radio').map((r) => r.parentElement?.textContent?.trim())).toEqual([
      'Available',
      'Busy',
      'Do not disturb',
      'Be right back',
      'Away',
      'Appear offline'
    ])
  })

  it('sets the state with the note, and Escape closes back to the button', async () => {
    const set = answer('presence', 'set', { state: 'do-not-disturb', note: 'Presenting' })
    render(StatusMenu)
    const trigger = screen.getByTestId('status-menu')
    await fireEvent.click(trigger)
    await fireEvent.input(screen.getByLabelText('Note'), { target: { value: 'Presenting' } })
    await fireEvent.click(screen.getByRole('radio', { name: 'Do not disturb' }))
    expect(set).toHaveBeenCalledWith({ state: 'do-not-disturb', note: 'Presenting' })
    await vi.waitFor(() => expect(trigger.textContent).toContain('Do not disturb'))
    await fireEvent.keyDown(screen.getByRole('radio', { name: 'Busy' }), { key: 'Escape' })
    expect(screen.queryByRole('radio')).toBeNull()
    expect(document.activeElement).toBe(trigger)
  })

  it('shows a translated error when the core refuses', async () => {
    render(StatusMenu)
    await fireEvent.click(screen.getByTestId('status-menu'))
    await fireEvent.click(screen.getByRole('radio', { name: 'Busy' }))
    await vi.waitFor(() => expect(screen.getByTestId('presence-error')).toBeTruthy())
  })
})
