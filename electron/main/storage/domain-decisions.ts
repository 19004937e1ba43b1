import { join } from 'node:path'
import { z } from 'zod'
import { domainDecisionSchema, type DomainDecision } from '../../../shared/types/trust-settings'
import type { Storage } from './durable'
import { JsonStore, salvageList } from './json-store'

const fileSchema = z.object({ version: z.literal(1), decisions: z.array(domainDecisionSchema) })

const key = (sipDomain: string, serverHost: string) =>
  `${sipDomain.toLowerCase()}\u0000${serverHost.toLowerCase()}`

/**
 * Remembered answers to the DNS-hijack question, per SIP domain and server. Persisted, listable,
 * forgettable; an answer is only ever for that exact pair.
 */
export class DomainDecisionStore {
  readonly #store: JsonStore<typeof fileSchema>
  #decisions = new Map<string, DomainDecision>()
  #loaded: Promise<string | undefined> | null = null

  constructor(dataDir: string, storage?: Partial<Storage>) {
    this.#store = new JsonStore(
      join(dataDir, 'domain-decisions.json'),
      fileSchema,
      () => ({ version: 1 as const, decisions: [] }),
      {
        file: 'domain-decisions',
        salvage: salvageList('decisions', domainDecisionSchema, (decisions) => ({
          version: 1 as const,
          decisions
        })),
        ...(storage ? { storage } : {})
      }
    )
  }

  /** Loads once; returns the load error, if the file was damaged (the user has a notice). */
  load(): Promise<string | undefined> {
    this.#loaded ??= this.#store.load().then((r) => {
      for (const d of r.value.decisions) this.#decisions.set(key(d.sipDomain, d.serverHost), d)
      return r.error
    })
    return this.#loaded
  }

  async get(sipDomain: string, serverHost: string): Promise<DomainDecision | undefined> {
    await this.load()
    return this.#decisions.get(key(sipDomain, serverHost))
  }

  async list(): Promise<DomainDecision[]> {
    await this.load()
    return [...this.#decisions.values()].sort((a, b) => a.sipDomain.localeCompare(b.sipDomain))
  }

  async decide(sipDomain: string, serverHost: string, allow: boolean): Promise<DomainDecision> {
    await this.load()
    const decision: DomainDecision = {
      sipDomain: sipDomain.toLowerCase(),
      serverHost: serverHost.toLowerCase(),
      allow,
      decidedAt: new Date().toISOString()
    }
    await this.#save(new Map(this.#decisions).set(key(sipDomain, serverHost), decision))
    return decision
  }

  async forget(sipDomain: string, serverHost: string): Promise<boolean> {
    await this.load()
    const next = new Map(this.#decisions)
    if (!next.delete(key(sipDomain, serverHost))) return false
    await this.#save(next)
    return true
  }

  /** Stores `next`; it becomes what the store answers only once it is durable. */
  async #save(next: Map<string, DomainDecision>): Promise<void> {
    await this.#store.save({ version: 1, decisions: [...next.values()] })
    this.#decisions = next
  }
}
