import type { CertificateDetails } from '../../../shared/types/trust'

/**
 * What a certificate viewer shows for a chain: the checked path, then anything that was
 * presented but not used in it (each certificate once).
 */
export function viewerCertificates(
  built: CertificateDetails[],
  presented: CertificateDetails[]
): CertificateDetails[] {
  const inPath = built.map((c) => c.sha256)
  const extra = presented.filter(
    (c, i) => !inPath.includes(c.sha256) && presented.findIndex((o) => o.sha256 === c.sha256) === i
  )
  return [...built, ...extra]
}
