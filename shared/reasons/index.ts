import type { ReasonParams, TrustReasonCode, TrustSeverity } from '../types/trust'
import { en } from './en'
import { factsOf, type ReasonLanguage, type ReasonText } from './facts'
import { zhCN } from './zh-CN'

export type { ReasonLanguage, ReasonText } from './facts'

/** What the catalog needs of a finding: its code and its facts. */
export interface ReasonLike {
  code: TrustReasonCode
  params: ReasonParams
}

const catalogs = { en, 'zh-CN': zhCN } as const

/**
 * The sentences of one finding in one language, from its code and facts. The one place a trust
 * finding becomes words: the renderer (in the user's language), the command-line tool and the
 * text report (in English) all call it.
 */
export function reasonText(reason: ReasonLike, language: ReasonLanguage = 'en'): ReasonText {
  const wording = catalogs[language] ?? catalogs.en
  return wording[reason.code](factsOf(reason.params, language))
}

/** Severity words for the command-line tool and the text report. */
export const severityLabel: Record<TrustSeverity, string> = {
  error: 'ERROR',
  question: 'ASK',
  warning: 'WARN',
  info: 'INFO'
}
