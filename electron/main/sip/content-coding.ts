import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib'

/**
 * Undoes the Content-Encoding of a received SIP message (RFC 3261 §20.12), at the transport,
 * before JsSIP or anything above parses it: Linphone compresses its read receipts with
 * `Content-Encoding: deflate`, and such a body is bytes, not text. A decoded message loses the
 * Content-Encoding header and gets the decoded length as Content-Length, so every layer above
 * sees it as if it had been sent plain (and the SIP log shows it so).
 *
 * `deflate` is the zlib format (RFC 1950) as HTTP uses it; raw DEFLATE (RFC 1951), which some
 * senders mean by it, is accepted too. `gzip` and `identity` are understood. A coding we do not
 * know, several codings, a body that does not decode, or one that would decode to more than
 * `maxBytes` is left as it came: the Content-Encoding header stays, and the MESSAGE handler
 * answers 415 with the codings we accept (RFC 3261 §21.4.16).
 */
export function decodeContentEncoding(
  header: string,
  body: Uint8Array,
  maxBytes: number
): { header: string; body: Uint8Array } {
  const lines = header.split('\r\n')
  const isCoding = (line: string) => /^(?:content-encoding|e)[ \t]*:/i.test(line)
  const codings = lines
    .filter(isCoding)
    .flatMap((l) => l.slice(l.indexOf(':') + 1).split(','))
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '')
  if (!codings.length) return { header, body }
  if (codings.length > 1) return { header, body }
  const decoded = decode(codings[0]!, body, maxBytes)
  if (!decoded) return { header, body }
  const rewritten = lines
    .filter((l) => !isCoding(l))
    .map((l) => (/^(?:content-length|l)[ \t]*:/i.test(l) ? `Content-Length: ${decoded.length}` : l))
  return { header: rewritten.join('\r\n'), body: decoded }
}

/** The codings the transport undoes, for an Accept-Encoding header. */
export const ACCEPTED_ENCODINGS = 'identity, deflate, gzip'

function decode(coding: string, body: Uint8Array, maxBytes: number): Uint8Array | null {
  const options = { maxOutputLength: maxBytes }
  const attempts: Array<() => Uint8Array> =
    coding === 'identity'
      ? [() => body]
      : coding === 'deflate' || coding === 'x-deflate'
        ? [() => inflateSync(body, options), () => inflateRawSync(body, options)]
        : coding === 'gzip' || coding === 'x-gzip'
          ? [() => gunzipSync(body, options)]
          : []
  for (const attempt of attempts) {
    try {
      return attempt()
    } catch {
      // Not this format, corrupt, or larger than allowed: try the next or give up.
    }
  }
  return null
}
