import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sipChannels } from '../../../../shared/ipc/channels/sip'
import { IpcFailure } from '../../../../shared/ipc/result'
import {
  createSipHandlers,
  sipEventsTo,
  type SessionService
} from '../../../../electron/main/ipc/sip-handlers'
import { ContactsStore } from '../../../../electron/main/storage/contacts-store'
import { HistoryStore } from '../../../../electron/main/storage/history-store'
import type { SessionState } from '../../../../shared/types/sip'
import type { ImMessage } from '../../../../shared/types/im'

const message: ImMessage = {
  id: 'm1',
  conversation: 'sip:bob@lab.test',
  direction: 'out',
  body: 'héllo 👋',
  sentAt: new Date(0).toISOString(),
  state: 'failed',
  failure: { status: 404, reason: 'Not Found' }
}

/** A valid sample request/payload and response per channel, for the schema round trip. */
const samples: Record<string, { request?: unknown; response?: unknown; payload?: unknown }> = {
  'session:sign-in': {
    request: { aor: 'sip:alice@lab.test', password: 'pw', displayName: 'Alice' },
    response: {
      status: 'failed',
      aor: 'sip:alice@lab.test',
      failure: { code: 'wrong-password', status: 403, reason: 'Forbidden' }
    }
  },
  'session:sign-out': { request: undefined, response: { status: 'signed-out' } },
  'session:get-state': {
    request: undefined,
    response: {
      status: 'reconnecting',
      aor: 'sip:a@b.c',
      attempt: 2,
      nextRetryAt: new Date(0).toISOString()
    }
  },
  'session:state-changed': {
    payload: { status: 'registered', registeredUntil: new Date(0).toISOString() }
  },
  'presence:set': {
    request: { state: 'do-not-disturb', note: 'focus' },
    response: { state: 'do-not-disturb', note: 'focus' }
  },
  'presence:get': { request: undefined, response: { state: 'available' } },
  'presence:own-changed': { payload: { state: 'be-right-back', note: 'back in 5' } },
  'presence:changed': {
    payload: {
      uri: 'sip:bob@lab.test',
      presence: { state: 'unknown' },
      subscription: { status: 'terminated', reason: 'rejected' }
    }
  },
  'contacts:list': {
    request: undefined,
    response: [
      {
        uri: 'sip:bob@lab.test',
        presence: { state: 'busy' },
        subscription: { status: 'active' },
        unread: 3
      }
    ]
  },
  'contacts:add': {
    request: { uri: 'sip:bob@lab.test', displayName: 'Bob' },
    response: {
      uri: 'sip:bob@lab.test',
      displayName: 'Bob',
      presence: { state: 'unknown' },
      subscription: { status: 'none' },
      unread: 0
    }
  },
  'contacts:remove': { request: { uri: 'sip:bob@lab.test' }, response: { removed: true } },
  'im:send': { request: { to: 'sip:bob@lab.test', body: 'hi' }, response: message },
  'im:history': {
    request: { conversation: 'sip:bob@lab.test', limit: 50 },
    response: {
      conversation: 'sip:bob@lab.test',
      messages: [message],
      unread: 0,
      recoveredTornLine: true,
      hasOlder: false
    }
  },
  'im:list-conversations': {
    request: undefined,
    response: [{ conversation: 'sip:bob@lab.test', last: message, unread: 0 }]
  },
  'im:mark-read': { request: { conversation: 'sip:bob@lab.test' }, response: { unread: 0 } },
  'im:typing': {
    request: { conversation: 'sip:bob@lab.test', active: true },
    response: { sent: false }
  },
  'im:received': {
    payload: { ...message, direction: 'in', state: 'received', failure: undefined }
  },
  'im:message-updated': { payload: message },
  'im:typing-changed': { payload: { conversation: 'sip:bob@lab.test', active: false } }
}

describe('sipChannels', () => {
  it('has a sample for every channel', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(sipChannels).sort())
  })

  it.each(Object.entries(sipChannels))('%s round-trips its schemas', (name, channel) => {
    const sample = samples[name]!
    if (channel.kind === 'invoke') {
      expect(channel.request.parse(sample.request)).toEqual(sample.request)
      expect(channel.response.parse(JSON.parse(JSON.stringify(sample.response)))).toEqual(
        JSON.parse(JSON.stringify(sample.response))
      )
    } else {
      const wire: unknown = JSON.parse(JSON.stringify(sample.payload))
      expect(channel.payload.parse(wire)).toEqual(wire)
    }
  })

  it('rejects bad payloads', () => {
    expect(
      sipChannels['session:sign-in'].request.safeParse({ aor: 'alice', password: 'x' }).success
    ).toBe(false)
    expect(
      sipChannels['session:sign-in'].request.safeParse({ aor: 'sip:a@b', password: '' }).success
    ).toBe(false)
    expect(sipChannels['presence:set'].request.safeParse({ state: 'unknown' }).success).toBe(false)
    expect(sipChannels['im:send'].request.safeParse({ to: 'sip:a@b', body: '' }).success).toBe(
      false
    )
  })
})

describe('createSipHandlers', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tl-handlers-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  function fakeSession(status: SessionState['status']) {
    const watched: string[][] = []
    const session: SessionService = {
      state: { status },
      presence: { state: 'available' },
      signIn: (r) => Promise.resolve({ status: 'registered', aor: r.aor }),
      signOut: () => Promise.resolve(),
      setPresence: () => Promise.resolve(),
      setContacts: (uris) => watched.push([...uris]),
      im: {
        send: () => Promise.resolve(message),
        setTyping: () => Promise.resolve('skipped'),
        markSeen: () => Promise.resolve()
      },
      subscriptions: {
        get: (uri) =>
          uri === 'sip:bob@lab.test'
            ? { uri, presence: { state: 'busy' }, subscription: { status: 'active' } }
            : undefined
      }
    }
    return { session, watched }
  }

  it('adds and removes contacts, re-syncing the watched set', async () => {
    const { session, watched } = fakeSession('registered')
    const h = createSipHandlers({
      session,
      contacts: new ContactsStore(dir),
      history: new HistoryStore(dir)
    })
    const bob = await h['contacts:add']({ uri: 'sip:bob@LAB.test' })
    expect(bob).toMatchObject({ uri: 'sip:bob@lab.test', presence: { state: 'busy' }, unread: 0 })
    await h['contacts:add']({ uri: 'sip:carol@lab.test' })
    expect(await h['contacts:remove']({ uri: 'sip:carol@lab.test' })).toEqual({ removed: true })
    expect(watched).toEqual([
      ['sip:bob@lab.test'],
      ['sip:bob@lab.test', 'sip:carol@lab.test'],
      ['sip:bob@lab.test']
    ])
    const list = await h['contacts:list']()
    expect(sipChannels['contacts:list'].response.parse(list)).toHaveLength(1)
  })

  it('refuses im:send before sign-in with a stable code', async () => {
    const { session } = fakeSession('signed-out')
    const h = createSipHandlers({
      session,
      contacts: new ContactsStore(dir),
      history: new HistoryStore(dir)
    })
    await expect(h['im:send']({ to: 'sip:bob@lab.test', body: 'x' })).rejects.toThrow(IpcFailure)
  })

  it('reads history and marks read', async () => {
    const { session } = fakeSession('registered')
    const history = new HistoryStore(dir)
    await history.append({
      ...message,
      id: 'in1',
      direction: 'in',
      state: 'received',
      failure: undefined
    })
    const h = createSipHandlers({ session, contacts: new ContactsStore(dir), history })
    expect((await h['im:history']({ conversation: 'sip:bob@lab.test' })).unread).toBe(1)
    expect(await h['im:mark-read']({ conversation: 'sip:bob@lab.test' })).toEqual({ unread: 0 })
  })

  it('forwards session events to their channels with valid payloads', () => {
    const got: Array<[string, unknown]> = []
    const events = sipEventsTo({ emit: (c, p) => got.push([c, p]) })
    events.onStateChanged({ status: 'connecting' })
    events.onMessageUpdated(message)
    events.onTyping({ conversation: 'sip:bob@lab.test', active: true })
    for (const [channel, payload] of got) {
      const spec = sipChannels[channel as keyof typeof sipChannels]
      expect(spec.kind).toBe('event')
      if (spec.kind === 'event') expect(spec.payload.safeParse(payload).success).toBe(true)
    }
    expect(got.map(([c]) => c)).toEqual([
      'session:state-changed',
      'im:message-updated',
      'im:typing-changed'
    ])
  })
})
