import { createHmac, randomBytes } from 'node:crypto'
import type { SecureContext } from 'node:tls'
import { markStage } from '../stage-trace'
import { createClientContext, type ClientCertificate } from './connector'

/** The anchors a context trusts: their PEMs and the set's content key (AnchorBundle). */
export interface ContextAnchors {
  readonly key: string
  readonly pems: readonly string[]
}

// Identity keys are HMACs under a per-process secret, so the cache never holds a plain hash of a
// private key or passphrase that could be guessed offline from a memory dump.
const identitySecret = randomBytes(32)

function field(h: ReturnType<typeof createHmac>, v: string | Buffer | undefined): void {
  if (v === undefined) {
    h.update('-')
    return
  }
  const b = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')
  // Length-prefixed, so no two different identities can concatenate to the same bytes.
  h.update(`${Buffer.isBuffer(v) ? 'b' : 's'}${b.length}:`)
  h.update(b)
}

/** A key that differs for every client identity: certificate, private key and passphrase. */
export function clientIdentityKey(cert: ClientCertificate): string {
  const h = createHmac('sha256', identitySecret)
  if ('pfx' in cert) {
    h.update('pfx')
    field(h, cert.pfx)
  } else {
    h.update('pem')
    field(h, cert.cert)
    field(h, cert.key)
  }
  field(h, cert.passphrase)
  return h.digest('hex')
}

/**
 * TLS client contexts per anchor set and client identity, least recently used dropped first.
 *
 * Building a context parses every CA PEM into an OpenSSL store (≈ 5 ms with the OS store), which
 * every connect paid. A context only holds what it was built from, and Node's client contexts keep
 * no session cache (sessions resume only when passed explicitly), so sharing one between
 * connections with the same anchors and the same client identity changes nothing they see. A
 * context with a client key is only ever used for that exact certificate, key and passphrase. New
 * anchors mean a new key, so stale contexts are never hit and age out.
 */
export class SecureContextCache {
  readonly #entries = new Map<string, SecureContext>()

  constructor(readonly maxEntries = 8) {}

  /** The context for these anchors and client certificate; builds it (and may throw) on a miss. */
  get(anchors: ContextAnchors, clientCert?: ClientCertificate): SecureContext {
    const key = `${anchors.key}|${clientCert ? clientIdentityKey(clientCert) : 'anonymous'}`
    const hit = this.#entries.get(key)
    if (hit) {
      this.#entries.delete(key)
      this.#entries.set(key, hit)
      markStage('tls-context')
      return hit
    }
    // A bad passphrase or mismatched key throws its ConnectError here and nothing is cached.
    const context = createClientContext([...anchors.pems], clientCert)
    if (this.#entries.size >= this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!)
    }
    this.#entries.set(key, context)
    markStage('tls-context', 'built')
    return context
  }

  /** How many contexts are held. */
  get size(): number {
    return this.#entries.size
  }

  /** Drops every context (and with them any client key they hold). */
  clear(): void {
    this.#entries.clear()
  }
}

/** The process-wide cache the trust service uses unless given another. */
export const sharedSecureContexts = new SecureContextCache()
