// Web addresses in message text. Only https links are made clickable, the ones the desktop app's
// window-open handler (electron/main/security.ts) hands to the system browser; anything else
// stays plain text. The body itself is never parsed as HTML.

import { isSafeExternalUrl } from '../../../shared/links/external-url'

/** A piece of a message: plain text, or an https link. */
export type TextSegment = { text: string } | { url: string }

const candidate = /https:\/\/[^\s<>"]+/gi

/** Punctuation that ends a sentence rather than the address ("see https://x.org/a."). */
const trailing = /[.,;:!?'’”»]+$/

/** Drops a closing bracket that has no opening one inside the address: "(https://x.org/a)". */
function balanced(url: string): string {
  for (const [open, close] of [
    ['(', ')'],
    ['[', ']']
  ] as const) {
    while (url.endsWith(close) && url.split(open).length < url.split(close).length)
      url = url.slice(0, -1).replace(trailing, '')
  }
  return url
}

/** Splits text into plain pieces and https links, in order; joined back they are the text. */
export function linkSegments(text: string): TextSegment[] {
  const out: TextSegment[] = []
  let at = 0
  for (const match of text.matchAll(candidate)) {
    const url = balanced(match[0].replace(trailing, ''))
    if (!isSafeExternalUrl(url)) continue
    if (match.index > at) out.push({ text: text.slice(at, match.index) })
    out.push({ url })
    at = match.index + url.length
  }
  if (at < text.length) out.push({ text: text.slice(at) })
  return out
}
