import { join } from 'node:path'
import { z } from 'zod'
import { IpcFailure } from '../../../shared/ipc/result'
import { domainDecisionSchema, type DomainDecision } from '../../../shared/types/trust-settings'
import type { Storage } from './durable'
import { JsonStore, salvageList } from './json-store'

const fileSchema = z.object({ version: z.literal(1), decisions: z.array(domainDecisionSchema) })

const key = (sipDomain: string, serverHost: string) =>
  `${sipDomain.toLowerCase()}\u0000${serverHost.toLowerCase()}`

/** One profile's answers, loaded once. */
interface Loaded {
  dir: string
  store: JsonStore<typeof fileSchema>
  decisions: Map<string, DomainDecision>
  loaded: Promise<string | undefined> | null
}

/**
 * Remembered answers to the DNS-hijack question, per SIP domain and server. Persisted, listable,
 * forgettable; an answer is only ever for that exact pair.
 *
 * Answers belong to the person who gave them: the store keeps them in the folder `folder` names
 * when it is asked (the profile shown, see account/profiles.ts), so another account never sees or
 * changes them. Each call works on the folder it started with. With no folder (no account's data
 * shown) there are no answers and none can be stored.
 */
export class DomainDecisionStore {
  readonly #folder: () => string | null
  readonly #storage: Partial<Storage> | undefined
  #current: Loaded | null = null

  constructor(folder: string | (() => string | null), storage?: Partial<Storage>) {
    this.#folder = typeof folder === 'string' ? () => folder : folder
    this.#storage = storage
  }

  /** Loads once; returns the load error, if the file was damaged (the user has a notice). */
  load(): Promise<string | undefined> {
    const state = this.#state()
    return state ? this.#load(state) : Promise.resolve(undefined)
  }

  async get(sipDomain: string, serverHost: string): Promise<DomainDecision | undefined> {
    const state = this.#state()
    if (!state) return undefined
    await this.#load(state)
    return state.decisions.get(key(sipDomain, serverHost))
  }

  async list(): Promise<DomainDecision[]> {
    const state = this.#state()
    if (!state) return []
    await this.#load(state)
    return [...state.decisions.values()].sort((a, b) => a.sipDomain.localeCompare(b.sipDomain))
  }

  async decide(sipDomain: string, serverHost: string, allow: boolean): Promise<DomainDecision> {
    const state = this.#state()
    if (!state) {
      throw new IpcFailure(
        'not-signed-in',
        `Sign in to the account that asked about ${serverHost} to answer for it.`
      )
    }
    await this.#load(state)
    const decision: DomainDecision = {
      sipDomain: sipDomain.toLowerCase(),
      serverHost: serverHost.toLowerCase(),
      allow,
      decidedAt: new Date().toISOString()
    }
    await this.#save(state, new Map(state.decisions).set(key(sipDomain, serverHost), decision))
    return decision
  }

  async forget(sipDomain: string, serverHost: string): Promise<boolean> {
    const state = this.#state()
    if (!state) return false
    await this.#load(state)
    const next = new Map(state.decisions)
    if (!next.delete(key(sipDomain, serverHost))) return false
    await this.#save(state, next)
    return true
  }

  /** The answers of the folder in use now (read again when it changed). */
  #state(): Loaded | null {
    const dir = this.#folder()
    if (dir === null) return null
    if (this.#current?.dir !== dir) {
      this.#current = {
        dir,
        store: new JsonStore(
          join(dir, 'domain-decisions.json'),
          fileSchema,
          () => ({ version: 1 as const, decisions: [] }),
          {
            file: 'domain-decisions',
            salvage: salvageList('decisions', domainDecisionSchema, (decisions) => ({
              version: 1 as const,
              decisions
            })),
            ...(this.#storage ? { storage: this.#storage } : {})
          }
        ),
        decisions: new Map(),
        loaded: null
      }
    }
    return this.#current
  }

  #load(state: Loaded): Promise<string | undefined> {
    state.loaded ??= state.store.load().then((r) => {
      for (const d of r.value.decisions) state.decisions.set(key(d.sipDomain, d.serverHost), d)
      return r.error
    })
    return state.loaded
  }

  /** Stores `next`; it becomes what the store answers only once it is durable. */
  async #save(state: Loaded, next: Map<string, DomainDecision>): Promise<void> {
    await state.store.save({ version: 1, decisions: [...next.values()] })
    state.decisions = next
  }
}
