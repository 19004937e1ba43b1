import { readCertificateFile, type CertificateUpload } from './certificate-file'

/**
 * The certificate file a form's file input holds: read when chosen, too big for the contract
 * marked as such. A submit waits for `settled()`, so a click right after choosing a file never
 * goes without it.
 */
export class CertificateChoice {
  file = $state.raw<CertificateUpload | null>(null)
  tooBig = $state(false)
  #reading: Promise<void> = Promise.resolve()

  /** The input's change handler. */
  readonly choose = (event: Event): Promise<void> => {
    const picked = (event.currentTarget as HTMLInputElement).files?.[0]
    this.file = null
    this.tooBig = false
    if (!picked) return this.#reading
    this.#reading = readCertificateFile(picked).then(
      (read) => {
        this.file = read
        this.tooBig = read === null
      },
      () => {
        this.file = null
      }
    )
    return this.#reading
  }

  /** Resolves once the file chosen last has been read. */
  settled(): Promise<void> {
    return this.#reading
  }
}
