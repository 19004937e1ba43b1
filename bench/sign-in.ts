// Figure 1: sign-in through the core (TLS handshake + trust evaluation + REGISTER with its 401
// challenge + SUBSCRIBE to 50 contacts) against baresip registering to the same Kamailio, and
// against baresip doing the same work (REGISTER, then SUBSCRIBE to the same 50 contacts until
// each is shown Online): the contacts are published "open" first so both can tell.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Baresip } from '../tests/lab/baresip'
import type { Lab } from '../tests/lab/lab'
import { freePorts, spawnDaemon } from '../tests/lab/proc'
import type { TrustSetup } from '../electron/main/trust-parts'
import { makeCore, type BenchCore } from './lib/core-client'
import { publishAll } from './lib/publishers'
import { repeat, summarize, type Summary } from './lib/stats'

/** Timings of one core sign-in, ms. */
interface SignInTimes {
  /** sign-in invoked → registered (connect, trust verdict, REGISTER, 401, REGISTER, 200). */
  registered: number
  /** sign-in invoked → registered and every contact's subscription active. */
  signedIn: number
  /** sign-in invoked → `registering` (TCP + TLS handshake + trust evaluation incl. OCSP). */
  connectTrust: number
  /** `registering` → registered (REGISTER, 401, REGISTER, 200 through JsSIP). */
  register: number
  /** 401 read from the socket → the authenticated REGISTER written: JsSIP's answer time. */
  answer401: number
}

export interface SignInVariant {
  registered: Summary
  signedIn: Summary
  connectTrust: Summary
  register: Summary
  answer401: Summary
}

export interface SignInResult {
  contacts: number
  /** A new core per round, as at app launch (platform CA store loaded by this sign-in). */
  cold: SignInVariant
  /** One core signing out and in again (as a reconnect does): caches warm. */
  warm: SignInVariant
  /** Cold, with revocation off and no platform store: what those two cost (diagnostic). */
  coldNoOcspNoPlatform: SignInVariant
  /** baresip: `uanew` sent on its control port → REGISTER_OK event (fresh process, fresh TLS). */
  baresipRegistered: Summary
  /** baresip with the presence module and the same contacts: `uanew` → all shown Online. */
  baresipSubscribed: Summary | null
  /** Why baresipSubscribed could not be measured, if it could not. */
  baresipSubscribedError: string | null
}

/**
 * A baresip with no account yet, so the first `uanew` opens a fresh TLS connection; with
 * `contacts`, its presence module subscribes to them once registered.
 */
async function startEmptyBaresip(
  lab: Lab,
  name: string,
  contacts: string[] = []
): Promise<Baresip> {
  const dir = join(lab.runDir, 'baresip', name)
  mkdirSync(dir, { recursive: true })
  const [ctrlPort, consPort] = await freePorts(2)
  writeFileSync(
    join(dir, 'config'),
    [
      'sip_listen 127.0.0.1:0',
      `sip_cafile ${lab.pki.rootCa}`,
      `dns_server 127.0.0.1:${lab.ports.dns}`,
      'module_path /usr/lib/baresip/modules',
      'module_app account.so',
      ...(contacts.length ? ['module_app contact.so', 'module_app presence.so'] : []),
      'module_app menu.so',
      'module_app ctrl_tcp.so',
      'module_app cons.so',
      `cons_listen 127.0.0.1:${consPort}`,
      `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
      ''
    ].join('\n')
  )
  writeFileSync(join(dir, 'accounts'), '')
  writeFileSync(
    join(dir, 'contacts'),
    contacts.map((c) => `"${c.replace(/^sips?:|@.*$/g, '')}" <${c}>;presence=p2p\n`).join('')
  )
  const d = spawnDaemon(lab.runDir, `baresip-${name}`, '/usr/bin/baresip', ['-f', dir], dir)
  const b = new Baresip(name, d.pid, ctrlPort!, consPort!, d.log, dir, '', contacts, lab.runDir)
  try {
    await b.connectCtrl()
  } catch (e) {
    await b.stop()
    throw e
  }
  return b
}

async function baresipRound(lab: Lab, round: number): Promise<number> {
  const user = lab.users.carol
  const b = await startEmptyBaresip(lab, `bench-${round < 0 ? 'w' : ''}${Math.abs(round)}`)
  try {
    const account =
      `<sip:${user.username}@${lab.domain};transport=tls>;auth_pass=${user.password};` +
      `outbound="sip:127.0.0.1:${lab.ports.tls.good};transport=tls";regint=600;pubint=0`
    const t0 = performance.now()
    const ok = b.waitEvent((e) => e.type === 'REGISTER_OK', 10_000)
    await b.command('uanew', account)
    await ok
    return performance.now() - t0
  } finally {
    await b.stop()
  }
}

/** baresip registering and subscribing to `contacts` until its contact list shows all Online. */
async function baresipSubscribedRound(
  lab: Lab,
  round: number,
  contacts: string[]
): Promise<number> {
  const user = lab.users.carol
  const b = await startEmptyBaresip(
    lab,
    `bench-sub-${round < 0 ? 'w' : ''}${Math.abs(round)}`,
    contacts
  )
  try {
    const account =
      `<sip:${user.username}@${lab.domain};transport=tls>;auth_pass=${user.password};` +
      `outbound="sip:127.0.0.1:${lab.ports.tls.good};transport=tls";regint=600;pubint=0`
    const t0 = performance.now()
    await b.command('uanew', account)
    // Asked back to back over its control port: each answer is a fresh view of its contacts.
    for (;;) {
      const online = (await b.contactsStatus()).match(/Online/g)?.length ?? 0
      if (online >= contacts.length) return performance.now() - t0
      if (performance.now() - t0 > 15_000) {
        throw new Error(`baresip showed ${online} of ${contacts.length} contacts Online`)
      }
    }
  } finally {
    await b.stop()
  }
}

async function signInOnce(lab: Lab, c: BenchCore, contacts: string[]): Promise<SignInTimes> {
  const active = new Set<string>()
  let tAll = 0
  let tRegistering = 0
  let onAll = () => undefined as void
  const allActive = new Promise<void>((resolve) => (onAll = resolve))
  const offPresence = c.on('presence:changed', (p) => {
    if (p.subscription.status === 'active') active.add(p.uri)
    if (active.size === contacts.length && !tAll) {
      tAll = performance.now()
      onAll()
    }
  })
  // The core's wire log is written as bytes arrive and leave, so it times JsSIP's 401 answer.
  let t401 = 0
  let tAnswer = 0
  const offWire = c.on('sip:log-appended', (e) => {
    if (e.direction === 'in' && e.status === 401 && !t401) t401 = performance.now()
    else if (e.direction === 'out' && e.method === 'REGISTER' && t401 && !tAnswer)
      tAnswer = performance.now()
  })
  const offState = c.on('session:state-changed', (s) => {
    if (s.status === 'registering' && !tRegistering) tRegistering = performance.now()
  })
  try {
    const t0 = performance.now()
    const state = await c.call('session:sign-in', {
      aor: lab.users.alice.uri,
      password: lab.users.alice.password,
      server: { host: '127.0.0.1', port: lab.ports.tls.good }
    })
    const tReg = performance.now()
    if (state.status !== 'registered') throw new Error(`sign-in: ${JSON.stringify(state)}`)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      allActive,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`only ${active.size} subscriptions active`)),
          15_000
        )
      })
    ]).finally(() => clearTimeout(timer))
    return {
      registered: tReg - t0,
      signedIn: tAll - t0,
      connectTrust: tRegistering - t0,
      register: tReg - tRegistering,
      answer401: tAnswer - t401
    }
  } finally {
    offWire()
    offPresence()
    offState()
  }
}

function summarizeTimes(times: SignInTimes[]): SignInVariant {
  return {
    registered: summarize(times.map((t) => t.registered)),
    signedIn: summarize(times.map((t) => t.signedIn)),
    connectTrust: summarize(times.map((t) => t.connectTrust)),
    register: summarize(times.map((t) => t.register)),
    answer401: summarize(times.map((t) => t.answer401))
  }
}

/** Lets the server finish the previous round's unsubscribes before the next clock starts. */
const settle = () => new Promise((r) => setTimeout(r, 150))

async function coldRounds(
  lab: Lab,
  baseDir: string,
  contacts: string[],
  rounds: number,
  trust?: Omit<TrustSetup, 'policyCaFiles'>
): Promise<SignInVariant> {
  const times: SignInTimes[] = []
  await repeat(rounds, 2, async (round) => {
    const c = makeCore(lab, baseDir, { contacts, ...(trust ? { trust } : {}) })
    try {
      // Roster loaded and watched before the clock starts (the app does this at launch).
      await c.call('contacts:list')
      await new Promise((r) => setImmediate(r))
      const t = await signInOnce(lab, c, contacts)
      if (round >= 0) times.push(t)
      await c.call('session:sign-out')
    } finally {
      await c.dispose()
    }
    await settle()
    return 0
  })
  return summarizeTimes(times)
}

export async function benchSignIn(
  lab: Lab,
  baseDir: string,
  opts: { rounds: number; contacts: number }
): Promise<SignInResult> {
  const users = lab.extraUsers.slice(0, opts.contacts)
  const contacts = users.map((u) => u.uri)
  if (contacts.length < opts.contacts) throw new Error('lab has too few extra users')
  // Published before any clock starts, so baresip can show them Online (as we show Available).
  const failed = await publishAll(lab, users, 'open', 10)
  if (failed > 0) throw new Error(`${failed} of ${users.length} contacts could not publish`)
  const cold = await coldRounds(lab, baseDir, contacts, opts.rounds)
  const warmTimes: SignInTimes[] = []
  const c = makeCore(lab, baseDir, { contacts })
  try {
    await c.call('contacts:list')
    await repeat(opts.rounds, 2, async (round) => {
      const t = await signInOnce(lab, c, contacts)
      if (round >= 0) warmTimes.push(t)
      await c.call('session:sign-out')
      await settle()
      return 0
    })
  } finally {
    await c.dispose()
  }
  const coldNoOcspNoPlatform = await coldRounds(lab, baseDir, contacts, opts.rounds, {
    revocation: 'off',
    platformAnchors: false
  })
  const bare = await repeat(opts.rounds, 2, async (round) => {
    const ms = await baresipRound(lab, round)
    await settle()
    return ms
  })
  let baresipSubscribed: Summary | null = null
  let baresipSubscribedError: string | null = null
  try {
    baresipSubscribed = summarize(
      await repeat(opts.rounds, 2, async (round) => {
        const ms = await baresipSubscribedRound(lab, round, contacts)
        await settle()
        return ms
      })
    )
  } catch (e) {
    baresipSubscribedError = e instanceof Error ? e.message : String(e)
  }
  return {
    contacts: contacts.length,
    cold,
    warm: summarizeTimes(warmTimes),
    coldNoOcspNoPlatform,
    baresipRegistered: summarize(bare),
    baresipSubscribed,
    baresipSubscribedError
  }
}
