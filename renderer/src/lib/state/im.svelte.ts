import type { ImMessage } from '../../../../shared/types/im'
import { normalizeAor } from '../../../../shared/types/sip'
import { api } from '../api'
import { presence } from './presence.svelte'
import { settle, type UiError } from './result'

/** How long after the last keystroke we tell the peer we stopped typing (RFC 3994 refresh is 90 s). */
const typingIdleMs = 5000
/** Messages loaded when a conversation opens, and with each "older messages". */
const pageSize = 100

/** Conversations, the open one, delivery states, typing indicators and unread counts. */
class ImStore {
  /** Messages per conversation (normalized address), oldest first. */
  conversations = $state.raw<Record<string, ImMessage[]>>({})
  /** The conversation on screen, or null. */
  active = $state<string | null>(null)
  /** Peers currently typing to us. */
  typing = $state.raw<string[]>([])
  error = $state.raw<UiError | null>(null)
  /** A torn last line was dropped when this conversation's history was loaded. */
  recovered = $state(false)
  loading = $state(false)
  /** The open conversation has older messages than those loaded. */
  hasOlder = $state(false)
  loadingOlder = $state(false)
  /** Unread counts of conversations with people not in the roster (the core counts contacts). */
  otherUnread = $state.raw<Record<string, number>>({})
  #unsubscribers: (() => void)[] = []
  /** Whose conversations these are (the profile shown when they were loaded). */
  #owner: string | null = null
  #typingTimer: ReturnType<typeof setTimeout> | undefined
  #typingSentTo: string | null = null

  readonly messages: ImMessage[] = $derived(
    this.active ? (this.conversations[normalizeAor(this.active)] ?? []) : []
  )

  /**
   * Conversations with people who are not contacts (a colleague who wrote first): shown apart,
   * never added to the roster on their own, because adding subscribes to their presence.
   */
  readonly others: { uri: string; unread: number }[] = $derived(
    Object.entries(this.conversations)
      .filter(([key]) => !presence.has(key))
      .map(([key, list]) => ({
        uri: list[0]?.conversation ?? key,
        unread: this.otherUnread[key] ?? 0,
        lastAt: list.at(-1)?.sentAt ?? ''
      }))
      // Most recent first, as the core lists them.
      .sort((a, b) => (a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : 0))
      .map(({ uri, unread }) => ({ uri, unread }))
  )

  readonly peerTyping = $derived(
    this.active !== null && this.typing.includes(normalizeAor(this.active))
  )

  start(): void {
    if (this.#unsubscribers.length > 0) return
    this.#unsubscribers = [
      api.im.onReceived((message) => this.#received(message)),
      api.im.onMessageUpdated((message) => this.#upsert(message)),
      api.im.onTypingChanged(({ conversation, active }) => {
        const key = normalizeAor(conversation)
        const others = this.typing.filter((c) => c !== key)
        this.typing = active ? [...others, key] : others
      })
    ]
  }

  /**
   * Loads the conversations kept in history, so chats with people outside the roster are there
   * again after a restart (their last message now, the rest when opened). Best effort: without
   * the list the app still works, it only shows fewer past chats.
   */
  async loadConversations(): Promise<void> {
    // A list asked for one account's profile is dropped if another's is shown by the time it comes.
    const owner = this.#owner
    const list = await settle(
      () => api.im.listConversations(),
      () => undefined
    )
    if (!list || owner !== this.#owner) return
    const conversations = { ...this.conversations }
    const unread = { ...this.otherUnread }
    for (const summary of list) {
      const key = normalizeAor(summary.conversation)
      if (!conversations[key] && summary.last) conversations[key] = [summary.last]
      // A count this window already keeps (a message that arrived, a conversation read while
      // the list was on its way) is newer than the list's.
      if (!presence.has(key) && unread[key] === undefined) unread[key] = summary.unread
    }
    this.conversations = conversations
    this.otherUnread = unread
  }

  /** Opens a conversation: loads its history and marks it read. */
  async open(uri: string): Promise<void> {
    this.active = uri
    this.error = null
    this.recovered = false
    this.hasOlder = false
    this.loading = true
    const history = await settle(
      () => api.im.history({ conversation: uri, limit: pageSize }),
      (e) => (this.error = e)
    )
    this.loading = false
    if (this.active !== uri) return
    if (history) {
      this.conversations = { ...this.conversations, [normalizeAor(uri)]: history.messages }
      this.recovered = history.recoveredTornLine
      this.hasOlder = history.hasOlder
    }
    await this.markRead(uri)
  }

  /**
   * Loads the page of messages before the oldest one shown (the core reads history from the end,
   * so a long conversation opens quickly and the rest comes on demand).
   */
  async loadOlder(): Promise<void> {
    const uri = this.active
    const first = this.messages[0]
    if (!uri || !first || !this.hasOlder || this.loadingOlder) return
    this.loadingOlder = true
    const page = await settle(
      () => api.im.history({ conversation: uri, limit: pageSize, before: first.id }),
      (e) => (this.error = e)
    )
    this.loadingOlder = false
    if (!page || this.active !== uri) return
    const key = normalizeAor(uri)
    const shown = this.conversations[key] ?? []
    const known = new Set(shown.map((m) => m.id))
    this.conversations = {
      ...this.conversations,
      [key]: [...page.messages.filter((m) => !known.has(m.id)), ...shown]
    }
    this.hasOlder = page.hasOlder
  }

  close(): void {
    this.active = null
  }

  /**
   * Another account's data is shown (`profile:changed`): the conversations, counts and typing
   * peers kept here are the previous account's, and go; the next load is the new account's.
   */
  showProfile(aor: string | null): void {
    if (aor === this.#owner) return
    this.#owner = aor
    this.active = null
    this.conversations = {}
    this.otherUnread = {}
    this.typing = []
    this.error = null
  }

  async markRead(uri: string): Promise<void> {
    const result = await settle(
      () => api.im.markRead({ conversation: uri }),
      (e) => (this.error = e)
    )
    if (!result) return
    if (presence.has(uri)) presence.setUnread(uri, result.unread)
    else this.otherUnread = { ...this.otherUnread, [normalizeAor(uri)]: result.unread }
  }

  async send(body: string): Promise<boolean> {
    const to = this.active
    const text = body.trim()
    if (!to || !text) return false
    this.error = null
    await this.#stopTyping()
    const message = await settle(
      () => api.im.send({ to, body: text }),
      (e) => (this.error = e)
    )
    if (!message) return false
    this.#upsert(message)
    return true
  }

  /** Call on each keystroke in the composer: tells the peer once, and again when idle. */
  composing(): void {
    const to = this.active
    if (!to) return
    clearTimeout(this.#typingTimer)
    this.#typingTimer = setTimeout(() => void this.#stopTyping(), typingIdleMs)
    if (this.#typingSentTo === to) return
    this.#typingSentTo = to
    // Typing indicators are best effort: a failure is not worth an error on screen.
    void settle(
      () => api.im.typing({ conversation: to, active: true }),
      () => undefined
    )
  }

  async #stopTyping(): Promise<void> {
    clearTimeout(this.#typingTimer)
    const to = this.#typingSentTo
    this.#typingSentTo = null
    if (to)
      await settle(
        () => api.im.typing({ conversation: to, active: false }),
        () => undefined
      )
  }

  #received(message: ImMessage): void {
    this.#upsert(message)
    const key = normalizeAor(message.conversation)
    this.typing = this.typing.filter((c) => c !== key)
    const open =
      this.active !== null &&
      normalizeAor(this.active) === key &&
      typeof document !== 'undefined' &&
      document.visibilityState !== 'hidden'
    if (open) void this.markRead(message.conversation)
    else {
      const contact = presence.find(message.conversation)
      if (contact) presence.setUnread(message.conversation, contact.unread + 1)
      else this.otherUnread = { ...this.otherUnread, [key]: (this.otherUnread[key] ?? 0) + 1 }
    }
  }

  #upsert(message: ImMessage): void {
    const key = normalizeAor(message.conversation)
    const list = this.conversations[key] ?? []
    const at = list.findIndex((m) => m.id === message.id)
    const next = at >= 0 ? list.with(at, message) : [...list, message]
    this.conversations = { ...this.conversations, [key]: next }
  }

  stop(): void {
    for (const off of this.#unsubscribers) off()
    this.#unsubscribers = []
    clearTimeout(this.#typingTimer)
  }
}

/** The IM singleton. */
export const im = new ImStore()
