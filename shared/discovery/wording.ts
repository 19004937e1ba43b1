import type { DiscoveryResult, DiscoveryStep } from '../types/connection'

/** Languages a discovery step is worded in (the UI's languages). */
export type DiscoveryLanguage = 'en' | 'zh-CN'

/** One look-up in words: what was asked (`SRV _sips._tcp.example.org`) and what came back. */
export interface StepWords {
  query: string
  answer: string
}

interface Words {
  configured: string
  separator: string
  srv: (r: { target: string; port: number; priority: number; weight: number }) => string
  noRecord: string
  noTlsService: string
  dnsUnreachable: (code: string) => string
  dnsError: (code: string) => string
}

// Record types, names, addresses and codes stay as DNS has them, in every language.
const words: Record<DiscoveryLanguage, Words> = {
  en: {
    configured: 'configured server',
    separator: ', ',
    srv: (r) => `${r.target}:${r.port} (priority ${r.priority}, weight ${r.weight})`,
    noRecord: 'no record',
    noTlsService: 'no TLS service',
    dnsUnreachable: (code) => `DNS server did not answer (${code})`,
    dnsError: (code) => code
  },
  'zh-CN': {
    configured: '已配置的服务器',
    separator: '，',
    srv: (r) => `${r.target}:${r.port}（优先级 ${r.priority}，权重 ${r.weight}）`,
    noRecord: '无记录',
    noTlsService: '没有基于 TLS 的 SIP 服务',
    dnsUnreachable: (code) => `DNS 服务器没有应答（${code}）`,
    dnsError: (code) => `DNS 错误：${code}`
  }
}

function answer(r: DiscoveryResult, w: Words): string {
  switch (r.type) {
    case 'configured':
      return `${r.host}:${r.port}`
    case 'naptr':
      return r.records.map((n) => `${n.service} → ${n.replacement}`).join(w.separator)
    case 'srv':
      return r.records.map(w.srv).join(w.separator)
    case 'addresses':
      return r.addresses.join(w.separator)
    case 'no-record':
      return w.noRecord
    case 'no-tls-service':
      return w.noTlsService
    case 'dns-unreachable':
      return w.dnsUnreachable(r.code)
    case 'dns-error':
      return w.dnsError(r.code)
  }
}

/**
 * One discovery step in words, from its data: the connection panel and the federation report
 * in the UI's language, the text report, the CLI and log lines in English
 * (`SRV _sips._tcp.example.org` → `sip.example.org:5061 (priority 0, weight 10)`).
 */
export function describeStep(step: DiscoveryStep, language: DiscoveryLanguage = 'en'): StepWords {
  const w = words[language]
  return {
    query: step.kind === 'configured' ? w.configured : `${step.kind.toUpperCase()} ${step.name}`,
    answer: answer(step.result, w)
  }
}
