import { afterEach, describe, expect, it, vi } from 'vitest'
import { UA } from 'jssip'
import {
  installUniqueBranches,
  newBranch,
  OutgoingRequest,
  Transactions,
  type UaInternals
} from '../../../../electron/main/sip/jssip-internals'

// A socket JsSIP accepts; nothing is ever sent through it in these tests.
const socket = {
  url: 'sips:sip.example.org',
  via_transport: 'TLS',
  sip_uri: 'sip:sip.example.org;transport=tls',
  connect: () => undefined,
  disconnect: () => undefined,
  send: () => true,
  isConnected: () => true,
  isConnecting: () => false
}

function ua(): UA {
  return new UA({ sockets: [socket as never], uri: 'sip:alice@example.org', register: false })
}

function transaction(agent: UA) {
  const ruri = (agent as unknown as UaInternals).normalizeTarget('sip:bob@example.org')
  const request = new OutgoingRequest('OPTIONS', ruri, agent, null, [])
  const transport = { via_transport: 'TLS', send: () => true }
  return new Transactions.NonInviteClientTransaction(agent, transport, request, {
    onRequestTimeout: () => undefined,
    onTransportError: () => undefined,
    onReceiveResponse: () => undefined
  })
}

afterEach(() => vi.restoreAllMocks())

describe('unique Via branches for JsSIP client transactions', () => {
  it('JsSIP alone gives two transactions the same branch when its 10^7 draw repeats', () => {
    const agent = ua()
    vi.spyOn(Math, 'random').mockReturnValue(0.4242)
    const a = transaction(agent)
    const b = transaction(agent)
    // This is the collision seen in the presence storm: the second one replaces the first.
    expect(a.id).toBe(b.id)
  })

  it('gives each transaction its own branch, in the Via header and in the UA table', () => {
    const agent = ua()
    installUniqueBranches(agent)
    vi.spyOn(Math, 'random').mockReturnValue(0.4242)
    const list = Array.from({ length: 200 }, () => transaction(agent))
    const ids = new Set(list.map((t) => t.id))
    expect(ids.size).toBe(200)
    for (const t of list) {
      expect(t.id).toMatch(/^z9hG4bK[0-9a-f]{24}$/)
      expect(t.request.getHeader('via')).toBe(`SIP/2.0/TLS ${viaHost(agent)};branch=${t.id}`)
    }
    const table = (agent as unknown as { _transactions: { nict: Record<string, unknown> } })
      ._transactions.nict
    expect(Object.keys(table).sort()).toEqual([...ids].sort())
  })

  it('makes RFC 3261 branches with the magic cookie', () => {
    const a = newBranch()
    expect(a.startsWith('z9hG4bK')).toBe(true)
    expect(a).not.toBe(newBranch())
  })
})

function viaHost(agent: UA): string {
  return (agent as unknown as { configuration: { via_host: string } }).configuration.via_host
}
