import { afterEach, describe, expect, it } from 'vitest'
import { ipcErrorCodes } from '../../../../../shared/ipc/result'
import { presenceStateSchema, subscriptionStatusSchema } from '../../../../../shared/types/presence'
import { imStateSchema } from '../../../../../shared/types/im'
import { sessionFailureCodeSchema, sessionStatusSchema } from '../../../../../shared/types/sip'
import {
  anchorSourceSchema,
  revocationStatusSchema,
  trustReasonCodeSchema,
  trustVerdictSchema
} from '../../../../../shared/types/trust'
import en from '../../../../../renderer/src/lib/i18n/en.json'
import zhCN from '../../../../../renderer/src/lib/i18n/zh-CN.json'
import { i18n, t } from '../../../../../renderer/src/lib/i18n/i18n.svelte'

type Tree = { [key: string]: string | Tree }

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)
  )
}

// Plural forms differ per language (English one/other, Chinese other only).
const base = (key: string) => key.replace(/_(one|other)$/, '')
const enKeys = new Set(keys(en as Tree).map(base))
const zhKeys = new Set(keys(zhCN as Tree).map(base))

describe('message files', () => {
  afterEach(() => i18n.setLanguage('en'))

  it('Simplified Chinese has every English string', () => {
    expect([...enKeys].filter((k) => !zhKeys.has(k))).toEqual([])
  })

  it('Chinese extras are only the reason sentences English takes from the core', () => {
    expect(
      [...zhKeys].filter((k) => !enKeys.has(k) && !/^reasons\.(summary|remedyText)\./.test(k))
    ).toEqual([])
  })

  it.each([
    ['reasons.code', trustReasonCodeSchema.options],
    ['session.failure', sessionFailureCodeSchema.options],
    ['session.status', sessionStatusSchema.options],
    ['presence.state', presenceStateSchema.options],
    ['presence.subscription', subscriptionStatusSchema.options],
    ['chat.state', imStateSchema.options],
    ['trust.badge', [...trustVerdictSchema.options, 'not-connected']],
    ['trust.verdict', [...trustVerdictSchema.options, 'not-connected']],
    ['connection.anchorSource', anchorSourceSchema.options],
    ['connection.revocationStatus', revocationStatusSchema.options],
    ['error.code', ipcErrorCodes]
  ] as const)('%s covers every value of the contract', (prefix, values) => {
    for (const language of ['en', 'zh-CN'] as const) {
      i18n.setLanguage(language)
      const missing = values.filter((v) => !i18n.has(`${prefix}.${v}`))
      expect(missing, `${language} ${prefix}`).toEqual([])
    }
  })

  it('Chinese explains every reason code in its own words', () => {
    i18n.setLanguage('zh-CN')
    const missing = trustReasonCodeSchema.options.filter(
      (c) => !i18n.has(`reasons.summary.${c}`) || !i18n.has(`reasons.remedyText.${c}`)
    )
    expect(missing).toEqual([])
  })

  it('switches language, plural rules included', () => {
    expect(t('cert.daysLeft', { count: 1 })).toBe('1 day left')
    i18n.setLanguage('zh-CN')
    expect(t('cert.daysLeft', { count: 1 })).toBe('剩余 1 天')
    expect(document.documentElement.lang).toBe('zh-CN')
  })
})
