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

/**
 * i18next behind a rune: `t()` reads `language`, so every template that translates re-renders
 * when the language changes, without stores or a context.
 */
class I18n {
  language = $state<Language>('en')

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
    void this.language
    return i18next.t<string, TOptions, string>(key, options ?? {})
  }

  /** True when `key` has a translation in the current language (not only in the fallback). */
  has = (key: string): boolean => {
    void this.language
    return i18next.getResource(this.language, 'translation', key) !== undefined
  }

  /** Switches the language, remembers it, and updates `<html lang>` for screen readers. */
  setLanguage(language: Language): void {
    void i18next.changeLanguage(language)
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
