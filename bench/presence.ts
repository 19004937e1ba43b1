// Figure 4: a presence storm. 1,000 contacts (lab extra users) change to "open" at once; the
// core receives 1,000 NOTIFYs. Measured in process (core events) and, through the browser host,
// in Chromium (all shown, longest frame).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { chromium, type Browser } from '@playwright/test'
import type { EventTime } from '../electron/main/host/event-times'
import type { Lab } from '../tests/lab/lab'
import { makeCore, writeContacts } from './lib/core-client'
import { publishAll } from './lib/publishers'

export interface CoreStormResult {
  contacts: number
  /** SUBSCRIBEs outstanding at once: null for the product's default (SUBSCRIBE_WINDOW). */
  window: number | null
  /** Why the storm could not be measured completely, if it could not. */
  failure: string | null
  /** sign-in invoked → registered. */
  registeredMs: number
  /** sign-in invoked → every contact shown `available` (1,000 SUBSCRIBE/401/NOTIFY). */
  allAvailableMs: number
  /** First → last `available` event in the core: the NOTIFY processing window. */
  notifyWindowMs: number
  /** Longest event-loop stall of the core's process during the storm (monitorEventLoopDelay). */
  loopMaxMs: number
  available: number
  /** NOTIFYs the core received, and how many it answered 481 (no dialog yet for them). */
  notifysIn: number
  /** First → last NOTIFY with a body read from the socket: how fast the server delivered. */
  deliveryWindowMs: number
  /** Per contact, NOTIFY read from the socket → `available` event: the core's own share. */
  lag: { p50: number; p95: number; max: number }
  answered481: number
  /**
   * Requests the core sent with a Via branch another request already used. JsSIP draws branches
   * from 10^7 values (Transactions.js), so with ~1,000 transactions in flight two can collide; a
   * response is then handed to the wrong transaction (a 407 lost, another "authentication failed").
   */
  duplicateBranches: number
  /** Contacts whose subscription did not end up active. */
  notActive: Record<string, number>
}

export interface BrowserStormResult {
  contacts: number
  failure: string | null
  /** Sign-in clicked → every contact shown as Available in the page. */
  allShownMs: number
  /** First contact shown Available → all shown (or the last one shown), measured in the page. */
  renderWindowMs: number
  shown: number
  longestFrameMs: number
  longFrames: number
  /** Which PerformanceObserver entry type was available. */
  frameEntryType: string
  /** RSS of the browser host process (its core holds the 1,000 contacts), MB. */
  hostRssMb: number | null
  /**
   * Per contact, the core emitting its `available` event → its row showing it in the page (the
   * DOM change, painted at the end of that frame): the whole delivery through the browser host.
   */
  lag: { p50: number; p95: number; max: number; contacts: number }
  /** The core's last `available` event → the last contact shown. */
  shownAfterLastEventMs: number
  /** The core's first → last `available` event (the core's own storm window). */
  coreWindowMs: number
  /** The longest frames (over 50 ms), longest first, at most 10. */
  longestFrames: LongFrame[]
}

const availableText = 'Available'

/**
 * Makes every contact "open" on the server first, slowly enough for the lab Kamailio's 64 MB of
 * shared memory (a 1,000-PUBLISH burst exhausts it: "out of mem" in tm). The storm is then the
 * 1,000 NOTIFYs carrying that state which answer the client's 1,000 SUBSCRIBEs at sign-in.
 */
export async function prepublish(lab: Lab, count: number): Promise<number> {
  return publishAll(lab, lab.extraUsers.slice(0, count), 'open', 10)
}

/**
 * A fresh Kamailio with every contact published: a storm that exhausts its shared memory would
 * otherwise leave the next measurement a broken server (TLS handshakes reset).
 */
export async function freshServer(lab: Lab, count: number): Promise<number> {
  await lab.stopKamailio()
  await lab.startKamailio()
  return prepublish(lab, count)
}

export async function benchCoreStorm(
  lab: Lab,
  baseDir: string,
  count: number,
  window: number | null = null
): Promise<CoreStormResult> {
  const contacts = lab.extraUsers.slice(0, count).map((u) => u.uri)
  const c = makeCore(lab, baseDir, {
    contacts,
    ...(window !== null ? { subscribeWindow: window } : {})
  })
  try {
    await c.call('contacts:list')
    const available = new Map<string, number>()
    let onAvailable = () => undefined as void
    const allAvailable = new Promise<void>((r) => (onAvailable = r))
    const status = new Map<string, string>()
    c.on('presence:changed', (p) => {
      status.set(p.uri, `${p.subscription.status} ${p.subscription.reason ?? ''}`.trim())
      if (p.presence.state === 'available' && !available.has(p.uri)) {
        available.set(p.uri, performance.now())
        if (available.size === count) onAvailable()
      }
    })
    // The core's own SIP log: NOTIFYs in, 481s out, and Via branches used twice.
    let notifysIn = 0
    let answered481 = 0
    const branches = new Set<string>()
    let duplicateBranches = 0
    // The log entry is made as the bytes are read, before JsSIP sees them: its time is arrival.
    const arrived = new Map<string, number>()
    c.on('sip:log-appended', (e) => {
      if (e.direction === 'in' && e.method === 'NOTIFY' && e.status === null && e.body) {
        const from = e.headers.find((h) => /^(from|f)$/i.test(h.name))?.value ?? ''
        const uri = /<([^>]+)>/.exec(from)?.[1] ?? from.split(';')[0]?.trim() ?? ''
        if (uri && !arrived.has(uri)) arrived.set(uri, performance.now())
      }
      if (e.direction === 'out' && e.status === null) {
        const via = e.headers.find((h) => h.name.toLowerCase() === 'via')?.value ?? ''
        const branch = /branch=([^;,\s]+)/.exec(via)?.[1]
        if (branch && branches.has(branch)) duplicateBranches++
        if (branch) branches.add(branch)
      }
      if (e.direction === 'in' && e.method === 'NOTIFY' && e.status === null) notifysIn++
      if (e.direction === 'out' && e.status === 481) answered481++
    })
    const loop = monitorEventLoopDelay({ resolution: 5 })
    loop.enable()
    const t0 = performance.now()
    const s = await c.call('session:sign-in', {
      aor: lab.users.alice.uri,
      password: lab.users.alice.password,
      server: { host: '127.0.0.1', port: lab.ports.tls.good }
    })
    const registeredMs = performance.now() - t0
    if (s.status !== 'registered') throw new Error(`sign-in: ${JSON.stringify(s)}`)
    const failure = await withTimeout(allAvailable, 30_000, () => {
      const counts = new Map<string, number>()
      for (const v of status.values()) counts.set(v, (counts.get(v) ?? 0) + 1)
      return `only ${available.size} of ${count} available: ${JSON.stringify([...counts])}`
    }).then(
      () => null,
      (e: Error) => e.message
    )
    loop.disable()
    const arrivals = [...arrived.values()]
    const lags = [...available.entries()]
      .map(([uri, at]) => at - (arrived.get(uri) ?? Number.NaN))
      .filter((v) => Number.isFinite(v))
      .sort((a, b) => a - b)
    const pick = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? NaN
    const times = [...available.values()]
    const notActive: Record<string, number> = {}
    for (const v of status.values()) if (v !== 'active') notActive[v] = (notActive[v] ?? 0) + 1
    return {
      contacts: count,
      window,
      failure,
      registeredMs,
      allAvailableMs: failure ? Number.NaN : Math.max(...times) - t0,
      notifyWindowMs: times.length ? Math.max(...times) - Math.min(...times) : Number.NaN,
      loopMaxMs: loop.max / 1e6,
      available: available.size,
      notifysIn,
      deliveryWindowMs: arrivals.length ? Math.max(...arrivals) - Math.min(...arrivals) : NaN,
      lag: { p50: pick(0.5), p95: pick(0.95), max: lags.at(-1) ?? NaN },
      answered481,
      duplicateBranches,
      notActive
    }
  } finally {
    await c.call('session:sign-out').catch(() => undefined)
    await c.dispose()
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(why())), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

function rssMb(pid: number | undefined): Promise<number | null> {
  if (!pid) return Promise.resolve(null)
  return import('node:fs/promises')
    .then((fs) => fs.readFile(`/proc/${pid}/status`, 'utf8'))
    .then((s) => Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? NaN) / 1024)
    .catch(() => null)
}

async function startWebHost(
  lab: Lab,
  dataDir: string,
  eventTimesFile: string
): Promise<{ child: ChildProcess; url: string }> {
  // BENCH_HOST_PROFILE=DIR: a CPU profile of the browser host (core + WebSocket) per storm.
  const profile = process.env['BENCH_HOST_PROFILE']
  const child = spawn(
    process.execPath,
    [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      'out/main/web.js',
      '--lab',
      lab.runDir,
      '--port',
      '0',
      '--data-dir',
      dataDir
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRUSTLINE_EVENT_TIMES: eventTimesFile }
    }
  )
  let out = ''
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser host did not start:\n${out}`)), 20_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`browser host exited with ${code}:\n${out}`))
    })
  })
  return { child, url }
}

interface Probe {
  first: number
  last: number
  all: number
  shown: number
  longest: number
  long: number
  type: string
  /** Contact URI → when its row first showed it available (page clock, epoch ms). */
  shownAt: Record<string, number>
  /** The frames over 50 ms: how long, and how much of it was script, style/layout, rendering. */
  frames: LongFrame[]
}

/** One long animation frame, ms. */
export interface LongFrame {
  duration: number
  script: number
  styleLayout: number | null
  render: number | null
  /** The longest scripts in it: invoker and duration. */
  scripts: string[]
}

/**
 * In-page probe: counts contacts shown Available on every frame and records long frames. Plain
 * JavaScript text, because tsx's transform would add helpers the page does not have.
 */
const pageProbe = `(({ total }) => {
  const state = { first: 0, last: 0, all: 0, shown: 0, longest: 0, long: 0, type: 'none', shownAt: {}, frames: [] }
  window.__bench = state
  // When each row first shows its contact available: the mutation callback runs right after
  // Svelte changed the DOM, in the frame that paints it. No per-frame scan of the page: the
  // probe must not be what slows it.
  const available = '[data-testid="contact"][data-state="available"]'
  const stamp = (el) => {
    const uri = el.getAttribute('data-uri')
    if (!uri || uri in state.shownAt) return
    const now = performance.timeOrigin + performance.now()
    state.shownAt[uri] = now
    state.first ||= now
    state.last = now
    if (++state.shown >= total) state.all = now
  }
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') {
        if (r.target.matches?.(available)) stamp(r.target)
        continue
      }
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue
        if (n.matches(available)) stamp(n)
        for (const el of n.querySelectorAll(available)) stamp(el)
      }
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] })
  for (const type of ['long-animation-frame', 'longtask']) {
    if (!PerformanceObserver.supportedEntryTypes.includes(type)) continue
    state.type = type
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        state.longest = Math.max(state.longest, e.duration)
        if (e.duration <= 50) continue
        state.long++
        // Where a long frame went: our script, style and layout, the rest of rendering.
        const end = e.startTime + e.duration
        state.frames.push({
          duration: Math.round(e.duration),
          script: Math.round((e.scripts ?? []).reduce((a, s) => a + s.duration, 0)),
          styleLayout: e.styleAndLayoutStart ? Math.round(end - e.styleAndLayoutStart) : null,
          render: e.renderStart ? Math.round(end - e.renderStart) : null,
          scripts: (e.scripts ?? []).slice(0, 3).map((s) => (s.invoker || s.name) + ' ' + Math.round(s.duration))
        })
      }
    }).observe({ type, buffered: false })
    break
  }
})`

export async function benchBrowserStorm(
  lab: Lab,
  baseDir: string,
  count: number
): Promise<BrowserStormResult> {
  const dataDir = mkdtempSync(join(baseDir, 'web-'))
  writeContacts(
    dataDir,
    lab.extraUsers.slice(0, count).map((u) => u.uri)
  )
  let browser: Browser | undefined
  const eventTimesFile = join(dataDir, 'event-times.json')
  const host = await startWebHost(lab, dataDir, eventTimesFile)
  let probe: Probe | undefined
  let partial: Omit<BrowserStormResult, 'lag' | 'shownAfterLastEventMs' | 'coreWindowMs'>
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-gpu'
      ]
    })
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(host.url)
    await page.locator('#signin-aor').fill(lab.users.alice.uri)
    await page.locator('#signin-password').fill(lab.users.alice.password)
    await page.locator('details', { has: page.locator('#signin-server') }).click()
    await page.locator('#signin-server').fill('127.0.0.1')
    await page.locator('#signin-port').fill(String(lab.ports.tls.good))
    await page.evaluate(`${pageProbe}(${JSON.stringify({ text: availableText, total: count })})`)
    // BENCH_CPU_PROFILE=FILE: a Chromium CPU profile of the storm (open in DevTools).
    const profileTo = process.env['BENCH_CPU_PROFILE']
    const cdp = profileTo ? await page.context().newCDPSession(page) : null
    if (cdp) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.start')
    }
    const t0 = Date.now()
    await page.getByTestId('signin-submit').click()
    // Polled from here: the page's CSP (no 'unsafe-eval') rules out waitForFunction.
    let failure: string | null = 'not every contact was shown Available within 30 s'
    for (let i = 0; i < 300; i++) {
      if ((await page.evaluate<number>('window.__bench.all')) > 0) {
        failure = null
        break
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    if (cdp && profileTo) {
      const { profile } = await cdp.send('Profiler.stop')
      writeFileSync(profileTo, JSON.stringify(profile))
    }
    const r = await page.evaluate<Probe>('window.__bench')
    probe = r
    // What the contacts that are not Available show instead (text → count).
    const states = await page.evaluate<Record<string, number>>(
      `[...document.querySelectorAll('[data-testid="contact"]')].reduce((m, el) => { const k = (el.querySelector('[data-testid="contact-state"]')?.textContent ?? '') + ' / ' + (el.querySelector('[data-testid="contact-stale"]')?.textContent ?? ''); m[k] = (m[k] ?? 0) + 1; return m }, {})`
    )
    partial = {
      contacts: count,
      failure: failure ? `${failure} (${r.shown} shown; ${JSON.stringify(states)})` : null,
      allShownMs: r.all ? r.all - t0 : Number.NaN,
      renderWindowMs: r.first ? (r.all || r.last) - r.first : Number.NaN,
      shown: r.shown,
      longestFrameMs: r.longest,
      longFrames: r.long,
      frameEntryType: r.type,
      longestFrames: [...r.frames].sort((a, b) => b.duration - a.duration).slice(0, 10),
      hostRssMb: await rssMb(host.child.pid)
    }
  } finally {
    await browser?.close().catch(() => undefined)
    const exited = new Promise((r) => host.child.once('exit', r))
    host.child.kill('SIGTERM')
    // Let it write its event times (and BENCH_HOST_PROFILE's CPU profile) before going on.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
  }
  return { ...partial, ...deliveryLag(eventTimesFile, probe?.shownAt ?? {}) }
}

/** Core emit → row shown, per contact, from the host's event times and the page's stamps. */
function deliveryLag(
  eventTimesFile: string,
  shownAt: Record<string, number>
): Pick<BrowserStormResult, 'lag' | 'shownAfterLastEventMs' | 'coreWindowMs'> {
  let times: EventTime[] = []
  try {
    times = JSON.parse(readFileSync(eventTimesFile, 'utf8')) as EventTime[]
  } catch {
    // No file: the host did not stop in time; the figures below say n/a.
  }
  const emitted = new Map<string, number>()
  for (const t of times) {
    if (t.channel === 'presence:changed' && t.state === 'available' && t.uri) {
      if (!emitted.has(t.uri)) emitted.set(t.uri, t.at)
    }
  }
  const lags = [...emitted]
    .flatMap(([uri, at]) => (shownAt[uri] === undefined ? [] : [shownAt[uri] - at]))
    .sort((a, b) => a - b)
  const pick = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? NaN
  const emits = [...emitted.values()]
  const shown = Object.values(shownAt)
  return {
    lag: { p50: pick(0.5), p95: pick(0.95), max: lags.at(-1) ?? NaN, contacts: lags.length },
    shownAfterLastEventMs:
      emits.length && shown.length ? Math.max(...shown) - Math.max(...emits) : NaN,
    coreWindowMs: emits.length ? Math.max(...emits) - Math.min(...emits) : NaN
  }
}
