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

/** A file's bytes as base64, or null when that is longer than the contract carries. */
export async function fileBase64(file: File): Promise<string | null> {
  const dataBase64 = toBase64(new Uint8Array(await file.arrayBuffer()))
  return dataBase64.length > maxCertificateBase64 ? null : dataBase64
}

/**
 * Reads a certificate file the user picked: PKCS#12 by its extension (.p12, .pfx), PEM
 * otherwise. Null when it is too big for the contract.
 */
export async function readCertificateFile(file: File): Promise<CertificateUpload | null> {
  const dataBase64 = await fileBase64(file)
  if (dataBase64 === null) return null
  return {
    fileName: file.name,
    format: /\.(p12|pfx)$/i.test(file.name) ? 'pkcs12' : 'pem',
    dataBase64
  }
}
