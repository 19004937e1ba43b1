import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ContactList from '../../../../../renderer/src/lib/components/ContactList.svelte'
import { flushSync } from 'svelte'
import { presence } from '../../../../../renderer/src/lib/state'
import { answer, emit, resetApi } from '../../api-mock'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

afterEach(() => cleanup())

describe('ContactList', () => {
  beforeEach(() => {
    resetApi()
    presence.contacts = [
      {
        uri: 'sip:bob@lab.trustline.test',
        displayName: 'Bob',
        presence: { state: 'do-not-disturb', note: 'Presenting' },
        subscription: { status: 'active', lastUpdate: new Date().toISOString() },
        unread: 2
      },
      {
        uri: 'sip:carol@lab.trustline.test',
        displayName: 'Carol',
        presence: { state: 'unknown' },
        subscription: { status: 'terminated', reason: 'rejected' },
        unread: 0
      }
    ]
  })

  it('writes the status as text next to the dot, with note, stale mark and unread count', () => {
    render(ContactList)
    const [bob, carol] = screen.getAllByTestId('contact')
    expect(bob!.textContent).toContain('Do not disturb')
    expect(bob!.textContent).toContain('Presenting')
    expect(bob!.querySelector('[data-testid="unread-badge"]')?.textContent).toContain(
      '2 unread messages'
    )
    expect(bob!.querySelector('[data-testid="contact-stale"]')).toBeNull()
    expect(carol!.querySelector('[data-testid="contact-stale"]')?.textContent).toContain(
      'no longer updated'
    )
    expect(carol!.textContent).toContain('rejected')
  })

  it('adds a contact (scheme added) and removes one by its accessible name', async () => {
    const add = answer('contacts', 'add', {
      uri: 'sip:dave@lab.trustline.test',
      presence: { state: 'unknown' },
      subscription: { status: 'pending' },
      unread: 0
    })
    const remove = answer('contacts', 'remove', { removed: true })
    render(ContactList)
    await fireEvent.input(screen.getByLabelText('SIP address'), {
      target: { value: 'dave@lab.trustline.test' }
    })
    await fireEvent.click(screen.getByTestId('add-contact'))
    expect(add).toHaveBeenCalledWith({ uri: 'sip:dave@lab.trustline.test' })
    await vi.waitFor(() => expect(screen.getAllByTestId('contact')).toHaveLength(3))
    await fireEvent.click(screen.getByRole('button', { name: 'Remove Carol' }))
    expect(remove).toHaveBeenCalledWith({ uri: 'sip:carol@lab.trustline.test' })
  })

  it('updates a contact in place: rows are keyed, the others keep their elements', async () => {
    answer('presence', 'get', { state: 'available' })
    answer('contacts', 'list', presence.contacts)
    await presence.start()
    render(ContactList)
    const [bob, carol] = screen.getAllByTestId('contact')
    const bobText = bob!.textContent
    emit('presence', 'onChanged', {
      uri: 'sip:carol@lab.trustline.test',
      presence: { state: 'available' },
      subscription: { status: 'active', lastUpdate: new Date().toISOString() }
    })
    await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))
    flushSync()
    const rows = screen.getAllByTestId('contact')
    expect(rows[0]).toBe(bob)
    expect(rows[1]).toBe(carol)
    expect(bob!.textContent).toBe(bobText)
    expect(carol!.querySelector('[data-testid="contact-state"]')?.textContent).toBe('Available')
    expect(carol!.querySelector('[data-testid="contact-stale"]')).toBeNull()
  })

  it('builds a large roster a chunk of rows per frame, every row in the end', async () => {
    presence.contacts = Array.from({ length: 120 }, (_, i) => ({
      uri: `sip:user${String(i).padStart(3, '0')}@lab.trustline.test`,
      presence: { state: 'available' as const },
      subscription: { status: 'active' as const },
      unread: 0
    }))
    render(ContactList)
    const first = screen.getAllByTestId('contact')
    expect(first.length).toBeGreaterThan(0)
    expect(first.length).toBeLessThan(120)
    await vi.waitFor(() => expect(screen.getAllByTestId('contact')).toHaveLength(120))
    // The rows already there were kept, in order.
    expect(screen.getAllByTestId('contact').slice(0, first.length)).toEqual(first)
    expect(screen.getAllByTestId('contact-state')[119]?.textContent).toBe('Available')
  })
})
