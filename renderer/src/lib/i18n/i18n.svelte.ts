import i18next, { type TOptions } from 'i18next'
import { reasonText, type ReasonLike, type ReasonText } from '../../../../shared/reasons'
import en from './en.json'
import zhCN from './zh-CN.json'

/** Languages the UI ships; the first is the fallback. */
export const languages = ['en', 'zh-CN'] as const

/** A language the UI ships. */
export type Language = (typeof languages)[number]

const storageKey = 'trustline.language'

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value)
}

function readStored(): Language | null {
  try {
    const stored = localStorage.getItem(storageKey)
    return isLanguage(stored) ? stored : null
  } catch {
    return null
  }
}

function fromNavigator(): Language {
  const wanted = typeof navigator === 'undefined' ? [] : navigator.languages
  return wanted.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en'
}

/** Translations kept per language; more are rarely distinct strings on one screen. */
const maxMemo = 5000

/**
 * The memo key of a `t()` call: language, key and every option, or null when an option is not a
 * plain value (an object, a function): such calls are not memoised.
 */
function memoKey(language: string, key: string, options: TOptions | undefined): string | null {
  let out = `${language}\u0000${key}`
  if (!options) return out
  for (const [name, value] of Object.entries(options)) {
    const type = typeof value
    if (type !== 'string' && type !== 'number' && type !== 'boolean' && value !== undefined)
      return null
    out += `\u0000${name}=${type[0]}${String(value)}`
  }
  return out
}

/**
 * i18next behind a rune: `t()` reads `language`, so every template that translates re-renders
 * when the language changes, without stores or a context.
 *
 * Results are memoised per language: a presence storm re-renders hundreds of contact rows per
 * frame, each asking for the same few strings ("Remove Bob", "last update 10:42"), and one
 * interpolating i18next call costs a tenth of a millisecond or more — a third of the page's
 * script during a storm. The resources are bundled and never change at run time, so the same
 * call always gives the same string.
 */
class I18n {
  language = $state<Language>('en')
  readonly #memo = new Map<string, string>()

  constructor() {
    const initial = readStored() ?? fromNavigator()
    // initAsync: false — the resources are bundled, so init is synchronous and the first render
    // already has its strings.
    void i18next.init({
      lng: initial,
      fallbackLng: 'en',
      supportedLngs: [...languages],
      initAsync: false,
      interpolation: { escapeValue: false },
      resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } }
    })
    this.language = initial
    this.#applyToDocument()
  }

  /** Translates `key`; Svelte escapes the result, so interpolation escaping is off. */
  t = (key: string, options?: TOptions): string => {
    // Reading the rune makes callers depend on the language.
    const memo = memoKey(this.language, key, options)
    const hit = memo === null ? undefined : this.#memo.get(memo)
    if (hit !== undefined) return hit
    const text = i18next.t<string, TOptions, string>(key, options ?? {})
    if (memo !== null) {
      if (this.#memo.size >= maxMemo) this.#memo.clear()
      this.#memo.set(memo, text)
    }
    return text
  }

  /** True when `key` has a translation in the current language (not only in the fallback). */
  has = (key: string): boolean => {
    void this.language
    return i18next.getResource(this.language, 'translation', key) !== undefined
  }

  /** Switches the language, remembers it, and updates `<html lang>` for screen readers. */
  setLanguage(language: Language): void {
    void i18next.changeLanguage(language)
    this.#memo.clear()
    this.language = language
    try {
      localStorage.setItem(storageKey, language)
    } catch {
      // Storage can be unavailable (private mode); the choice then lasts for this session.
    }
    this.#applyToDocument()
  }

  #applyToDocument(): void {
    if (typeof document !== 'undefined') document.documentElement.lang = this.language
  }
}

/** The i18n singleton. */
export const i18n = new I18n()

/** Shorthand for `i18n.t`. */
export const t = i18n.t

/**
 * The sentences of a trust finding in the current language, from its code and facts (the core
 * sends no sentence). Reading `i18n.language` makes callers re-render when it changes.
 */
export function reasonWords(reason: ReasonLike): ReasonText {
  return reasonText(reason, i18n.language)
}

/**
 * The translation of a code under `prefix` (an extension's, a key usage's name), or the code
 * itself where there is none: OIDs and names TrustLine does not know are shown as they are.
 */
export function named(prefix: string, code: string): string {
  return i18n.has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code
}
