import type { ClientCertificateFile } from '../../../shared/types/sip'
import type { ClientCertificateOption } from './connection-service'

/** A client certificate file from the renderer as the trust engine takes it. */
export function clientCertificateOf(
  file: ClientCertificateFile | undefined
): ClientCertificateOption | undefined {
  if (!file) return undefined
  const data = Buffer.from(file.dataBase64, 'base64')
  const passphrase = file.passphrase ? { passphrase: file.passphrase } : {}
  return file.format === 'pkcs12'
    ? { pfx: data, ...passphrase }
    : { pem: data.toString('utf8'), ...passphrase }
}
