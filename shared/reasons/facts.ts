import type { ReasonParams } from '../types/trust'

/** Languages the reason catalog speaks (the UI's languages; the CLI and text report use 'en'). */
export type ReasonLanguage = 'en' | 'zh-CN'

/** The three sentences of one finding, for three audiences. */
export interface ReasonText {
  /** A few words naming the problem (a heading). */
  title: string
  /** One plain sentence for the end user, with the facts (names, dates) filled in. */
  summary: string
  /** What the helpdesk or the server administrator should do about it. */
  remedy: string
}

/** Reads a finding's facts and renders dates, durations and lists for one language. */
export interface Facts {
  /** A text fact, or undefined. */
  s(name: string): string | undefined
  /** A number fact, or undefined. */
  n(name: string): number | undefined
  /** A list fact (a lone string counts as a one-item list). */
  list(name: string): string[]
  /** How many items the list fact had before a report cut it (see fitReasonParams). */
  count(name: string): number
  /** A date fact (ISO 8601) as a long date in this language, UTC; undefined when absent. */
  date(name: string): string | undefined
  /**
   * How far the date fact `name` lies from the evaluation time `at`, in whole days, signed:
   * negative in the past. Undefined when either is absent.
   */
  daysFrom(name: string, at?: string): number | undefined
}

const longDates: Record<ReasonLanguage, Intl.DateTimeFormat> = {
  en: new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC'
  }),
  'zh-CN': new Intl.DateTimeFormat('zh-CN', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC'
  })
}

const dayMs = 86_400_000

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d
}

/** The facts of `params` as one language reads them. */
export function factsOf(params: ReasonParams, language: ReasonLanguage): Facts {
  const list = (name: string): string[] => {
    const v = params[name]
    return Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? [v] : []
  }
  return {
    s: (name) => {
      const v = params[name]
      return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined
    },
    n: (name) => {
      const v = params[name]
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined
    },
    list,
    count: (name) => {
      const total = params[`${name}Total`]
      const shown = list(name).length
      return typeof total === 'number' && total > shown ? total : shown
    },
    date: (name) => {
      const d = parseDate(params[name])
      return d ? longDates[language].format(d) : undefined
    },
    daysFrom: (name, at = 'at') => {
      const d = parseDate(params[name])
      const now = parseDate(params[at])
      if (!d || !now) return undefined
      const days = (d.getTime() - now.getTime()) / dayMs
      // Half days round away from today in both directions ("4.5 days ago" reads as 5).
      return Math.sign(days) * Math.round(Math.abs(days))
    }
  }
}
