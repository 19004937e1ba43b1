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

  it('offers the SfB states as a menu of radio items, each with its name next to the dot', async () => {
    render(StatusMenu)
    await fireEvent.click(screen.getByTestId('status-menu'))
    const items = screen.getAllByRole('menuitemradio')
    expect(items.map((r) => r.textContent?.trim())).toEqual([
      'Available',
      'Busy',
      'Do not disturb',
      'Be right back',
      'Away',
      'Appear offline'
    ])
    expect(items.map((r) => r.getAttribute('aria-checked'))).toEqual([
      'true',
      'false',
      'false',
      'false',
      'false',
      'false'
    ])
    // Opening puts the focus on the checked state.
    await vi.waitFor(() => expect(document.activeElement).toBe(items[0]))
  })

  it('arrow keys move the focus without publishing; Enter publishes and closes', async () => {
    const set = answer('presence', 'set', { state: 'away' })
    render(StatusMenu)
    const trigger = screen.getByTestId('status-menu')
    await fireEvent.click(trigger)
    const item = (name: string) => screen.getByRole('menuitemradio', { name })
    await vi.waitFor(() => expect(document.activeElement).toBe(item('Available')))
    for (const [key, expected] of [
      ['ArrowDown', 'Busy'],
      ['ArrowDown', 'Do not disturb'],
      ['End', 'Appear offline'],
      ['ArrowDown', 'Available'],
      ['ArrowUp', 'Appear offline'],
      ['Home', 'Available'],
      ['ArrowUp', 'Appear offline'],
      ['ArrowUp', 'Away']
    ] as const) {
      await fireEvent.keyDown(document.activeElement!, { key })
      expect(document.activeElement).toBe(item(expected))
      expect(item(expected).getAttribute('tabindex')).toBe('0')
    }
    expect(set).not.toHaveBeenCalled()
    // A button's Enter and Space are its click.
    await fireEvent.click(document.activeElement!)
    expect(set).toHaveBeenCalledWith({ state: 'away' })
    await vi.waitFor(() => expect(screen.queryByRole('menu')).toBeNull())
    expect(document.activeElement).toBe(trigger)
    expect(trigger.textContent).toContain('Away')
  })

  it('sets the state with the note, and Escape closes back to the button', async () => {
    const set = answer('presence', 'set', { state: 'do-not-disturb', note: 'Presenting' })
    render(StatusMenu)
    const trigger = screen.getByTestId('status-menu')
    await fireEvent.click(trigger)
    await fireEvent.input(screen.getByLabelText('Note'), { target: { value: 'Presenting' } })
    await fireEvent.click(screen.getByRole('menuitemradio', { name: 'Do not disturb' }))
    expect(set).toHaveBeenCalledWith({ state: 'do-not-disturb', note: 'Presenting' })
    await vi.waitFor(() => expect(trigger.textContent).toContain('Do not disturb'))
    await fireEvent.click(trigger)
    await fireEvent.keyDown(screen.getByRole('menuitemradio', { name: 'Busy' }), {
      key: 'Escape'
    })
    expect(screen.queryByRole('menuitemradio')).toBeNull()
    expect(document.activeElement).toBe(trigger)
    await fireEvent.click(trigger)
    await fireEvent.keyDown(screen.getByLabelText('Note'), { key: 'Escape' })
    expect(screen.queryByRole('menu')).toBeNull()
    expect(document.activeElement).toBe(trigger)
  })

  it('shows a translated error when the core refuses, and stays open', async () => {
    render(StatusMenu)
    await fireEvent.click(screen.getByTestId('status-menu'))
    await fireEvent.click(screen.getByRole('menuitemradio', { name: 'Busy' }))
    await vi.waitFor(() => expect(screen.getByTestId('presence-error')).toBeTruthy())
    expect(screen.getByRole('menu')).toBeTruthy()
  })
})
