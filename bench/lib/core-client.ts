import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createCore, type Core } from '../../electron/main/core'
import { createTrustParts, type TrustSetup } from '../../electron/main/trust-parts'
import type { EventName, InvokeName, PayloadOf, ResponseOf } from '../../shared/ipc/contract'
import type { IpcResult } from '../../shared/ipc/result'
import type { LabInfo } from '../../tests/lab/lab'

/** One core as the renderer sees it, with typed calls and event waits (no polling). */
export interface BenchCore {
  core: Core
  dataDir: string
  call<K extends InvokeName>(channel: K, payload?: unknown): Promise<ResponseOf<K>>
  /** Resolves with the first event (already seen or future) that matches, or rejects on timeout. */
  waitEvent<K extends EventName>(
    channel: K,
    match: (p: PayloadOf<K>) => boolean,
    timeoutMs?: number
  ): Promise<PayloadOf<K>>
  /** Calls `fn` for every future event on `channel`; returns an unsubscribe function. */
  on<K extends EventName>(channel: K, fn: (p: PayloadOf<K>) => void): () => void
  dispose(): Promise<void>
}

/** Writes a roster file the way ContactsStore does, so a core starts with these contacts. */
export function writeContacts(dataDir: string, uris: string[]): void {
  mkdirSync(dataDir, { recursive: true })
  const contacts = uris.map((uri) => ({ uri }))
  writeFileSync(join(dataDir, 'contacts.json'), `${JSON.stringify({ version: 1, contacts })}\n`)
}

/**
 * Builds a core against the lab: the real trust engine with the lab root as a policy anchor and
 * the lab's DNS. `contacts` are written to its data folder first (loading them is not measured).
 */
export function makeCore(
  lab: LabInfo,
  baseDir: string,
  opts: {
    contacts?: string[]
    dataDir?: string
    trust?: Omit<TrustSetup, 'policyCaFiles'>
    /** Keep past events for waitEvent (default true; off where memory is measured). */
    backlog?: boolean
    /** SUBSCRIBEs outstanding at once; undefined keeps the product's default. */
    subscribeWindow?: number
  } = {}
): BenchCore {
  const backlog = opts.backlog ?? true
  const dataDir = opts.dataDir ?? mkdtempSync(join(baseDir, 'core-'))
  if (opts.contacts) writeContacts(dataDir, opts.contacts)
  const core = createCore({
    host: 'browser',
    version: '0.0.0-bench',
    dataDir,
    trust: createTrustParts({ ...opts.trust, policyCaFiles: [lab.pki.rootCa] }),
    dnsServers: [`127.0.0.1:${lab.ports.dns}`],
    ...(opts.subscribeWindow !== undefined
      ? { session: { subscribeWindow: opts.subscribeWindow } }
      : {})
  })
  const listeners = new Set<(channel: EventName, payload: unknown) => void>()
  const seen: { channel: EventName; payload: unknown }[] = []
  core.events.subscribe((channel, payload) => {
    // Keep a bounded backlog for waitEvent on events that already happened.
    if (backlog && seen.length < 50_000) seen.push({ channel, payload })
    for (const l of listeners) l(channel, payload)
  })
  return {
    core,
    dataDir,
    async call(channel, payload) {
      const result = (await core.dispatcher.invoke(channel, payload)) as IpcResult<
        ResponseOf<typeof channel>
      >
      if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`)
      return result.value
    },
    waitEvent(channel, match, timeoutMs = 15_000) {
      type P = PayloadOf<typeof channel>
      const hit = seen.find((e) => e.channel === channel && match(e.payload as P))
      if (hit) return Promise.resolve(hit.payload as P)
      return new Promise<P>((resolve, reject) => {
        const l = (c: EventName, p: unknown) => {
          if (c !== channel || !match(p as P)) return
          listeners.delete(l)
          clearTimeout(timer)
          resolve(p as P)
        }
        const timer = setTimeout(() => {
          listeners.delete(l)
          reject(new Error(`no ${channel} event matched within ${timeoutMs} ms`))
        }, timeoutMs)
        listeners.add(l)
      })
    },
    on(channel, fn) {
      const l = (c: EventName, p: unknown) => {
        if (c === channel) fn(p as PayloadOf<typeof channel>)
      }
      listeners.add(l)
      return () => listeners.delete(l)
    },
    async dispose() {
      seen.length = 0
      listeners.clear()
      await core.dispose().catch(() => undefined)
    }
  }
}
