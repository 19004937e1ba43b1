// Proves the lab's Linphone agent: linphonec registers over TLS with certificate and host-name
// verification on (and refuses a certificate that names another host), MESSAGE both ways with a
// raw SIP client (text/plain, and CPIM with IMDN requests when configured), presence published
// the way the Linphone apps do, and stop() leaves nothing behind.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLab, type Lab } from './lab'
import { linphoneUnavailable, startLabLinphone, type Linphone } from './linphone'
import { groupMembers, isAlive } from './proc'
import { RawSipClient } from './raw-sip'

const unavailable = linphoneUnavailable()
if (unavailable) console.log(`[linphone.test] SKIPPED — ${unavailable}`)

let lab: Lab
let runDir: string
const clients: RawSipClient[] = []
const agents: Linphone[] = []

beforeAll(async () => {
  if (unavailable) return
  runDir = mkdtempSync(join(tmpdir(), 'trustline-lab-lp-'))
  lab = await startLab({ runDir, stopOnExit: true })
}, 60_000)

afterAll(async () => {
  for (const c of clients) c.close()
  for (const a of agents) await a.stop()
  if (lab) await lab.stop()
  if (runDir) rmSync(runDir, { recursive: true, force: true })
}, 30_000)

function raw(user: 'alice' | 'carol'): RawSipClient {
  const c = new RawSipClient({
    port: lab.ports.tls.good,
    ca: readFileSync(lab.pki.rootCa),
    username: user,
    password: lab.users[user].password,
    domain: lab.domain
  })
  clients.push(c)
  return c
}

/** On failure, adds what linphonec printed and the end of its SIP log. */
function explain<T>(agent: Linphone, p: Promise<T>): Promise<T> {
  return p.catch((e: Error) => {
    throw new Error(`${e.message}\n${agent.output()}\n${agent.logText().slice(-6000)}`)
  })
}

describe.skipIf(unavailable)('Linphone (linphonec) in the lab', () => {
  it('registers over TLS with the certificate checked, and refuses a certificate for another host', async () => {
    const bob = await startLabLinphone(lab, 'bob')
    agents.push(bob)
    await bob.waitRegistered()
    expect(bob.logText()).toMatch(/SSL handshake finished/)

    const wrong = await startLabLinphone(lab, 'dave', {
      name: 'dave-wrong-host',
      proxyPort: lab.ports.tls.wrongHost
    })
    agents.push(wrong)
    await expect(wrong.waitRegistered(6000)).rejects.toThrow(/not registered/)
    await wrong.stop()
  })

  it('exchanges MESSAGEs with a raw client: text/plain by default, CPIM with IMDN requests when on', async () => {
    const alice = raw('alice')
    await alice.connect()
    expect((await alice.register()).status).toBe(200)

    const bob = agents.find((a) => a.name === 'bob')!
    bob.sendMessage(lab.users.alice.uri, 'plain hello 你好 ☕')
    const plain = await explain(
      bob,
      alice.waitFor('MESSAGE', (m) => m.body.includes('plain hello'), 10_000)
    )
    expect(plain.header('content-type')).toMatch(/^text\/plain/)
    expect(plain.body).toBe('plain hello 你好 ☕')

    expect((await alice.message(lab.users.bob.uri, 'hi Linphone, from raw ☕')).status).toBe(200)
    expect(await bob.waitMessage((m) => m.text.includes('from raw'))).toMatchObject({
      text: 'hi Linphone, from raw ☕'
    })
    expect(await bob.waitHistory(lab.users.alice.uri, (e) => e.dir === 'in')).toMatchObject({
      text: 'hi Linphone, from raw ☕',
      type: 'text/plain'
    })

    const carol = await startLabLinphone(lab, 'carol', { cpim: true })
    agents.push(carol)
    await carol.waitRegistered()
    carol.sendMessage(lab.users.alice.uri, 'wrapped hello')
    const cpim = await explain(
      carol,
      alice.waitFor('MESSAGE', (m) => m.body.includes('wrapped hello'), 10_000)
    )
    expect(cpim.header('content-type')).toMatch(/^message\/cpim/i)
    expect(cpim.body).toMatch(/^NS: imdn <urn:ietf:params:imdn>$/m)
    expect(cpim.body).toMatch(/^imdn\.Message-ID: \S+$/m)
    expect(cpim.body).toMatch(
      /^imdn\.Disposition-Notification: positive-delivery, negative-delivery, display$/m
    )
    alice.close()
  })

  it('publishes presence as the Linphone apps do: busy = open + away, do-not-disturb = closed + away', async () => {
    const watcher = raw('alice')
    await watcher.connect()
    expect((await watcher.register()).status).toBe(200)
    expect((await watcher.subscribe(lab.users.bob.uri)).status).toBe(200)
    const bob = agents.find((a) => a.name === 'bob')!
    const pidf = (pred: (body: string) => boolean) =>
      watcher.waitFor('NOTIFY', (m) => pred(m.body), 15_000).then((m) => m.body)

    await bob.setPresence('busy')
    const busy = await pidf((b) => /<rpid:away\/>/.test(b) && /<basic>open<\/basic>/.test(b))
    expect(busy).not.toMatch(/<rpid:busy/)
    await bob.setPresence('dnd')
    await pidf((b) => /<rpid:away\/>/.test(b) && /<basic>closed<\/basic>/.test(b))
    await bob.setPresence('online', 'back at my desk')
    await pidf((b) => /back at my desk/.test(b) && /<basic>open<\/basic>/.test(b))
    watcher.close()
  })

  it('stops by PID and leaves nothing behind', async () => {
    const pids = agents.map((a) => a.pid)
    for (const a of agents.splice(0)) await a.stop()
    for (const pid of pids) {
      expect(isAlive(pid)).toBe(false)
      expect(groupMembers(pid)).toEqual([])
    }
  })
})
