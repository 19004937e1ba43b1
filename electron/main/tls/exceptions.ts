import { z } from 'zod'
import { IpcFailure } from '../../../shared/ipc/result'
import type { TrustReport } from '../../../shared/types/trust'
import {
  trustExceptionEntrySchema,
  type TrustExceptionEntry
} from '../../../shared/types/trust-settings'
import type { Storage } from '../storage/durable'
import { JsonStore, salvageList } from '../storage/json-store'

const fileSchema = z.object({
  version: z.literal(1),
  exceptions: z.array(trustExceptionEntrySchema)
})

/** The certificate a report offered for acceptance at one host:port. */
interface Offer {
  sha256: string
  subject: string
  /** The report said the leaf is revoked: such a certificate is never accepted. */
  revoked: boolean
}

function key(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`
}

/**
 * Trusted exceptions: exactly one leaf certificate (SHA-256) for one host:port, persisted as JSON.
 *
 * A certificate can only be accepted after a report showed it for that host:port (`offer`), and the
 * confirm call must repeat its fingerprint, so a stale UI cannot accept a different certificate.
 * There is no wildcard and no trust-all.
 */
export class ExceptionStore {
  #entries = new Map<string, TrustExceptionEntry>()
  readonly #offers = new Map<string, Offer>()
  #loaded: Promise<void> | null = null
  readonly #store: JsonStore<typeof fileSchema>
  /** Set when the file was damaged and moved aside (the user also gets a notice). */
  loadProblem: string | null = null

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
    storage?: Partial<Storage>
  ) {
    this.#store = new JsonStore(file, fileSchema, () => ({ version: 1 as const, exceptions: [] }), {
      file: 'trust-exceptions',
      salvage: salvageList('exceptions', trustExceptionEntrySchema, (exceptions) => ({
        version: 1 as const,
        exceptions
      })),
      ...(storage ? { storage } : {})
    })
  }

  /**
   * Reads the file (once). A damaged file is moved aside under a new name by the JSON store, the
   * valid exceptions in it kept, and reported.
   */
  load(): Promise<void> {
    this.#loaded ??= this.#store.load().then((r) => {
      this.#entries = new Map(r.value.exceptions.map((x) => [key(x.host, x.port), x]))
      this.loadProblem = r.error ?? null
    })
    return this.#loaded
  }

  async #ensure(): Promise<void> {
    await this.load()
  }

  /** Stores `next` durably; only then is it what the store answers. */
  async #save(next: Map<string, TrustExceptionEntry>): Promise<void> {
    await this.#store.save({ version: 1, exceptions: [...next.values()] })
    this.#entries = next
  }

  /** The stored exception for host:port, if any. */
  async find(host: string, port: number): Promise<TrustExceptionEntry | null> {
    await this.#ensure()
    return this.#entries.get(key(host, port)) ?? null
  }

  /** Remembers which leaf a report showed for host:port, the only one `accept` will take. */
  offer(report: TrustReport): void {
    const leaf = report.sentChain[0] ?? report.builtChain[0]
    if (!leaf) return
    this.#offers.set(key(report.host, report.port), {
      sha256: leaf.sha256,
      subject: leaf.subject,
      revoked: report.reasons.some((r) => r.code === 'revoked')
    })
  }

  /**
   * Accepts the certificate last shown for host:port; `sha256` must repeat its fingerprint.
   * Throws IpcFailure 'no-offer', 'fingerprint-mismatch' or 'revoked'.
   */
  async accept(request: {
    host: string
    port: number
    sha256: string
    confirm?: true
  }): Promise<TrustExceptionEntry> {
    await this.#ensure()
    const offer = this.#offers.get(key(request.host, request.port))
    if (!offer) {
      throw new IpcFailure(
        'no-offer',
        `No certificate from ${request.host}:${request.port} has been checked in this session; check the server again before accepting.`
      )
    }
    if (offer.sha256 !== request.sha256.toUpperCase()) {
      throw new IpcFailure(
        'fingerprint-mismatch',
        `The fingerprint to accept does not match the certificate ${request.host}:${request.port} presented (${offer.sha256}); the server may have changed its certificate. Check again.`
      )
    }
    if (offer.revoked) {
      throw new IpcFailure(
        'revoked',
        'This certificate has been revoked by its issuer and cannot be accepted as an exception.'
      )
    }
    const entry: TrustExceptionEntry = {
      host: request.host.toLowerCase(),
      port: request.port,
      sha256: offer.sha256,
      subject: offer.subject,
      acceptedAt: this.now().toISOString()
    }
    await this.#save(new Map(this.#entries).set(key(request.host, request.port), entry))
    return entry
  }

  /** All stored exceptions. */
  async list(): Promise<TrustExceptionEntry[]> {
    await this.#ensure()
    return [...this.#entries.values()]
  }

  /** Removes the exception for host:port; false when there was none. */
  async revoke(host: string, port: number): Promise<boolean> {
    await this.#ensure()
    const next = new Map(this.#entries)
    if (!next.delete(key(host, port))) return false
    await this.#save(next)
    return true
  }
}
