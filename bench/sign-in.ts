// Figure 1: sign-in through the core (TLS handshake + trust evaluation + REGISTER with its 401
// challenge + SUBSCRIBE to 50 contacts), next to its floors and baresip, all measured in the
// same rounds against the same Kamailio port:
//   floor (a)  a bare Node TLS handshake, same anchors, no SNI (the core dials an IP literal);
//   floor (b)  that handshake plus REGISTER/401/REGISTER/200 written by hand on the socket;
//   baresip    registering from a fresh process (it verifies no certificate at all).
// Every round runs each kind once, in an order that rotates from round to round, so a burst of
// load from the rest of the machine falls on all of them alike; ratios are of medians and, per
// round, of the paired runs. One stage trace per sign-in (electron/main/stage-trace.ts) breaks
// TrustLine's time down; the bench prints the median round's trace.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Baresip } from '../tests/lab/baresip'
import type { Lab } from '../tests/lab/lab'
import { freePorts, spawnDaemon } from '../tests/lab/proc'
import { enableStageTrace, type AttemptTrace } from '../electron/main/stage-trace'
import { loadAnchorBundle } from '../electron/main/tls/anchors'
import { createClientContext } from '../electron/main/tls/connector'
import type { TrustSetup } from '../electron/main/trust-parts'
import { makeCore, type BenchCore } from './lib/core-client'
import { floorHandshake, floorRegister, type FloorTarget, type FloorTimes } from './lib/floor'
import { publishAll } from './lib/publishers'
import { between } from './lib/stages'
import { cpuMs, summarize, type Summary } from './lib/stats'

/** Timings of one core sign-in, ms. */
interface SignInTimes {
  /**
   * sign-in invoked → the core reports `registered` (session:state-changed): the moment the UI
   * learns it, as baresip's REGISTER_OK event is for baresip.
   */
  registered: number
  /** sign-in invoked → the sign-in call answered (after PUBLISH and the first SUBSCRIBEs left). */
  answered: number
  /** sign-in invoked → registered and every contact's subscription active. */
  signedIn: number
  /** sign-in invoked → `registering` (TCP + TLS handshake + trust evaluation incl. OCSP). */
  connectTrust: number
  /** `registering` → registered (REGISTER, 401, REGISTER, 200 through JsSIP). */
  register: number
  /** 401 read from the socket → the authenticated REGISTER written: JsSIP's answer time. */
  answer401: number
  /** CPU time of this process (the core and the bench's listeners) until registered. */
  cpu: number
  trace: AttemptTrace | null
}

export interface SignInVariant {
  registered: Summary
  answered: Summary
  signedIn: Summary
  connectTrust: Summary
  register: Summary
  answer401: Summary
  cpu: Summary
  /** Per round: registered / floor (b) of the same round. */
  pairedVsFloorB: Summary
  /** Per round: registered / baresip of the same round. */
  pairedVsBaresip: Summary
  /** The trace of the round whose `registered` was the median, and all traces. */
  medianTrace: AttemptTrace | null
  traces: AttemptTrace[]
}

export interface FloorVariant {
  handshake: Summary
  register: Summary
  total: Summary
  cpu: Summary
}

export interface SignInResult {
  contacts: number
  rounds: number
  /** The order of kinds in round 0; each later round starts one further along. */
  kinds: string[]
  floorA: FloorVariant
  floorB: FloorVariant
  /** A new core per round, as at app launch (process-wide caches already warm). */
  cold: SignInVariant
  /** One core signing out and in again (as a reconnect does). */
  warm: SignInVariant
  /** Cold, with revocation off and no platform store: what those two cost (diagnostic). */
  coldNoOcspNoPlatform: SignInVariant | null
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

function baresipAccount(lab: Lab): string {
  const user = lab.users.carol
  return (
    `<sip:${user.username}@${lab.domain};transport=tls>;auth_pass=${user.password};` +
    `outbound="sip:127.0.0.1:${lab.ports.tls.good};transport=tls";regint=600;pubint=0`
  )
}

async function baresipRound(lab: Lab, round: number): Promise<number> {
  const b = await startEmptyBaresip(lab, `bench-${round < 0 ? 'w' : ''}${Math.abs(round)}`)
  try {
    const t0 = performance.now()
    const ok = b.waitEvent((e) => e.type === 'REGISTER_OK', 10_000)
    await b.command('uanew', baresipAccount(lab))
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
  const b = await startEmptyBaresip(
    lab,
    `bench-sub-${round < 0 ? 'w' : ''}${Math.abs(round)}`,
    contacts
  )
  try {
    const t0 = performance.now()
    await b.command('uanew', baresipAccount(lab))
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

async function signInOnce(
  lab: Lab,
  c: BenchCore,
  contacts: string[],
  traces: AttemptTrace[]
): Promise<SignInTimes> {
  const active = new Set<string>()
  let tAll = 0
  let tRegistering = 0
  let tRegistered = 0
  let cpuRegistered = 0
  let onAll = () => undefined as void
  const allActive = new Promise<void>((resolve) => (onAll = resolve))
  const offPresence = c.on('presence:changed', (p) => {
    if (p.subscription.status === 'active') active.add(p.uri)
    if (active.size === contacts.length && !tAll) {
      tAll = performance.now()
      onAll()
    }
  })
  const offState = c.on('session:state-changed', (s) => {
    if (s.status === 'registering' && !tRegistering) tRegistering = performance.now()
    if (s.status === 'registered' && !tRegistered) {
      tRegistered = performance.now()
      cpuRegistered = cpuMs()
    }
  })
  const traced = traces.length
  try {
    const cpu0 = cpuMs()
    const t0 = performance.now()
    const state = await c.call('session:sign-in', {
      aor: lab.users.alice.uri,
      password: lab.users.alice.password,
      server: { host: '127.0.0.1', port: lab.ports.tls.good }
    })
    const tAnswered = performance.now()
    const trace = traces.length > traced ? traces[traces.length - 1]! : null
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
      registered: tRegistered - t0,
      answered: tAnswered - t0,
      signedIn: tAll - t0,
      connectTrust: tRegistering - t0,
      register: tRegistered - tRegistering,
      // The stage trace times JsSIP's answer: 401 read from the socket → REGISTER written.
      answer401: trace ? between(trace, 'sip-in#1', 'sip-out#2') : Number.NaN,
      cpu: cpuRegistered - cpu0,
      trace
    }
  } finally {
    offPresence()
    offState()
  }
}

/** Lets the server finish the previous round's unsubscribes before the next clock starts. */
const settle = () => new Promise((r) => setTimeout(r, 150))

function summarizeFloor(times: FloorTimes[]): FloorVariant {
  return {
    handshake: summarize(times.map((t) => t.handshake)),
    register: summarize(times.map((t) => t.register)),
    total: summarize(times.map((t) => t.total)),
    cpu: summarize(times.map((t) => t.cpu))
  }
}

function summarizeTimes(
  times: SignInTimes[],
  floorB: FloorTimes[] = [],
  baresip: number[] = []
): SignInVariant {
  const registered = times.map((t) => t.registered)
  const sorted = times.map((t, i) => ({ t, i })).sort((a, b) => a.t.registered - b.t.registered)
  const medianRound = sorted[Math.floor((sorted.length - 1) / 2)]
  const traces = times.flatMap((t) => (t.trace ? [t.trace] : []))
  return {
    registered: summarize(registered),
    answered: summarize(times.map((t) => t.answered)),
    signedIn: summarize(times.map((t) => t.signedIn)),
    connectTrust: summarize(times.map((t) => t.connectTrust)),
    register: summarize(times.map((t) => t.register)),
    answer401: summarize(times.map((t) => t.answer401)),
    cpu: summarize(times.map((t) => t.cpu)),
    pairedVsFloorB: summarize(
      floorB.length === times.length ? registered.map((r, i) => r / floorB[i]!.total) : []
    ),
    pairedVsBaresip: summarize(
      baresip.length === times.length ? registered.map((r, i) => r / baresip[i]!) : []
    ),
    medianTrace: medianRound?.t.trace ?? null,
    traces
  }
}

/** [a, b, c] rotated by n: round n starts with the n-th kind. */
function rotated<T>(list: readonly T[], n: number): T[] {
  const k = n % list.length
  return [...list.slice(k), ...list.slice(0, k)]
}

const kinds = ['floor-a', 'floor-b', 'cold', 'warm', 'baresip'] as const
type Kind = (typeof kinds)[number]

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

  // The floor trusts exactly what the bench's cores trust (the OS store and the lab root), in a
  // context built once, as the core keeps its context across sign-ins.
  const anchors = await loadAnchorBundle({ platform: true, policyFiles: [lab.pki.rootCa] })
  const floor: FloorTarget = {
    host: '127.0.0.1',
    port: lab.ports.tls.good,
    context: createClientContext(anchors.pems),
    domain: lab.domain,
    username: lab.users.dave.username,
    password: lab.users.dave.password
  }

  const traces: AttemptTrace[] = []
  enableStageTrace((t) => traces.push(t))
  const warmCore = makeCore(lab, baseDir, { contacts })
  const out = {
    'floor-a': [] as FloorTimes[],
    'floor-b': [] as FloorTimes[],
    cold: [] as SignInTimes[],
    warm: [] as SignInTimes[],
    baresip: [] as number[]
  }
  const run = async (kind: Kind, round: number): Promise<void> => {
    const keep = round >= 0
    switch (kind) {
      case 'floor-a': {
        const t = await floorHandshake(floor)
        if (keep) out['floor-a'].push(t)
        break
      }
      case 'floor-b': {
        const t = await floorRegister(floor)
        if (keep) out['floor-b'].push(t)
        break
      }
      case 'cold': {
        const c = makeCore(lab, baseDir, { contacts })
        try {
          // Roster loaded and watched before the clock starts (the app does this at launch).
          await c.call('contacts:list')
          await new Promise((r) => setImmediate(r))
          const t = await signInOnce(lab, c, contacts, traces)
          if (keep) out.cold.push(t)
          await c.call('session:sign-out')
        } finally {
          await c.dispose()
        }
        break
      }
      case 'warm': {
        const t = await signInOnce(lab, warmCore, contacts, traces)
        if (keep) out.warm.push(t)
        await warmCore.call('session:sign-out')
        break
      }
      case 'baresip': {
        const ms = await baresipRound(lab, round)
        if (keep) out.baresip.push(ms)
        break
      }
    }
    await settle()
  }
  try {
    await warmCore.call('contacts:list')
    for (let round = -2; round < opts.rounds; round++) {
      for (const kind of rotated(kinds, round + 2)) await run(kind, round)
    }
  } finally {
    enableStageTrace(null)
    await warmCore.dispose()
  }

  // Diagnostic, not interleaved: what revocation checking and the OS store cost a cold core.
  const noOcsp: SignInTimes[] = []
  enableStageTrace((t) => traces.push(t))
  try {
    for (let round = -2; round < opts.rounds; round++) {
      const trust: Omit<TrustSetup, 'policyCaFiles'> = {
        revocation: 'off',
        platformAnchors: false
      }
      const c = makeCore(lab, baseDir, { contacts, trust })
      try {
        await c.call('contacts:list')
        await new Promise((r) => setImmediate(r))
        const t = await signInOnce(lab, c, contacts, traces)
        if (round >= 0) noOcsp.push(t)
        await c.call('session:sign-out')
      } finally {
        await c.dispose()
      }
      await settle()
    }
  } finally {
    enableStageTrace(null)
  }

  let baresipSubscribed: Summary | null = null
  let baresipSubscribedError: string | null = null
  try {
    const times: number[] = []
    for (let round = -2; round < opts.rounds; round++) {
      const ms = await baresipSubscribedRound(lab, round, contacts)
      if (round >= 0) times.push(ms)
      await settle()
    }
    baresipSubscribed = summarize(times)
  } catch (e) {
    baresipSubscribedError = e instanceof Error ? e.message : String(e)
  }
  return {
    contacts: contacts.length,
    rounds: opts.rounds,
    kinds: [...kinds],
    floorA: summarizeFloor(out['floor-a']),
    floorB: summarizeFloor(out['floor-b']),
    cold: summarizeTimes(out.cold, out['floor-b'], out.baresip),
    warm: summarizeTimes(out.warm, out['floor-b'], out.baresip),
    coldNoOcspNoPlatform: summarizeTimes(noOcsp),
    baresipRegistered: summarize(out.baresip),
    baresipSubscribed,
    baresipSubscribedError
  }
}
