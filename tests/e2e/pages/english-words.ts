import type { Page } from '@playwright/test'

/**
 * Words that may stand in a Chinese screen as they are: product and protocol names, algorithm
 * and field names shown verbatim, and the lab's own data (its certificates' subjects and the
 * contacts' display names the specs type). Everything else in Latin letters is English that
 * reached a zh-CN screen.
 */
export const allowedWords = new Set(
  [
    // Products and platforms
    'TrustLine',
    'Electron',
    'Node',
    'OpenSSL',
    'BoringSSL',
    'Chromium',
    'GNOME',
    'Keyring',
    'KWallet',
    'linux',
    'Linux',
    'Windows',
    'macOS',
    // Protocols, standards and their record types
    'SIP',
    'SIPS',
    'TLS',
    'TLSv',
    'TCP',
    'UDP',
    'DNS',
    'SRV',
    'NAPTR',
    'A',
    'AAAA',
    'HTTP',
    'HTTPS',
    'OCSP',
    'CRL',
    'CA',
    'AA',
    'PEM',
    'DER',
    'JSON',
    'SHA',
    'SNI',
    'SPKI',
    'URI',
    'IP',
    'ID',
    'OID',
    'SCT',
    'RFC',
    'UTC',
    'MESSAGE',
    'REGISTER',
    'SUBSCRIBE',
    'NOTIFY',
    'PUBLISH',
    'OPTIONS',
    // The status line's reason phrase, as in "200 OK"
    'OK',
    'Call-ID',
    'CSeq',
    'WebSocket',
    'WSS',
    'DV',
    'OV',
    'IV',
    'EV',
    // "IT 部门" is how Chinese names the IT department; policy keys are file syntax
    'IT',
    'trustedCaFiles',
    'allowTrustExceptions',
    'allowedSipDomains',
    // Keys as their caps name them ("按 Enter 打开")
    'Enter',
    'Delete',
    'Tab',
    'Esc',
    'Shift',
    // X.509 field names as RFC 5280 spells them, for the administrator who edits them
    'subjectAltName',
    'basicConstraints',
    'keyUsage',
    'extendedKeyUsage',
    'nameConstraints',
    'anyPolicy',
    // Extended key usages as RFC 5280 names them, and OpenSSL's "TLS Web … Authentication"
    'serverAuth',
    'clientAuth',
    'Web',
    // Key and signature algorithms, shown as the certificate names them
    'RSA',
    'RSA-PSS',
    'EC',
    'Ed25519',
    'Ed448',
    'DSA',
    'ecdsa-with-SHA256',
    'ecdsa-with-SHA384',
    'sha256WithRSAEncryption',
    // The lab: certificate subjects and the people the specs chat with
    'Lab',
    'Root',
    'Intermediate',
    'Client',
    'Edge',
    'Public',
    'Trust',
    'Rogue',
    'Unknown',
    'Not',
    'Alice',
    'Bob',
    'Carol',
    'Dave'
  ].map((w) => w.toLowerCase())
)

/**
 * Text that is not the UI's own words and is left out of the walk: messages and notes people
 * typed, and the sign-in failure's reason line (the core's own text for failures that are not
 * trust findings yet, such as a refused connection).
 */
export const notUiText = [
  '[data-testid="message-body"]',
  '.note',
  '[data-testid="signin-failure-reason"]'
]

/** One piece of English found on screen, with where it was. */
export interface EnglishWord {
  word: string
  text: string
  where: string
}

/**
 * Every word in Latin letters the user can see (text, accessible names, placeholders, option
 * labels) that is neither verbatim data nor allowed. Verbatim: text inside translate="no",
 * anything in another language's `lang`, and tokens with digits, dots, colons, slashes, `@`,
 * `=` or `_` (host names, addresses, URIs, OIDs, hex, DN parts, cipher names).
 */
export async function englishOnScreen(page: Page): Promise<EnglishWord[]> {
  // Runs in the page: a string, because this (Node) project has no DOM types.
  const found = await page.evaluate<{ text: string; where: string }[]>(`(() => {
    const skip = ${JSON.stringify(notUiText)}
    const out = []
    const skipped = (el) =>
      !el ||
      el.closest('[translate="no"], script, style') !== null ||
      skip.some((s) => el.closest(s) !== null) ||
      (el.closest('[lang]')?.getAttribute('lang') ?? 'zh-CN') !== 'zh-CN'
    const where = (el) => {
      const id = el.closest('[data-testid]')?.getAttribute('data-testid')
      return el.tagName.toLowerCase() + (id ? ' in ' + id : '')
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement
      const text = node.textContent?.trim() ?? ''
      if (!text || !el || skipped(el)) continue
      // Options of a closed select are what the user sees on opening it: they count.
      if (el.tagName === 'OPTION' || el.checkVisibility({ visibilityProperty: true }))
        out.push({ text, where: where(el) })
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      if (skipped(el) || !el.checkVisibility({ visibilityProperty: true })) continue
      for (const attr of ['aria-label', 'placeholder', 'title']) {
        const text = el.getAttribute(attr)
        if (text) out.push({ text, where: where(el) + ' @' + attr })
      }
    }
    return out
  })()`)
  const words: EnglishWord[] = []
  for (const { text, where } of found) {
    for (const token of text.split(/[\s\u3000-\u303f\uff00-\uffef,;()[\]{}"'“”‘’«»…·→←✓✗|!?]+/)) {
      if (!/[A-Za-z]/.test(token)) continue
      if (/[\d.:/@=_\\]/.test(token)) continue
      const word = token.replace(/^[-–—*#]+|[-–—*#]+$/g, '')
      if (word && !allowedWords.has(word.toLowerCase())) words.push({ word, text, where })
    }
  }
  return words
}
