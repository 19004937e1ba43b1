import i18next from 'i18next'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ipcErrorCodes } from '../../../../../shared/ipc/result'
import { vaultUnavailableReasonSchema } from '../../../../../shared/types/account'
import {
  accessMethodSchema,
  crlReasonFlagSchema,
  generalNameSchema,
  knownPolicySchema
} from '../../../../../shared/types/certificate-extensions'
import { EkuOid, ExtOid, keyUsageBits } from '../../../../../electron/main/tls/chain/oids'
import { presenceStateSchema, subscriptionStatusSchema } from '../../../../../shared/types/presence'
import { imFailureCodeSchema, imStateSchema } from '../../../../../shared/types/im'
import { sessionFailureCodeSchema, sessionStatusSchema } from '../../../../../shared/types/sip'
import {
  anchorSourceSchema,
  revocationModeSchema,
  revocationStatusSchema,
  trustReasonCodeSchema,
  trustSeveritySchema,
  trustVerdictSchema
} from '../../../../../shared/types/trust'
import en from '../../../../../renderer/src/lib/i18n/en.json'
import zhCN from '../../../../../renderer/src/lib/i18n/zh-CN.json'
import { i18n, reasonWords, t } from '../../../../../renderer/src/lib/i18n/i18n.svelte'

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

  it('Chinese has no string English lacks (trust reasons live in shared/reasons for both)', () => {
    expect([...zhKeys].filter((k) => !enKeys.has(k))).toEqual([])
  })

  it.each([
    ['reasons.severity', trustSeveritySchema.options],
    ['session.failure', sessionFailureCodeSchema.options],
    ['session.status', sessionStatusSchema.options],
    ['presence.state', presenceStateSchema.options],
    ['presence.subscription', subscriptionStatusSchema.options],
    ['chat.state', imStateSchema.options],
    ['chat.failure', imFailureCodeSchema.options],
    ['trust.badge', [...trustVerdictSchema.options, 'not-connected']],
    ['trust.verdict', [...trustVerdictSchema.options, 'not-connected']],
    ['connection.anchorSource', anchorSourceSchema.options],
    ['connection.revocationStatus', revocationStatusSchema.options],
    ['connection.revocationModeName', revocationModeSchema.options],
    ['signIn.vaultReason', vaultUnavailableReasonSchema.options],
    ['error.code', ipcErrorCodes],
    ['cert.keyUsageName', keyUsageBits],
    ['cert.purposeName', Object.keys(EkuOid)],
    [
      'cert.extName',
      Object.keys(ExtOid).filter((n) => !/^(crl(Number|Reason)|issuingDist)/.test(n))
    ],
    ['cert.ext.method', accessMethodSchema.options.filter((m) => m !== 'other')],
    ['cert.ext.crlReason', crlReasonFlagSchema.options],
    ['cert.ext.policy', [...knownPolicySchema.options, 'other']],
    ['cert.sanType', generalNameSchema.shape.type.options],
    ['presence.state', presenceStateSchema.options]
  ] as const)('%s covers every value of the contract', (prefix, values) => {
    for (const language of ['en', 'zh-CN'] as const) {
      i18n.setLanguage(language)
      const missing = values.filter((v) => !i18n.has(`${prefix}.${v}`))
      expect(missing, `${language} ${prefix}`).toEqual([])
    }
  })

  it('words every reason code in both languages, with its facts', () => {
    const params = { host: 'sip.example-9.test', date: '2026-01-02T00:00:00.000Z' }
    for (const code of trustReasonCodeSchema.options) {
      i18n.setLanguage('zh-CN')
      const zh = reasonWords({ code, params })
      i18n.setLanguage('en')
      const en = reasonWords({ code, params })
      expect(zh.summary).not.toBe(en.summary)
      expect(zh.title).toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('gives each call its own string, however often the same call repeats', () => {
    const names = ['Bob', 'Carol', 'Bob', 'B{{ob}}', 'Bob']
    expect(names.map((name) => t('contacts.removeLabel', { name }))).toEqual([
      'Remove Bob',
      'Remove Carol',
      'Remove Bob',
      'Remove B{{ob}}',
      'Remove Bob'
    ])
    // Same text, other type: a number is not the string that looks like it.
    expect(t('contacts.unread', { count: 1 })).toBe('1 unread message')
    const asText = { count: '1' as unknown as number }
    expect(t('contacts.unread', asText)).toBe(i18next.t('contacts.unread', asText))
    expect(t('contacts.unread', { count: 2 })).toBe('2 unread messages')
    i18n.setLanguage('zh-CN')
    expect(t('contacts.removeLabel', { name: 'Bob' })).toBe('删除 Bob')
    i18n.setLanguage('en')
    expect(t('contacts.removeLabel', { name: 'Bob' })).toBe('Remove Bob')
    // Options that are not plain values are passed through, never remembered.
    const late = { toString: () => 'Dave' }
    expect(t('contacts.removeLabel', { name: late as unknown as string })).toBe('Remove Dave')
  })

  it('asks i18next once per distinct call while the language stays', () => {
    const spy = vi.spyOn(i18next, 't')
    try {
      for (let i = 0; i < 1000; i++) t('contacts.removeLabel', { name: `user${i % 10}` })
      expect(spy).toHaveBeenCalledTimes(10)
      i18n.setLanguage('zh-CN')
      t('contacts.removeLabel', { name: 'user1' })
      expect(spy).toHaveBeenCalledTimes(11)
    } finally {
      spy.mockRestore()
    }
  })

  it('switches language, plural rules included', () => {
    expect(t('contacts.unread', { count: 1 })).toBe('1 unread message')
    i18n.setLanguage('zh-CN')
    expect(t('contacts.unread', { count: 1 })).toBe('1 条未读消息')
    expect(document.documentElement.lang).toBe('zh-CN')
  })
})
