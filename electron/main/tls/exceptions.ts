import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'
import { IpcFailure } from '../../../shared/ipc/result'
import type { TrustReport } from '../../../shared/types/trust'
import {
  trustExceptionEntrySchema,
  type TrustExceptionEntry
} from '../../../shared/types/trust-settings'

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
  #loaded = false
  /** Set when the file was unreadable and moved aside; shown once to the user. */
  loadProblem: string | null = null

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date()
  ) {}

  /** Reads the file; a corrupt file is kept as `<file>.bad` and the store starts empty. */
  async load(): Promise<void> {
    this.#loaded = true
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
      throw e
    }
    try {
      const parsed = fileSchema.parse(JSON.parse(text))
      this.#entries = new Map(parsed.exceptions.map((x) => [key(x.host, x.port), x]))
    } catch (e) {
      const aside = `${this.file}.bad`
      await rename(this.file, aside)
      this.#entries = new Map()
      this.loadProblem = `The trust exceptions file ${this.file} was unreadable (${(e as Error).message.split('\n')[0]}); it was moved to ${aside} and no exceptions are active.`
    }
  }

  async #ensure(): Promise<void> {
    if (!this.#loaded) await this.load()
  }

  async #save(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true })
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`
    const body: z.infer<typeof fileSchema> = { version: 1, exceptions: [...this.#entries.values()] }
    await writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 })
    // rename is atomic on one file system, so a crash leaves either the old or the new file.
    await rename(tmp, this.file)
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
    this.#entries.set(key(request.host, request.port), entry)
    await this.#save()
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
    const had = this.#entries.delete(key(host, port))
    if (had) await this.#save()
    return had
  }
}
