import { flushSync } from 'svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ContactPresence, ContactView } from '../../../../../shared/types/presence'
import { normalizeAor } from '../../../../../shared/types/sip'
import { answer, emit, resetApi } from '../../api-mock'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { isStale, presence } from '../../../../../renderer/src/lib/state'
import { maxUpdatesPerFrame } from '../../../../../renderer/src/lib/state/presence.svelte'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

// Counts address normalizations (a regex each): a storm must not cost one per contact per event.
vi.mock('../../../../../shared/types/sip', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../../../shared/types/sip')>()
  return { ...actual, normalizeAor: vi.fn(actual.normalizeAor) }
})

/** Resolves after the next animation frame, with Svelte's effects flushed. */
async function nextFrame(): Promise<void> {
  await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()))
  flushSync()
}

/** Counts how often `read` changes, as a component reading it would re-render. */
function countChanges(read: () => unknown): { runs: number; stop: () => void } {
  const counter = { runs: 0, stop: () => undefined as void }
  counter.stop = $effect.root(() => {
    $effect(() => {
      void read()
      counter.runs++
    })
  })
  flushSync()
  counter.runs = 0
  return counter
}

const roster = (n: number): ContactView[] =>
  Array.from({ length: n }, (_, i) => ({
    uri: `sip:user${String(i).padStart(4, '0')}@lab.trustline.test`,
    // Names in reverse of the roster order, so the sorted list differs from it.
    displayName: `Contact ${String(n - i).padStart(4, '0')}`,
    presence: { state: 'unknown' },
    subscription: { status: 'pending' },
    unread: 0
  }))

/** Signs in as the app does: own presence, then the roster, and the event subscriptions. */
async function started(list: ContactView[]): Promise<void> {
  answer('presence', 'get', { state: 'available' })
  answer('contacts', 'list', list)
  await presence.start()
}

const open = (uri: string, note?: string): ContactPresence => ({
  uri,
  presence: { state: 'available', ...(note ? { note } : {}) },
  subscription: { status: 'active', lastUpdate: new Date().toISOString() }
})

const bob: ContactView = {
  uri: 'sip:bob@lab.trustline.test',
  displayName: 'Bob',
  presence: { state: 'unknown' },
  subscription: { status: 'pending' },
  unread: 0
}

describe('presence state', () => {
  beforeEach(() => {
    resetApi()
    presence.contacts = []
  })

  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it('loads the roster and applies presence:changed by normalized address', async () => {
    answer('presence', 'get', { state: 'available' })
    answer('contacts', 'list', [bob])
    await presence.start()
    emit('presence', 'onChanged', {
      uri: 'SIP:bob@LAB.trustline.test',
      presence: { state: 'busy', note: 'In a meeting' },
      subscription: { status: 'active', lastUpdate: new Date().toISOString() }
    })
    await nextFrame()
    expect(presence.contacts[0]?.presence).toEqual({ state: 'busy', note: 'In a meeting' })
    expect(isStale(presence.contacts[0]!)).toBe(false)
  })

  it('marks pending, terminated, error and long-quiet subscriptions stale', () => {
    const now = Date.parse('2026-11-28T12:00:00Z')
    const at = (status: ContactView['subscription']['status'], lastUpdate?: string) =>
      isStale({ subscription: { status, ...(lastUpdate ? { lastUpdate } : {}) } }, now)
    expect(at('pending')).toBe(true)
    expect(at('terminated')).toBe(true)
    expect(at('error')).toBe(true)
    expect(at('active', '2026-11-28T11:59:00Z')).toBe(false)
    expect(at('active', '2026-11-28T06:00:00Z')).toBe(true)
    expect(at('none')).toBe(false)
  })

  it('adds and removes contacts, and sets own presence with a trimmed note', async () => {
    answer('contacts', 'add', bob)
    answer('contacts', 'remove', { removed: true })
    const set = answer('presence', 'set', { state: 'away', note: 'lunch' })
    expect(await presence.add({ uri: bob.uri })).toBe(true)
    expect(presence.contacts).toHaveLength(1)
    await presence.remove(bob.uri)
    expect(presence.contacts).toHaveLength(0)
    await presence.setOwn('away', '  lunch ')
    expect(set).toHaveBeenCalledWith({ state: 'away', note: 'lunch' })
    expect(presence.own.state).toBe('away')
  })

  it('applies a storm in one state change per frame, a bounded number of contacts each, last event per contact winning', async () => {
    await started(roster(1000))
    const sorted = countChanges(() => presence.sorted)
    const contacts = countChanges(() => presence.contacts)
    const before = presence.sorted
    for (const c of roster(1000)) emit('presence', 'onChanged', open(c.uri, 'first'))
    for (const c of roster(1000)) emit('presence', 'onChanged', open(c.uri, 'last'))
    flushSync()
    // Nothing yet: the events wait for the frame.
    expect(sorted.runs).toBe(0)
    expect(presence.sorted).toBe(before)
    // What each state change applied: a backlog is spread over frames, so no frame renders more
    // than maxUpdatesPerFrame rows (whether the frame or the hidden-page timer runs it).
    const changes: string[][] = []
    const stop = $effect.root(() => {
      $effect(() => {
        const done = presence.contacts.filter((c) => c.presence.note === 'last')
        changes.push(done.map((c) => c.uri))
      })
    })
    flushSync()
    changes.length = 0
    for (let frame = 0; changes.at(-1)?.length !== 1000 && frame < 20; frame++) await nextFrame()
    stop()
    const applied = changes.map((now, i) => now.length - (changes[i - 1]?.length ?? 0))
    expect(applied).toEqual(Array(1000 / maxUpdatesPerFrame).fill(maxUpdatesPerFrame))
    expect(sorted.runs).toBe(changes.length)
    expect(contacts.runs).toBe(changes.length)
    // The oldest updates first: the contacts first updated went in the first change.
    expect(changes[0]).toEqual(
      roster(1000)
        .slice(0, maxUpdatesPerFrame)
        .map((c) => c.uri)
    )
    expect(presence.contacts.every((c) => c.presence.note === 'last')).toBe(true)
    expect(presence.contacts.every((c) => c.subscription.status === 'active')).toBe(true)
    // Sorted by name (Contact 0001 … 1000), which is the roster's reverse order.
    expect(presence.sorted.map((c) => c.displayName)).toEqual(
      roster(1000)
        .map((c) => c.displayName)
        .reverse()
    )
    expect(presence.contacts[0]?.uri).toBe('sip:user0000@lab.trustline.test')
    sorted.stop()
    contacts.stop()
  })

  it('drops the queued events of a contact removed before the frame', async () => {
    const [carol, dave] = roster(2) as [ContactView, ContactView]
    answer('contacts', 'remove', { removed: true })
    await started([bob, carol, dave])
    emit('presence', 'onChanged', open(carol.uri))
    emit('presence', 'onChanged', open(bob.uri, 'here'))
    await presence.remove(carol.uri)
    emit('presence', 'onChanged', open(carol.uri))
    await nextFrame()
    expect(presence.contacts.map((c) => c.uri)).toEqual([bob.uri, dave.uri])
    expect(presence.find(carol.uri)).toBeUndefined()
    expect(presence.find(bob.uri)?.presence).toEqual({ state: 'available', note: 'here' })
    expect(presence.find(dave.uri)?.presence.state).toBe('unknown')
  })

  it('applies events queued before a new roster to the old one, not over the new one', async () => {
    await started([bob])
    emit('presence', 'onChanged', open(bob.uri, 'old'))
    presence.contacts = [{ ...bob, presence: { state: 'busy' } }]
    await nextFrame()
    expect(presence.find(bob.uri)?.presence).toEqual({ state: 'busy' })
  })

  it('keeps an update that overtook the contacts:list answer (the core awaits unread counts)', async () => {
    await started([])
    // An update from before the request is older than the answer: the answer wins.
    emit('presence', 'onChanged', open(bob.uri, 'before the request'))
    let reply: (value: unknown) => void = () => undefined
    answer('contacts', 'list', null).mockImplementation(
      () => new Promise((resolve) => (reply = resolve))
    )
    const carol = { ...bob, uri: 'sip:carol@lab.trustline.test', displayName: 'Carol' }
    const loading = presence.loadContacts()
    emit('presence', 'onChanged', open(carol.uri, 'while in flight'))
    await nextFrame()
    reply({ ok: true, value: [bob, carol] })
    await loading
    await nextFrame()
    expect(presence.find(bob.uri)?.presence).toEqual(bob.presence)
    expect(presence.find(carol.uri)?.presence).toEqual({
      state: 'available',
      note: 'while in flight'
    })
    expect(isStale(presence.find(carol.uri)!)).toBe(false)
  })

  it('keeps an update that overtook the contacts:add answer', async () => {
    await started([])
    let reply: (value: unknown) => void = () => undefined
    answer('contacts', 'add', null).mockImplementation(
      () => new Promise((resolve) => (reply = resolve))
    )
    const adding = presence.add({ uri: bob.uri })
    emit('presence', 'onChanged', open(bob.uri, 'subscribed already'))
    reply({ ok: true, value: bob })
    expect(await adding).toBe(true)
    expect(presence.find(bob.uri)?.presence.note).toBe('subscribed already')
  })

  it('finds contacts through a map, normalizing only addresses the core did not normalize', async () => {
    await started(roster(1000))
    const normalize = vi.mocked(normalizeAor)
    normalize.mockClear()
    for (const c of roster(1000)) emit('presence', 'onChanged', open(c.uri))
    for (let frame = 0; frame < 1000 / maxUpdatesPerFrame; frame++) await nextFrame()
    expect(presence.find('sip:user0500@lab.trustline.test')?.presence.state).toBe('available')
    expect(presence.has('sip:user0999@lab.trustline.test')).toBe(true)
    expect(normalize).not.toHaveBeenCalled()
    // Another spelling of the same address: one normalization, still found.
    expect(presence.find('SIP:user0500@LAB.TRUSTLINE.TEST')?.uri).toBe(
      'sip:user0500@lab.trustline.test'
    )
    expect(presence.has('sip:User0500@lab.trustline.test')).toBe(false)
    expect(normalize).toHaveBeenCalledTimes(2)
  })

  it('sorts only when the roster changes, with one collator per language', async () => {
    // Every comparison reads the collator's `compare` getter once. (Spied before the constructor,
    // whose spy would otherwise stand in for Intl.Collator.prototype.)
    const compares = vi.spyOn(Intl.Collator.prototype, 'compare', 'get')
    const made = vi.spyOn(Intl, 'Collator')
    await started(roster(100))
    const sorted = countChanges(() => presence.sorted)
    // One for the language, unless an earlier test already made it.
    const collators = made.mock.calls.length
    expect(collators).toBeLessThanOrEqual(1)
    compares.mockClear()
    for (const c of roster(100)) emit('presence', 'onChanged', open(c.uri))
    await nextFrame()
    expect(sorted.runs).toBe(1)
    expect(compares).not.toHaveBeenCalled()
    answer('contacts', 'add', { ...bob, displayName: 'Aaron' })
    await presence.add({ uri: bob.uri, displayName: 'Aaron' })
    flushSync()
    expect(compares).toHaveBeenCalled()
    expect(presence.sorted[0]?.uri).toBe(bob.uri)
    expect(made).toHaveBeenCalledTimes(collators)
    i18n.setLanguage('zh-CN')
    flushSync()
    expect(made).toHaveBeenCalledTimes(collators + 1)
    expect(made).toHaveBeenLastCalledWith('zh-CN')
    i18n.setLanguage('en')
    sorted.stop()
  })

  it('applies events on a timer where there are no frames (hidden page, no rAF)', async () => {
    await started([bob])
    vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden')
    emit('presence', 'onChanged', open(bob.uri, 'hidden'))
    await vi.waitFor(() => expect(presence.find(bob.uri)?.presence.note).toBe('hidden'))
    vi.restoreAllMocks()
    vi.stubGlobal('requestAnimationFrame', undefined)
    emit('presence', 'onChanged', open(bob.uri, 'no frames'))
    await vi.waitFor(() => expect(presence.find(bob.uri)?.presence.note).toBe('no frames'))
  })
})
