// Display helpers for X.509 distinguished names (RFC 4514 strings as the core renders them).

/** The common name of a distinguished name ('CN=a, O=b' → 'a'), or the whole DN. */
export function commonName(dn: string): string {
  return /(?:^|,\s*)CN=([^,]+)/.exec(dn)?.[1]?.trim() ?? dn
}

/** A safe file name stem from a certificate subject. */
export function fileStem(dn: string): string {
  return (
    commonName(dn)
      .replace(/[^\w.-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60) || 'certificate'
  )
}
