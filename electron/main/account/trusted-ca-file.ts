import { X509Certificate } from 'node:crypto'
import { IpcFailure } from '../../../shared/ipc/result'
import { parseCertificate, pemToDer } from '../tls/chain/parse'

/** More certificates than any CA file a person picks holds (a root and a few intermediates). */
export const MAX_CAS_PER_FILE = 16

/** One CA certificate read from a file the user picked. */
export interface CaCertificate {
  der: Buffer
  /** Colon-separated upper-case hex, as certificates are shown everywhere else. */
  sha256: string
  subject: string
}

/**
 * Reads the CA certificates of a file the user picked (PEM with one or more CERTIFICATE blocks,
 * or one DER certificate) and checks that each is a CA: parseable by our engine and by Node (the
 * TLS handshake uses both) and marked a CA by basicConstraints (cA TRUE, RFC 5280 §4.2.1.9), since
 * an anchor that is not a CA vouches for nobody. Throws IpcFailure with a sentence naming the file:
 * `ca-file-invalid` (not a certificate file), `ca-file-not-ca` (a certificate that is no CA).
 */
export function readCaFile(fileName: string, bytes: Buffer): CaCertificate[] {
  const text = bytes.toString('latin1')
  let ders: Buffer[]
  if (text.includes('-----BEGIN')) {
    ders = pemToDer(text)
    if (ders.length === 0) {
      throw new IpcFailure(
        'ca-file-invalid',
        `${fileName} holds PEM data but no CERTIFICATE block (a key or a request is not a CA certificate).`
      )
    }
  } else {
    ders = [bytes]
  }
  if (ders.length > MAX_CAS_PER_FILE) {
    throw new IpcFailure(
      'ca-file-invalid',
      `${fileName} holds ${ders.length} certificates; add at most ${MAX_CAS_PER_FILE} at a time.`
    )
  }
  return ders.map((der, i) => {
    const which = ders.length > 1 ? `certificate #${i + 1} in ${fileName}` : fileName
    const parsed = parseCertificate(der)
    let nodeError: string | null = null
    try {
      new X509Certificate(der)
    } catch (error) {
      nodeError = error instanceof Error ? error.message : String(error)
    }
    if (!parsed.ok || nodeError !== null) {
      const why = parsed.ok ? nodeError : parsed.failure.error
      throw new IpcFailure(
        'ca-file-invalid',
        `${which} is not a readable X.509 certificate in PEM or DER form (${why}).`
      )
    }
    const cert = parsed.cert
    if (cert.basicConstraints?.ca !== true) {
      throw new IpcFailure(
        'ca-file-not-ca',
        `${which} (${cert.subject.text}) is not a CA certificate: its basicConstraints do not say cA. Add the certificate of the authority that issued the server's certificate instead.`
      )
    }
    return { der: cert.der, sha256: cert.sha256, subject: cert.subject.text }
  })
}
