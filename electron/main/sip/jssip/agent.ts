import { randomBytes } from 'node:crypto'
import { UA } from 'jssip'
import type { IncomingResponse } from 'jssip/lib/SIPMessage'
import type { AgentFactory, AgentSetup, SipAgent } from '../agent'
import { TlsSipSocket } from '../tls-socket'
import type { TrustedSocket } from '../trusted-socket'
import { WsSipSocket } from '../ws-socket'
import { InFlight } from './in-flight'
import {
  installOneAccept,
  installPreemptiveAuth,
  installTimeoutWatch,
  installUniqueBranches,
  type UaInternals
} from './internals'
import { messagesOver } from './message'
import { publishOver } from './publish'
import { receiveMessagesWith } from './receive'
import { subscribeOver } from './subscribe'

/**
 * The SIP stack for one trusted connection, on JsSIP: a fresh UA per connection, over our own
 * socket adapter (the connection is the one the trust engine approved; JsSIP never opens one),
 * with JsSIP's own connection recovery kept out of the way: recovery is the session's, with a
 * fresh trust check per attempt.
 */
export const createJsSipAgent: AgentFactory = (setup) => new JsSipAgent(setup)

class JsSipAgent implements SipAgent {
  readonly publish: SipAgent['publish']
  readonly subscribe: SipAgent['subscribe']
  readonly messages: SipAgent['messages']
  readonly #setup: AgentSetup
  readonly #ua: UA
  readonly #socket: TrustedSocket
  readonly #inFlight = new InFlight()
  #stopped = false

  constructor(setup: AgentSetup) {
    this.#setup = setup
    const { stream, events } = setup
    const onClosed = ({ error, reason }: { error: boolean; reason: string }) => {
      this.#inFlight.close()
      if (error && !this.#stopped) events.onLost(reason)
    }
    const endpoint = { host: setup.host, port: setup.port }
    const ws = setup.transport === 'wss'
    const liveness = {
      keepAliveIntervalMs: setup.keepAliveIntervalMs,
      keepAliveTimeoutMs: setup.flowTimeoutMs,
      timers: setup.timers
    }
    const common = {
      log: setup.log,
      onClosed,
      ...(setup.trace ? { trace: setup.trace } : {}),
      ...liveness
    }
    this.#socket = ws
      ? new WsSipSocket(stream, endpoint, {
          ...common,
          ...(setup.wsPath ? { path: setup.wsPath } : {})
        })
      : new TlsSipSocket(stream, endpoint, common)
    const aorUser = /^sips?:([^@]+)@/i.exec(setup.aor)?.[1] ?? 'user'
    const local = stream as typeof stream & { localAddress?: string; localPort?: number }
    // A Contact the registrar can route back over this very connection: our real local
    // address and port with transport=tls (RFC 3261 §18.2.2 / §10.2.1), or over WebSocket an
    // .invalid host with transport=ws (RFC 7118 §5.2). A random user part keeps each
    // connection's binding distinct.
    const contactHost =
      !ws && local.localAddress && local.localPort
        ? `${local.localAddress.includes(':') ? `[${local.localAddress}]` : local.localAddress}:${local.localPort}`
        : `${randomBytes(6).toString('hex')}.invalid`
    const contactUser = `${aorUser.replace(/[^\w.!~*'()&=+$,;?/-]/g, '')}-${randomBytes(4).toString('hex')}`
    const ua = new UA({
      sockets: [this.#socket as never],
      uri: setup.aor,
      password: setup.password,
      ...(setup.displayName ? { display_name: setup.displayName } : {}),
      contact_uri: `sip:${contactUser}@${contactHost};transport=${ws ? 'ws' : 'tls'}`,
      register: false,
      register_expires: setup.registerExpires,
      user_agent: setup.userAgent,
      // Recovery is the session's (fresh trust check per attempt); keep JsSIP's from racing it.
      connection_recovery_min_interval: 3600,
      connection_recovery_max_interval: 3600
    })
    this.#ua = ua
    installUniqueBranches(ua)
    installPreemptiveAuth(ua)
    installOneAccept(ua, setup.accept)
    installTimeoutWatch(ua, (method) => {
      setup.log(`${method} timed out: checking the connection`)
      this.#socket.checkFlow()
    })
    receiveMessagesWith(ua, setup.receive, setup.log)
    // Keep our own Contact (with transport=tls) in SUBSCRIBE and other requests instead of the
    // public GRUU (RFC 5627) the registrar hands back: a GRUU names the AOR's domain without a
    // transport, and a server that rewrites Contacts to the connection's source address (as
    // Kamailio's fix_nated_contact does) then sends the NOTIFYs over UDP, where we don't listen.
    Object.defineProperty((ua as unknown as UaInternals)._contact, 'pub_gruu', {
      get: () => null,
      set: () => undefined
    })
    ua.on('connected', () => {
      if (!this.#stopped) events.onConnected()
    })
    ua.on('registered', (e: { response: IncomingResponse }) => {
      if (!this.#stopped) events.onRegistered(registeredExpires(e.response, setup.registerExpires))
    })
    ua.on('registrationFailed', (e: { response: IncomingResponse | null; cause?: string }) => {
      if (this.#stopped) return
      const status = e.response?.status_code
      events.onRegistrationFailed({
        ...(status !== undefined ? { status } : {}),
        reason: e.response?.reason_phrase || e.cause || 'registration failed',
        timeout: status === undefined && e.cause === 'Request Timeout'
      })
    })
    this.publish = publishOver(ua, setup.aor, this.#inFlight)
    this.subscribe = subscribeOver(ua, setup.subscribeExpires, this.#inFlight)
    this.messages = messagesOver(ua, this.#inFlight)
  }

  start(): void {
    this.#ua.start()
  }

  register(): void {
    this.#ua.register()
  }

  unregister(): Promise<void> {
    const { timers, registerTimeoutMs } = this.#setup
    return new Promise((resolve) => {
      const done = () => {
        timers.clearTimeout(timer)
        resolve()
      }
      const timer = timers.setTimeout(done, registerTimeoutMs)
      this.#ua.once('unregistered', done)
      this.#ua.once('registrationFailed', done)
      try {
        this.#ua.unregister()
      } catch {
        done()
      }
    })
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#inFlight.close()
    try {
      this.#ua.removeAllListeners()
      // Stop without a network goodbye: the socket is closed or about to be.
      this.#socket.onconnect = () => undefined
      this.#socket.ondisconnect = () => undefined
      this.#ua.stop()
    } catch (error) {
      this.#setup.log(`stopping JsSIP failed: ${String(error)}`)
    }
    this.#setup.stream.destroy()
  }
}

function registeredExpires(response: IncomingResponse, fallback: number): number {
  const header = parseInt(response?.getHeader('Expires') ?? '', 10)
  if (Number.isFinite(header) && header > 0) return header
  const contact = /expires=(\d+)/i.exec(response?.getHeader('Contact') ?? '')
  return contact ? Number(contact[1]) : fallback
}
