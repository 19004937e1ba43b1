import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ChatView from '../../../../../renderer/src/lib/components/ChatView.svelte'
import ContactList from '../../../../../renderer/src/lib/components/ContactList.svelte'
import { flushSync, tick } from 'svelte'
import { im, presence } from '../../../../../renderer/src/lib/state'
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

  it('keeps what was typed while an earlier add was on its way', async () => {
    let settle: (value: unknown) => void = () => {}
    answer('contacts', 'add', null).mockImplementation(
      () => new Promise((resolve) => (settle = resolve))
    )
    render(ContactList)
    const uri = screen.getByLabelText('SIP address')
    const name = screen.getByLabelText('Name (optional)')
    await fireEvent.input(uri, { target: { value: 'erin@lab.trustline.test' } })
    await fireEvent.input(name, { target: { value: 'Erin' } })
    await fireEvent.click(screen.getByTestId('add-contact'))
    // The next contact is typed before the core has answered for the first one.
    await fireEvent.input(uri, { target: { value: 'sip:dave@lab.trustline.test' } })
    await fireEvent.input(name, { target: { value: 'Dave' } })
    settle({
      ok: true,
      value: {
        uri: 'sip:erin@lab.trustline.test',
        displayName: 'Erin',
        presence: { state: 'unknown' },
        subscription: { status: 'pending' },
        unread: 0
      }
    })
    await vi.waitFor(() => expect(screen.getAllByTestId('contact')).toHaveLength(3))
    expect((uri as HTMLInputElement).value).toBe('sip:dave@lab.trustline.test')
    expect((name as HTMLInputElement).value).toBe('Dave')
  })

  it('empties the form after an add when nothing new was typed', async () => {
    answer('contacts', 'add', {
      uri: 'sip:dave@lab.trustline.test',
      displayName: 'Dave',
      presence: { state: 'unknown' },
      subscription: { status: 'pending' },
      unread: 0
    })
    render(ContactList)
    const uri = screen.getByLabelText('SIP address')
    const name = screen.getByLabelText('Name (optional)')
    await fireEvent.input(uri, { target: { value: ' dave@lab.trustline.test ' } })
    await fireEvent.input(name, { target: { value: 'Dave' } })
    await fireEvent.click(screen.getByTestId('add-contact'))
    await vi.waitFor(() => expect((uri as HTMLInputElement).value).toBe(''))
    expect((name as HTMLInputElement).value).toBe('')
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

  describe('from the keyboard', () => {
    beforeEach(() => {
      im.active = null
      presence.contacts = [
        ...presence.contacts,
        {
          uri: 'sip:dave@lab.trustline.test',
          displayName: 'Dave',
          presence: { state: 'available' },
          subscription: { status: 'active' },
          unread: 0
        }
      ]
    })
    afterEach(() => vi.useRealTimers())

    const openButtons = () =>
      screen.getAllByTestId('contact').map((r) => r.querySelector<HTMLButtonElement>('.open')!)
    const focused = () => document.activeElement?.closest('[data-testid="contact"]')?.textContent

    it('is one Tab stop: arrows, Home/End and a letter move the focus, not the Tab key', async () => {
      render(ContactList)
      expect(openButtons().map((b) => b.getAttribute('tabindex'))).toEqual(['0', '-1', '-1'])
      // Remove sits outside the Tab order; the add form is folded into one summary.
      for (const remove of screen.getAllByRole('button', { name: /^Remove / }))
        expect(remove.getAttribute('tabindex')).toBe('-1')
      expect(screen.getByText('Add contact', { selector: 'summary' })).toBeTruthy()
      expect(screen.getByTestId('add-contact').closest('details')?.open).toBe(false)

      openButtons()[0]!.focus()
      await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' })
      await tick()
      expect(focused()).toContain('Carol')
      expect(openButtons().map((b) => b.getAttribute('tabindex'))).toEqual(['-1', '0', '-1'])
      await fireEvent.keyDown(document.activeElement!, { key: 'End' })
      await tick()
      expect(focused()).toContain('Dave')
      await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' })
      await tick()
      expect(focused()).toContain('Dave')
      await fireEvent.keyDown(document.activeElement!, { key: 'Home' })
      await tick()
      expect(focused()).toContain('Bob')
      await fireEvent.keyDown(document.activeElement!, { key: 'c' })
      await tick()
      expect(focused()).toContain('Carol')
      await fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' })
      await tick()
      expect(focused()).toContain('Bob')
      // Right reaches the row's Remove button, Left comes back.
      await fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' })
      await tick()
      expect(document.activeElement?.getAttribute('aria-label')).toBe('Remove Bob')
      await fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' })
      await tick()
      expect(document.activeElement).toBe(openButtons()[0])
    })

    it('shows the add form open while there is no contact, folded once contacts come', async () => {
      const contacts = presence.contacts
      presence.contacts = []
      render(ContactList)
      const form = () => screen.getByTestId('add-contact').closest('details')!
      expect(form().open).toBe(true)
      presence.contacts = contacts
      await tick()
      expect(form().open).toBe(false)
      // But not under the hands of someone typing in it when the roster arrives.
      presence.contacts = []
      await tick()
      await fireEvent.focusIn(screen.getByLabelText('SIP address'))
      presence.contacts = contacts
      await tick()
      expect(form().open).toBe(true)
      await fireEvent.click(screen.getByText('Add contact', { selector: 'summary' }))
      expect(form().open).toBe(false)
      await fireEvent.click(screen.getByText('Add contact', { selector: 'summary' }))
      expect(form().open).toBe(true)
    })

    it('opening a conversation puts the focus in the message box', async () => {
      render(ContactList)
      render(ChatView)
      await fireEvent.click(openButtons()[1]!)
      await vi.waitFor(() => expect(document.activeElement?.id).toBe('composer'))
      expect(im.active).toBe('sip:carol@lab.trustline.test')
    })

    it('Delete removes the contact at once and offers Undo, which adds it back with its name', async () => {
      const remove = answer('contacts', 'remove', { removed: true })
      const add = answer('contacts', 'add', {
        uri: 'sip:carol@lab.trustline.test',
        displayName: 'Carol',
        presence: { state: 'unknown' },
        subscription: { status: 'pending' },
        unread: 0
      })
      render(ContactList)
      openButtons()[1]!.focus()
      await fireEvent.keyDown(document.activeElement!, { key: 'Delete' })
      expect(remove).toHaveBeenCalledWith({ uri: 'sip:carol@lab.trustline.test' })
      await vi.waitFor(() => expect(screen.getAllByTestId('contact')).toHaveLength(2))
      // The focus stays in the list, on the next contact.
      await vi.waitFor(() => expect(focused()).toContain('Dave'))
      const status = screen.getByTestId('undo-remove')
      expect(status.getAttribute('role')).toBe('status')
      expect(status.textContent).toContain('Carol was removed')
      // Undo comes after every conversation in the Tab order: one Tab from the list reaches it.
      const undoButton = screen.getByRole('button', { name: 'Undo' })
      for (const row of screen.getAllByRole('button'))
        if (row.closest('[data-row]'))
          expect(row.compareDocumentPosition(undoButton) & Node.DOCUMENT_POSITION_FOLLOWING).toBe(
            Node.DOCUMENT_POSITION_FOLLOWING
          )
      await fireEvent.click(screen.getByRole('button', { name: 'Undo' }))
      expect(add).toHaveBeenCalledWith({
        uri: 'sip:carol@lab.trustline.test',
        displayName: 'Carol'
      })
      await vi.waitFor(() => expect(screen.getAllByTestId('contact')).toHaveLength(3))
      expect(screen.queryByRole('button', { name: 'Undo' })).toBeNull()
      await vi.waitFor(() => expect(focused()).toContain('Carol'))
    })

    it('offers Undo for a while only', async () => {
      answer('contacts', 'remove', { removed: true })
      vi.useFakeTimers()
      render(ContactList)
      await fireEvent.click(screen.getByRole('button', { name: 'Remove Bob' }))
      await vi.waitFor(() => expect(screen.getByRole('button', { name: 'Undo' })).toBeTruthy())
      await vi.advanceTimersByTimeAsync(9_000)
      expect(screen.getByRole('button', { name: 'Undo' })).toBeTruthy()
      await vi.advanceTimersByTimeAsync(1_000)
      expect(screen.queryByRole('button', { name: 'Undo' })).toBeNull()
    })

    it('keeps Bob when the core refuses to remove him, and offers no Undo', async () => {
      render(ContactList)
      await fireEvent.click(screen.getByRole('button', { name: 'Remove Bob' }))
      await vi.waitFor(() => expect(screen.getByTestId('contacts-error')).toBeTruthy())
      expect(screen.getAllByTestId('contact')).toHaveLength(3)
      expect(screen.queryByRole('button', { name: 'Undo' })).toBeNull()
    })
  })
})
