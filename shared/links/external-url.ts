// The one rule for web addresses that may leave the app: the desktop window hands them to the
// system browser (electron/main/security.ts) and the chat makes only them clickable
// (renderer/src/lib/links.ts).

/** Vetted external links only: https, no credentials in the URL. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' && !parsed.username && !parsed.password
  } catch {
    return false
  }
}
