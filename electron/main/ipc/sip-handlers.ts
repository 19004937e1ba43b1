import type { EventName, InvokeName } from '../../../shared/ipc/contract'
import { sipChannels } from '../../../shared/ipc/channels/sip'
import { IpcFailure } from '../../../shared/ipc/result'
import type {
  ContactView,
  Contact,
  ContactPresence,
  Presence,
  SubscriptionHealth
} from '../../../shared/types/presence'
import type { ConversationSummary, History, ImMessage, Typing } from '../../../shared/types/im'
import { markStage } from '../stage-trace'
import type { EventSink, HandlerMap } from './types'
import { normalizeAor, type SessionState, type SignInRequest } from '../../../shared/types/sip'
import type { OwnPresenceState } from '../../../shared/types/presence'

/** Invoke channels of the SIP domain (the contract's own classification, narrowed). */
export type SipInvokeName = Extract<InvokeName, keyof typeof sipChannels>

/** Event channels of the SIP domain. */
export type SipEventName = Extract<EventName, keyof typeof sipChannels>

/** The SIP handlers: the contract's handler map restricted to the SIP invoke channels. */
export type SipHandlerMap = HandlerMap<SipInvokeName>

/** The session as the handlers use it (SipSession in production). */
export interface SessionService {
  readonly state: SessionState
  readonly presence: Presence
  signIn(request: SignInRequest): Promise<SessionState>
  signOut(): Promise<void>
  setPresence(state: OwnPresenceState, note?: string): Promise<void>
  setContacts(uris: readonly string[]): void
  readonly im: {
    send(to: string, body: string): Promise<ImMessage>
    setTyping(to: string, active: boolean): Promise<'sent' | 'skipped'>
    /** The user has seen the conversation: read receipts go out (when allowed). */
    markSeen(conversation: string): Promise<void>
  }
  readonly subscriptions: { get(uri: string): ContactPresence | undefined }
}

/** What the SIP handlers need. */
export interface SipHandlerDeps {
  session: SessionService
  contacts: {
    list(): Promise<Contact[]>
    add(contact: Contact): Promise<Contact>
    remove(uri: string): Promise<boolean>
  }
  history: {
    history(conversation: string, limit?: number, before?: string): Promise<History>
    markRead(conversation: string): Promise<void>
    unread(conversation: string): Promise<number>
    summaries(): Promise<ConversationSummary[]>
  }
}

const noSubscription: SubscriptionHealth = { status: 'none' }

/** Handlers for the `session:`, `presence:`, `contacts:` and `im:` channels. */
export function createSipHandlers(deps: SipHandlerDeps): SipHandlerMap {
  const { session, contacts, history } = deps

  const view = async (c: Contact): Promise<ContactView> => {
    const unread = await history.unread(c.uri)
    // Presence read after the await, so the answer is no older than the presence:changed
    // events sent while the unread count was being read.
    const live = session.subscriptions.get(c.uri)
    return {
      ...c,
      presence: live?.presence ?? { state: 'unknown' },
      subscription: live?.subscription ?? noSubscription,
      unread
    }
  }

  const requireSignedIn = () => {
    const status = session.state.status
    // Sending while reconnecting is fine (the message is queued); before sign-in it is not.
    if (status === 'signed-out' || status === 'failed') {
      throw new IpcFailure('not-signed-in', 'Sign in before sending messages.')
    }
  }

  return {
    'session:sign-in': (req) => session.signIn(req),
    'session:sign-out': async () => {
      await session.signOut()
      return session.state
    },
    'session:get-state': () => session.state,
    'presence:set': async (req) => {
      await session.setPresence(req.state, req.note)
      return session.presence
    },
    'presence:get': () => session.presence,
    'contacts:list': async () => Promise.all((await contacts.list()).map(view)),
    'contacts:add': async (req) => {
      const stored = await contacts.add(req)
      session.setContacts((await contacts.list()).map((c) => c.uri))
      return view(stored)
    },
    'contacts:remove': async (req) => {
      const removed = await contacts.remove(req.uri)
      session.setContacts((await contacts.list()).map((c) => c.uri))
      return { removed }
    },
    'im:send': async (req) => {
      requireSignedIn()
      return session.im.send(req.to, req.body)
    },
    'im:history': (req) => history.history(req.conversation, req.limit, req.before),
    'im:list-conversations': () => history.summaries(),
    'im:mark-read': async (req) => {
      await session.im.markSeen(req.conversation)
      await history.markRead(req.conversation)
      return { unread: await history.unread(req.conversation) }
    },
    'im:typing': async (req) => ({
      sent: (await session.im.setTyping(normalizeAor(req.conversation), req.active)) === 'sent'
    })
  }
}

/** Session callbacks that forward to the event channels (pass as `SipSessionOptions.events`). */
export function sipEventsTo(sink: EventSink) {
  return {
    onStateChanged: (state: SessionState) => {
      markStage(`state:${state.status}`)
      sink.emit('session:state-changed', state)
    },
    onContactPresence: (contact: ContactPresence) => sink.emit('presence:changed', contact),
    onMessageUpdated: (message: ImMessage) => sink.emit('im:message-updated', message),
    onMessageReceived: (message: ImMessage) => sink.emit('im:received', message),
    onTyping: (typing: Typing) => sink.emit('im:typing-changed', typing)
  }
}
