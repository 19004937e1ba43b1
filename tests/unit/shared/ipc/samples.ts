import type {
  EventName,
  InvokeName,
  PayloadOf,
  RequestOf,
  ResponseOf
} from '../../../../shared/ipc/contract'
import {
  sampleContact,
  sampleFederationReport,
  sampleMessage,
  sampleReport,
  sampleSession
} from '../../../fixtures/sample-dtos'

const fp = Array.from({ length: 32 }, () => 'AB').join(':')
const exception = {
  host: 'sip.example.org',
  port: 5061,
  sha256: fp,
  subject: 'CN=sip.example.org',
  acceptedAt: '2026-01-01T00:00:00.000Z'
}
const sampleProfile = { aor: 'sip:alice@example.org', displayName: 'Alice Example' }
const sampleCaList = {
  aor: 'sip:alice@example.org',
  cas: [
    {
      sha256: fp,
      subject: 'CN=Example Corp Root CA, O=Example Corp',
      fileName: 'corp-root.pem',
      addedAt: '2026-01-01T00:00:00.000Z'
    }
  ],
  locked: null
}
const sampleConnection = {
  attemptId: 'a1b2c3d4e5f60718',
  sipDomain: 'example.org',
  server: {
    host: 'sip.provider.net',
    port: 5061,
    address: '192.0.2.1',
    source: 'srv' as const,
    via: '_sips._tcp.example.org'
  },
  transport: 'tls' as const,
  trace: [
    {
      kind: 'srv' as const,
      name: '_sips._tcp.example.org',
      result: {
        type: 'srv' as const,
        records: [{ target: 'sip.provider.net', port: 5061, priority: 0, weight: 10 }]
      },
      ok: true
    },
    {
      kind: 'a' as const,
      name: 'sip.provider.net',
      result: { type: 'addresses' as const, addresses: ['192.0.2.1'] },
      ok: true
    }
  ],
  question: {
    sipDomain: 'example.org',
    serverHost: 'sip.provider.net',
    port: 5061,
    certificateNames: ['DNS:sip.provider.net']
  }
}
const locked = <T>(value: T) => ({
  value,
  locked: true,
  lockedBy: '/etc/trustline/policy.json',
  origin: 'policy' as const
})
const samplePolicy = {
  status: 'active' as const,
  source: '/etc/trustline/policy.json',
  error: null,
  settings: {
    server: locked({ host: 'sip.example.org', port: 5061 }),
    sipDomain: locked('example.org'),
    trustedCaFiles: locked(['/etc/trustline/corp-ca.pem']),
    revocation: locked('hard-fail' as const),
    allowTrustExceptions: locked(false),
    allowedSipDomains: { value: null, locked: false, lockedBy: null, origin: 'default' as const },
    sendReadReceipts: { value: false, locked: false, lockedBy: null, origin: 'user' as const }
  }
}
const sampleLogEntry = {
  id: 1,
  at: '2026-01-01T00:00:00.000Z',
  direction: 'out' as const,
  startLine: 'REGISTER sip:example.org SIP/2.0',
  method: 'REGISTER',
  status: null,
  callId: 'abc@host',
  cseq: '1 REGISTER',
  headers: [{ name: 'Authorization', value: 'Digest username="alice", response="[redacted]"' }],
  body: '',
  bodyRedacted: false
}
const sampleNotice = {
  id: 'n1',
  at: '2026-01-01T00:00:00.000Z',
  count: 1,
  code: 'file-damaged' as const,
  params: {
    file: 'contacts' as const,
    path: '/home/alice/.config/TrustLine/contacts.json',
    damage: 'not-json' as const,
    backupPath: '/home/alice/.config/TrustLine/contacts.json.damaged-2026-01-01T00-00-00-000Z',
    kept: 0,
    detail: 'Unexpected end of JSON input'
  }
}
const profileNotices = [
  {
    id: 'n2',
    at: '2026-01-01T00:00:00.000Z',
    count: 1,
    code: 'profile-migrated' as const,
    params: {
      aor: 'sip:alice@example.org',
      path: '/home/alice/.config/TrustLine/profiles/alice@example.org',
      detail: 'moved contacts.json, history, account.json from /home/alice/.config/TrustLine'
    }
  },
  {
    id: 'n3',
    at: '2026-01-01T00:00:00.000Z',
    count: 1,
    code: 'profile-unclaimed' as const,
    params: { path: '/home/alice/.config/TrustLine/profiles/migrated', detail: 'moved history' }
  },
  {
    id: 'n4',
    at: '2026-01-01T00:00:00.000Z',
    count: 1,
    code: 'profile-claimed' as const,
    params: {
      aor: 'sip:alice@example.org',
      path: '/home/alice/.config/TrustLine/profiles/alice@example.org',
      detail: 'renamed migrated'
    }
  }
]
const decision = {
  sipDomain: 'example.org',
  serverHost: 'sip.provider.net',
  allow: true,
  decidedAt: '2026-01-01T00:00:00.000Z'
}

/**
 * One valid sample per channel. Typed against the contract, so adding a channel without a sample
 * fails `tsc`, and the round-trip test covers every channel.
 */
export const invokeSamples: {
  [K in InvokeName]: { request: RequestOf<K>; response: ResponseOf<K> }
} = {
  'connection:get': { request: undefined, response: sampleConnection },
  'account:get-saved': {
    request: undefined,
    response: {
      account: { aor: 'sip:alice@example.org', hasSavedPassword: false },
      vault: { available: false, reason: 'plain-text' as const }
    }
  },
  'account:sign-in-saved': { request: { aor: 'sip:alice@example.org' }, response: sampleSession },
  'account:forget': { request: undefined, response: { forgotten: true } },
  'profile:get': { request: undefined, response: sampleProfile },
  'profile:list-cas': {
    request: undefined,
    response: {
      ...sampleCaList,
      locked: { reason: 'policy-forbids-exceptions' as const, by: '/etc/trustline/policy.json' }
    }
  },
  'profile:add-ca': {
    request: { fileName: 'corp-root.pem', dataBase64: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' },
    response: sampleCaList
  },
  'profile:remove-ca': { request: { sha256: fp }, response: { ...sampleCaList, cas: [] } },
  'policy:get': { request: undefined, response: samplePolicy },
  'sip:get-log': { request: undefined, response: [sampleLogEntry] },
  'sip:clear-log': { request: undefined, response: { cleared: true } },
  'policy:reload': { request: undefined, response: samplePolicy },
  'policy:set': { request: { sendReadReceipts: false }, response: samplePolicy },
  'app:get-info': {
    request: undefined,
    response: {
      name: 'TrustLine',
      version: '1.2.3',
      platform: 'linux',
      arch: 'x64',
      host: 'browser',
      nodeVersion: '24.0.0',
      electronVersion: null,
      tlsLibrary: 'OpenSSL 3',
      startedAt: '2026-01-01T00:00:00.000Z'
    }
  },
  'app:list-notices': { request: undefined, response: [sampleNotice, ...profileNotices] },
  'app:dismiss-notice': { request: { id: 'n1' }, response: { dismissed: true } },
  'trust:get-report': { request: undefined, response: sampleReport },
  'federation:check': {
    request: {
      partnerDomain: 'example.org',
      clientCertificate: {
        fileName: 'edge.p12',
        format: 'pkcs12' as const,
        dataBase64: 'MIIB',
        passphrase: 'secret'
      },
      server: { host: 'sip.example.org', port: 5061 },
      revocation: 'hard-fail' as const
    },
    response: sampleFederationReport
  },
  'trust:check-server': {
    request: {
      host: '192.0.2.10',
      port: 5061,
      sipDomain: 'example.org',
      servername: 'sip.example.org',
      clientCertificate: {
        fileName: 'alice.p12',
        format: 'pkcs12',
        dataBase64: 'MIIB',
        passphrase: 'secret'
      },
      revocation: 'soft-fail'
    },
    response: sampleReport
  },
  'trust:accept-exception': {
    request: { host: 'sip.example.org', port: 5061, sha256: fp, confirm: true },
    response: exception
  },
  'trust:list-exceptions': { request: undefined, response: [exception] },
  'trust:revoke-exception': {
    request: { host: 'sip.example.org', port: 5061 },
    response: { revoked: true }
  },
  'trust:list-domain-decisions': { request: undefined, response: [decision] },
  'trust:decide-domain': {
    request: { sipDomain: 'example.org', serverHost: 'sip.provider.net', allow: true },
    response: decision
  },
  'trust:forget-domain-decision': {
    request: { sipDomain: 'example.org', serverHost: 'sip.provider.net' },
    response: { forgotten: true }
  },
  'trust:export-report': {
    request: { format: 'json', source: 'server-check' },
    response: { filename: 'trustline-report.json', mime: 'application/json', content: '{}' }
  },
  'session:sign-in': {
    request: {
      aor: 'sip:alice@example.org',
      password: 'secret',
      server: { host: 'sip.example.org', port: 5061 },
      transport: 'tls',
      clientCertificate: {
        fileName: 'alice.p12',
        format: 'pkcs12',
        dataBase64: 'MIIB',
        passphrase: 'x'
      },
      remember: true
    },
    response: sampleSession
  },
  'session:sign-out': { request: undefined, response: { status: 'signed-out' } },
  'session:get-state': { request: undefined, response: sampleSession },
  'presence:set': {
    request: { state: 'busy', note: 'In a call' },
    response: { state: 'busy', note: 'In a call' }
  },
  'presence:get': { request: undefined, response: { state: 'available' } },
  'contacts:list': { request: undefined, response: [sampleContact] },
  'contacts:add': {
    request: { uri: 'sip:bob@example.org', displayName: 'Bob' },
    response: sampleContact
  },
  'contacts:remove': { request: { uri: 'sip:bob@example.org' }, response: { removed: true } },
  'im:send': {
    request: { to: 'sip:bob@example.org', body: 'héllo 你好' },
    response: sampleMessage
  },
  'im:history': {
    request: { conversation: 'sip:bob@example.org', limit: 50, before: 'm-51' },
    response: {
      conversation: 'sip:bob@example.org',
      messages: [sampleMessage],
      unread: 0,
      recoveredTornLine: false,
      hasOlder: false
    }
  },
  'im:list-conversations': {
    request: undefined,
    response: [
      { conversation: 'sip:bob@example.org', last: sampleMessage, unread: 1 },
      { conversation: 'sip:carol@example.org', unread: 0 }
    ]
  },
  'im:mark-read': { request: { conversation: 'sip:bob@example.org' }, response: { unread: 0 } },
  'im:typing': {
    request: { conversation: 'sip:bob@example.org', active: true },
    response: { sent: true }
  }
}

/** One valid payload per event channel. */
export const eventSamples: { [K in EventName]: PayloadOf<K> } = {
  'connection:changed': sampleConnection,
  'app:notice': sampleNotice,
  'account:saved-changed': { aor: 'sip:alice@example.org', hasSavedPassword: true },
  'profile:changed': sampleProfile,
  'trust:report-changed': sampleReport,
  'session:state-changed': sampleSession,
  'sip:log-appended': sampleLogEntry,
  'presence:own-changed': { state: 'do-not-disturb', note: 'Focus time' },
  'presence:changed': {
    uri: 'sip:bob@example.org',
    presence: { state: 'away' },
    subscription: { status: 'active' }
  },
  'im:received': {
    ...sampleMessage,
    direction: 'in',
    state: 'received',
    dedupeKey: 'sip:bob@example.org 3f2a9c@host 1'
  },
  'im:message-updated': {
    ...sampleMessage,
    state: 'failed',
    failure: { code: 'offline', status: 480, reason: 'Temporarily Unavailable' }
  },
  'im:typing-changed': { conversation: 'sip:bob@example.org', active: false }
}
