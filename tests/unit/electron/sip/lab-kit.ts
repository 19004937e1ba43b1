import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import {
  SipSession,
  type SipConnection,
  type SipConnector,
  type SipSessionOptions
} from '../../../../electron/main/sip/session'
import { HistoryStore } from '../../../../electron/main/storage/history-store'
import type { ImMessage } from '../../../../shared/types/im'
import type { ContactPresence } from '../../../../shared/types/presence'
import type { SessionState } from '../../../../shared/types/sip'
import type { Lab, StartLabOptions } from '../../../lab/lab'

/** A session under test and everything it reported. */
export interface Probe {
  session: SipSession
  received: ImMessage[]
  updates: ImMessage[]
  states: SessionState[]
  presence: Map<string, ContactPresence>
  history: HistoryStore
  /**
   * Every SIP message on the wire, whole, after its direction, e.g. `out MESSAGE sip:…`: what the
   * helpdesk's SIP log gets.
   */
  wire: string[]
}

/**
 * SIP sessions against a real lab (Kamailio over TLS on 127.0.0.1) started in a temp folder.
 * Until the trust engine is wired in, the connector is plain node:tls verified against the lab's
 * root CA: the same contract (verdict + open paused socket) the trust engine fulfils.
 */
export class SipLab {
  lab: Lab | null = null
  skipReason: string | null = null
  #dir = ''
  readonly #sessions: SipSession[] = []

  /** Starts the lab; on failure `lab` stays null and `skipReason` says why. */
  async start(name: string, options: StartLabOptions = {}): Promise<void> {
    this.#dir = await mkdtemp(join(tmpdir(), `tl-${name}-`))
    try {
      const { startLab } = await import('../../../lab/lab')
      this.lab = await startLab({ runDir: join(this.#dir, 'lab'), timeoutMs: 30_000, ...options })
    } catch (error) {
      this.skipReason = `lab could not start: ${error instanceof Error ? error.message : String(error)}`
      console.log(`[${name}] SKIPPED — ${this.skipReason}`)
    }
  }

  async stop(): Promise<void> {
    for (const s of this.#sessions) s.dispose()
    await this.lab?.stop()
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true })
  }

  /** Connects with TLS to `port()` on 127.0.0.1, verified against the lab's root CA. */
  connectorTo(port: () => number, extra: Partial<SipConnection> = {}): SipConnector {
    return async () => {
      const l = this.lab!
      const ca = await readFile(l.pki.rootCa)
      return new Promise<SipConnection>((resolve, reject) => {
        const socket = tlsConnect({
          host: '127.0.0.1',
          port: port(),
          ca,
          servername: l.domain,
          rejectUnauthorized: false
        })
        socket.once('error', reject)
        socket.once('secureConnect', () => {
          socket.removeListener('error', reject)
          socket.pause()
          resolve(
            socket.authorized
              ? { verdict: 'trusted', socket, host: '127.0.0.1', port: port(), ...extra }
              : {
                  verdict: 'untrusted',
                  socket,
                  host: '127.0.0.1',
                  port: port(),
                  finding: null
                }
          )
        })
      })
    }
  }

  /** A session with its own history folder, reporting into a probe. */
  async session(
    name: string,
    connector: SipConnector = this.connectorTo(() => this.lab!.ports.tls.good),
    extra: Partial<SipSessionOptions> = {}
  ): Promise<Probe> {
    await Promise.resolve()
    const history = new HistoryStore(join(this.#dir, name))
    const probe: Probe = {
      session: null as unknown as SipSession,
      received: [],
      updates: [],
      states: [],
      presence: new Map(),
      history,
      wire: []
    }
    probe.session = new SipSession({
      connector,
      history,
      events: {
        onMessageReceived: (m) => probe.received.push(m),
        onMessageUpdated: (m) => probe.updates.push(m),
        onStateChanged: (s) => probe.states.push(s),
        onContactPresence: (c) => probe.presence.set(c.uri, c),
        onWire: (direction, text) => probe.wire.push(`${direction} ${text}`)
      },
      publishExpires: 600,
      subscribeExpires: 600,
      ...extra
    })
    this.#sessions.push(probe.session)
    return probe
  }
}

/** Polls `cond` every 20 ms; throws after `ms`. */
export async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
