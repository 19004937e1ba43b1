import { describe, expect, it } from 'vitest'
import { SipSession } from '../../../../electron/main/sip/session'
import { FakeRegistrar, type Responder } from './fake-registrar'
import { MemoryHistory, waitFor } from './memory-history'

const happy: Responder = (req, server) => {
  switch (req.method) {
    case 'REGISTER':
      return {
        status: 200,
        reason: 'OK',
        headers: [`Contact: ${req.header('contact')};expires=600`]
      }
    case 'PUBLISH':
      return {
        status: 200,
        reason: 'OK',
        headers: [`SIP-ETag: ${server.nextEtag()}`, 'Expires: 3600']
      }
    case 'SUBSCRIBE':
      return {
        status: 200,
        reason: 'OK',
        headers: [
          'Contact: <sip:bob-phone@10.0.0.9:5061;transport=tls>',
          `Expires: ${req.header('expires')}`
        ]
      }
    default:
      return { status: 200, reason: 'OK' }
  }
}

function setup(responder: Responder) {
  const servers: FakeRegistrar[] = []
  const history = new MemoryHistory()
  const session = new SipSession({
    history,
    connector: () => {
      const server = new FakeRegistrar(responder)
      servers.push(server)
      return Promise.resolve({
        verdict: 'trusted' as const,
        socket: server.clientStream,
        host: '127.0.0.1',
        port: 5061
      })
    },
    reconnectBaseMs: 20,
    reconnectMaxMs: 50,
    registerTimeoutMs: 500
  })
  return { session, servers, history }
}

const params = (h: string) =>
  Object.fromEntries(
    [...h.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]])
  ) as Record<string, string>

// Credentials sent ahead (installPreemptiveAuth) through a whole SipSession and a fake proxy.
describe('credentials sent ahead of the challenge', () => {
  it('does not put the proxy credentials on in-dialog requests the proxy never challenged', async () => {
    // Like Kamailio's default config: only out-of-dialog requests are challenged (and there the
    // credentials are consumed); in-dialog requests are loose-routed to the remote target as is.
    let n = 0
    const proxy: Responder = (req, server) => {
      const inDialog = /;tag=/.test(req.header('to') ?? '')
      if (req.method !== 'REGISTER' && !inDialog && !req.header('proxy-authorization')) {
        return {
          status: 407,
          reason: 'Proxy Authentication Required',
          headers: [`Proxy-Authenticate: Digest realm="lab.test", nonce="n${++n}", qop="auth"`]
        }
      }
      return happy(req, server)
    }
    const t = setup(proxy)
    t.session.setContacts(['sip:bob@lab.test'])
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    await waitFor(() =>
      server.requests.some((r) => r.method === 'SUBSCRIBE' && r.header('proxy-authorization'))
    )
    await waitFor(() => server.toTags.size > 0)
    await new Promise((r) => setTimeout(r, 30))
    await t.session.signOut()
    const inDialog = server.requests.filter(
      (r) => r.method === 'SUBSCRIBE' && /;tag=/.test(r.header('to') ?? '')
    )
    expect(inDialog.length).toBeGreaterThan(0)
    // The un-SUBSCRIBE goes to bob's device (the dialog's remote target), never challenged:
    // alice's digest response must not travel with it.
    expect(inDialog.map((r) => r.header('proxy-authorization') ?? null)).toEqual(
      inDialog.map(() => null)
    )
    t.session.dispose()
  })

  it('never sends the same nonce count twice for a nonce (stale challenge on the retry)', async () => {
    // The nonce expires between the first challenge and JsSIP's answer: the answer is met with
    // stale=true and a new nonce, which JsSIP answers with its *same* DigestAuthentication (nc=2).
    let issued = 0
    const used: string[] = []
    const proxy: Responder = (req, server) => {
      if (req.method === 'MESSAGE') {
        const h = req.header('proxy-authorization')
        const challenge = (stale: boolean) => ({
          status: 407,
          reason: 'Proxy Authentication Required',
          headers: [
            `Proxy-Authenticate: Digest realm="lab.test", nonce="n${++issued}", qop="auth"${stale ? ', stale=true' : ''}`
          ]
        })
        if (!h) return challenge(false)
        const p = params(h)
        used.push(`${p['nonce']}/${p['nc']}`)
        if (p['nonce'] === 'n1') return challenge(true)
      }
      return happy(req, server)
    }
    const t = setup(proxy)
    await t.session.signIn({ aor: 'sip:alice@lab.test', password: 'secret' })
    const server = t.servers[0]!
    await waitFor(() => server.requests.some((r) => r.method === 'PUBLISH'))
    const one = await t.session.im.send('sip:bob@lab.test', 'one')
    await waitFor(() => t.history.byId.get(one.id)?.state === 'accepted')
    const two = await t.session.im.send('sip:bob@lab.test', 'two')
    await waitFor(() => t.history.byId.get(two.id)?.state === 'accepted')
    // n1/00000001 (JsSIP), n2/00000002 (JsSIP's stale retry), then the preemptive one.
    expect(used.length).toBe(3)
    expect(new Set(used).size).toBe(used.length)
    t.session.dispose()
  })
})
