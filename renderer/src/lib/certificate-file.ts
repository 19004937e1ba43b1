import type { SignInRequest } from '../../../shared/types/sip'

/** A client certificate file as the contract carries it (sign-in and the federation check). */
export type CertificateUpload = NonNullable<SignInRequest['clientCertificate']>

/** The contract carries the certificate file's bytes as base64, at most 200 000 characters. */
const maxCertificateBase64 = 200_000

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/**
 * Reads a certificate file the user picked: PKCS#12 by its extension (.p12, .pfx), PEM
 * otherwise. Null when it is too big for the contract.
 */
export async function readCertificateFile(file: File): Promise<CertificateUpload | null> {
  const dataBase64 = toBase64(new Uint8Array(await file.arrayBuffer()))
  if (dataBase64.length > maxCertificateBase64) return null
  return {
    fileName: file.name,
    format: /\.(p12|pfx)$/i.test(file.name) ? 'pkcs12' : 'pem',
    dataBase64
  }
}
