import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../../electron/main/core'
import { conversationFileName } from '../../../electron/main/storage/history-store'
import { createTrustParts } from '../../../electron/main/trust-parts'
import { startLab, type Lab } from '../../lab/lab'
import { driveCore } from './core-kit'

// Two people on one computer: accounts signing in one after the other on one data folder, each
// seeing only their own contacts, conversations, unread counts and remembered answers. The real
// lab (Kamailio, dnsmasq, the trust engine) carries the messages.

let lab: Lab
const cores: Core[] = []

beforeAll(async () => {
  lab = await startLab({ runDir: mkdtempSync(join(tmpdir(), 'tl-profiles-lab-')) })
}, 60_000)
afterAll(async () => {
  for (const core of cores) await core.dispose().catch(() => undefined)
  await lab?.stop()
})

function makeCore(dataDir = mkdtempSync(join(tmpdir(), 'tl-profiles-data-'))) {
  const core = createCore({
    host: 'browser',
    version: '0.0.0-test',
    dataDir,
    trust: createTrustParts({ policyCaFiles: [lab.pki.rootCa] }),
    dnsServers: [`127.0.0.1:${lab.ports.dns}`]
  })
  cores.push(core)
  const { call, waitEvent, seen } = driveCore(core)
  const signIn = async (user: 'alice' | 'bob' | 'carol' | 'dave') => {
    const state = await call('session:sign-in', {
      aor: lab.users[user].uri,
      password: lab.users[user].password
    })
    expect(state.status).toBe('registered')
  }
  return { core, dataDir, call, waitEvent, seen, signIn }
}

/** Every file under `dir`, with its content. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name)
      return { path, text: readFileSync(path, 'utf8') }
    })
}

describe('two accounts on one data folder', () => {
  it('each sees only their own contacts, conversations and unread counts', async () => {
    const shared = makeCore()
    const bob = makeCore()
    const { alice, carol, dave } = lab.users
    await bob.signIn('bob')

    // Alice: a contact, a conversation both ways, one message left unread.
    await shared.signIn('alice')
    await shared.call('contacts:add', { uri: lab.users.bob.uri, displayName: 'Bob' })
    const line = await shared.call('im:send', {
      to: lab.users.bob.uri,
      body: 'alice to bob: secret'
    })
    await shared.waitEvent('im:message-updated', (m) => m.id === line.id && m.state === 'accepted')
    await bob.waitEvent('im:received', (m) => m.body === 'alice to bob: secret')
    await bob.call('im:send', { to: alice.uri, body: 'bob to alice: unread' })
    await shared.waitEvent('im:received', (m) => m.body === 'bob to alice: unread')
    expect((await shared.call('contacts:list'))[0]).toMatchObject({
      uri: lab.users.bob.uri,
      unread: 1
    })
    await shared.call('session:sign-out')

    // Carol on the same core and data folder: nothing of Alice's.
    await shared.signIn('carol')
    expect(await shared.call('contacts:list')).toEqual([])
    expect(await shared.call('im:list-conversations')).toEqual([])
    const empty = await shared.call('im:history', { conversation: lab.users.bob.uri })
    expect(empty).toMatchObject({ messages: [], unread: 0 })
    // Bob writes to Carol: her chat with Bob holds his line and never Alice's.
    await bob.call('im:send', { to: carol.uri, body: 'bob to carol' })
    await shared.waitEvent('im:received', (m) => m.body === 'bob to carol')
    const carolsChat = await shared.call('im:history', { conversation: lab.users.bob.uri })
    expect(carolsChat.messages.map((m) => m.body)).toEqual(['bob to carol'])
    await shared.call('contacts:add', { uri: dave.uri })
    await shared.call('session:sign-out')

    // Alice again: her data as she left it, nothing of Carol's.
    await shared.signIn('alice')
    expect((await shared.call('contacts:list')).map((c) => [c.uri, c.unread])).toEqual([
      [lab.users.bob.uri, 1]
    ])
    const alicesChat = await shared.call('im:history', { conversation: lab.users.bob.uri })
    expect(alicesChat.messages.map((m) => m.body)).toEqual([
      'alice to bob: secret',
      'bob to alice: unread'
    ])
    await shared.call('session:sign-out')

    // A new start on the same folder: Carol still sees only hers.
    await shared.core.dispose()
    const again = makeCore(shared.dataDir)
    await again.signIn('carol')
    expect((await again.call('contacts:list')).map((c) => c.uri)).toEqual([dave.uri])
    const summaries = await again.call('im:list-conversations')
    expect(summaries.map((s) => s.last?.body)).toEqual(['bob to carol'])
    await again.call('session:sign-out')
    await bob.call('session:sign-out')
  }, 90_000)
})

describe('profile folders', () => {
  it("keeps every account's writes in its own folder, private to the user", async () => {
    const shared = makeCore()
    const dave = makeCore()
    await dave.signIn('dave')
    await shared.signIn('alice')
    await shared.call('contacts:add', { uri: lab.users.dave.uri })
    const sent = await shared.call('im:send', {
      to: lab.users.dave.uri,
      body: 'only-alice-wrote-this'
    })
    await shared.waitEvent('im:message-updated', (m) => m.id === sent.id && m.state === 'accepted')
    await dave.call('im:send', { to: lab.users.alice.uri, body: 'only-alice-received-this' })
    await shared.waitEvent('im:received', (m) => m.body === 'only-alice-received-this')
    // Signing out while a message to Alice is still on its way: it lands in her history, or
    // nowhere, never in the next account's.
    await dave.call('im:send', { to: lab.users.alice.uri, body: 'late-for-alice' })
    await shared.call('session:sign-out')
    await shared.signIn('carol')
    await dave.call('im:send', { to: lab.users.carol.uri, body: 'only-carol-received-this' })
    await shared.waitEvent('im:received', (m) => m.body === 'only-carol-received-this')
    await shared.call('session:sign-out')
    await dave.call('session:sign-out')

    const profiles = join(shared.dataDir, 'profiles')
    expect(readdirSync(profiles).sort()).toEqual([`alice@${lab.domain}`, `carol@${lab.domain}`])
    const alices = filesUnder(join(profiles, `alice@${lab.domain}`))
    const carols = filesUnder(join(profiles, `carol@${lab.domain}`))
    const text = (files: { text: string }[]) => files.map((f) => f.text).join('\n')
    expect(text(alices)).toContain('only-alice-wrote-this')
    expect(text(alices)).toContain('only-alice-received-this')
    expect(text(carols)).toContain('only-carol-received-this')
    for (const theirs of ['only-alice', 'late-for-alice'])
      expect(text(carols)).not.toContain(theirs)
    expect(text(alices)).not.toContain('only-carol')
    // Nothing of either account at the top of the data folder.
    for (const name of readdirSync(shared.dataDir)) {
      expect(['profiles', 'profiles.json', 'trust-exceptions.json']).toContain(name)
    }

    // Folders 0700, files 0600: other users of the computer read none of it.
    if (process.platform !== 'win32') {
      for (const dir of [
        profiles,
        ...['alice', 'carol'].map((u) => join(profiles, `${u}@${lab.domain}`))
      ]) {
        expect((statSync(dir).mode & 0o777).toString(8)).toBe('700')
      }
      expect(
        (statSync(join(profiles, `alice@${lab.domain}`, 'history')).mode & 0o777).toString(8)
      ).toBe('700')
      for (const f of [...alices, ...carols]) {
        expect([f.path, (statSync(f.path).mode & 0o777).toString(8)]).toEqual([f.path, '600'])
      }
    }
  }, 90_000)
})

/** The files an earlier version kept for its one user at the top of the data folder. */
function oldSingleProfile(dir: string, remembered: string | null): void {
  const bob = lab.users.bob.uri
  writeFileSync(
    join(dir, 'contacts.json'),
    JSON.stringify({ version: 1, contacts: [{ uri: bob }] })
  )
  mkdirSync(join(dir, 'history'), { mode: 0o755 })
  const msg = {
    id: 'old-1',
    conversation: bob,
    direction: 'in',
    body: 'from the earlier version',
    sentAt: '2026-01-01T00:00:00.000Z',
    state: 'received'
  }
  writeFileSync(
    join(dir, 'history', conversationFileName(bob)),
    `${JSON.stringify({ t: 'msg', msg })}\n`,
    { mode: 0o644 }
  )
  writeFileSync(
    join(dir, 'account.json'),
    JSON.stringify({
      version: 1,
      account: remembered ? { aor: remembered, hasSavedPassword: false } : null,
      sealedPassword: null
    })
  )
  writeFileSync(join(dir, 'trust-exceptions.json'), JSON.stringify({ version: 1, exceptions: [] }))
}

describe('the single profile of an earlier version', () => {
  it("moves to the remembered account's profile, shown before sign-in, and says so", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-profiles-old-'))
    oldSingleProfile(dataDir, lab.users.alice.uri)
    const c = makeCore(dataDir)
    expect(await c.call('profile:get')).toEqual({ aor: lab.users.alice.uri })
    expect((await c.call('contacts:list')).map((x) => x.uri)).toEqual([lab.users.bob.uri])
    expect(await c.call('account:get-saved')).toMatchObject({
      account: { aor: lab.users.alice.uri }
    })
    const dir = join(dataDir, 'profiles', `alice@${lab.domain}`)
    const notices = await c.call('app:list-notices')
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({
      code: 'profile-migrated',
      params: { aor: lab.users.alice.uri, path: dir }
    })
    // Trust exceptions stay the computer's; the rest is gone from the top.
    expect(readdirSync(dataDir).sort()).toEqual([
      'profiles',
      'profiles.json',
      'trust-exceptions.json'
    ])
    if (process.platform !== 'win32') {
      expect((statSync(join(dir, 'history')).mode & 0o777).toString(8)).toBe('700')
      const file = join(dir, 'history', conversationFileName(lab.users.bob.uri))
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600')
    }
    await c.signIn('alice')
    const history = await c.call('im:history', { conversation: lab.users.bob.uri })
    expect(history.messages.map((m) => m.body)).toEqual(['from the earlier version'])
    await c.call('session:sign-out')
    // Another account signing in on the same folder gets none of it.
    await c.signIn('carol')
    expect(await c.call('contacts:list')).toEqual([])
    expect(await c.call('im:list-conversations')).toEqual([])
    await c.call('session:sign-out')
    // After sign-out the remembered account's data is shown again, as at start.
    expect(await c.call('profile:get')).toEqual({ aor: lab.users.alice.uri })
  }, 60_000)

  it('whose owner nobody knows goes to the first account that signs in, with a notice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-profiles-old-'))
    oldSingleProfile(dataDir, null)
    const c = makeCore(dataDir)
    // Before anyone signs in: no profile, empty lists, and a notice saying where the data is.
    expect(await c.call('profile:get')).toBeNull()
    expect(await c.call('contacts:list')).toEqual([])
    expect(await c.call('im:list-conversations')).toEqual([])
    const unclaimed = join(dataDir, 'profiles', 'migrated')
    const notices = await c.call('app:list-notices')
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ code: 'profile-unclaimed', params: { path: unclaimed } })
    await c.signIn('dave')
    expect((await c.call('contacts:list')).map((x) => x.uri)).toEqual([lab.users.bob.uri])
    const history = await c.call('im:history', { conversation: lab.users.bob.uri })
    expect(history.messages.map((m) => m.body)).toEqual(['from the earlier version'])
    const claimed = (await c.call('app:list-notices')).find((n) => n.code === 'profile-claimed')
    expect(claimed).toMatchObject({
      params: { aor: lab.users.dave.uri, path: join(dataDir, 'profiles', `dave@${lab.domain}`) }
    })
    await c.call('session:sign-out')
    // Claimed once: the next account starts empty.
    await c.signIn('carol')
    expect(await c.call('contacts:list')).toEqual([])
    await c.call('session:sign-out')
  }, 60_000)
})

describe("an account's own CA certificates", () => {
  it('trust the server for that account only, as anchors from the account, until removed', async () => {
    // No CA from policy or the command line: the lab's root is unknown to this core.
    const core = createCore({
      host: 'browser',
      version: '0.0.0-test',
      dataDir: mkdtempSync(join(tmpdir(), 'tl-profiles-ca-')),
      trust: createTrustParts({ platformAnchors: false }),
      dnsServers: [`127.0.0.1:${lab.ports.dns}`]
    })
    cores.push(core)
    const { call } = driveCore(core)
    const signIn = (user: 'carol' | 'dave') =>
      call('session:sign-in', { aor: lab.users[user].uri, password: lab.users[user].password })
    const base64 = (path: string) => readFileSync(path).toString('base64')

    const refused = await signIn('carol')
    expect(refused).toMatchObject({ status: 'failed', failure: { code: 'untrusted' } })
    expect((await call('trust:get-report'))?.headline?.code).toBe('unknown-issuer')
    // Carol's profile is shown since her sign-in started: the CA goes there.
    expect(await call('profile:list-cas')).toEqual({
      aor: lab.users.carol.uri,
      cas: [],
      locked: null
    })

    // A server certificate and a file that is no certificate are refused, saying why.
    for (const [file, data, code] of [
      ['server.pem', base64(lab.pki.servers.good.cert), 'ca-file-not-ca'],
      ['notes.txt', Buffer.from('not a certificate').toString('base64'), 'ca-file-invalid']
    ] as const) {
      const r = await core.dispatcher.invoke('profile:add-ca', { fileName: file, dataBase64: data })
      expect(r).toMatchObject({ ok: false, error: { code } })
    }
    expect((await call('profile:list-cas')).cas).toEqual([])

    const list = await call('profile:add-ca', {
      fileName: 'lab-root.der',
      dataBase64: base64(lab.pki.rootCaDer)
    })
    expect(list.cas).toHaveLength(1)
    expect(list.cas[0]).toMatchObject({ fileName: 'lab-root.der' })
    expect(list.cas[0]?.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(list.cas[0]?.subject).toContain('CN=')
    expect(Date.parse(list.cas[0]?.addedAt ?? '')).not.toBeNaN()

    expect((await signIn('carol')).status).toBe('registered')
    const report = await call('trust:get-report')
    expect(report).toMatchObject({ verdict: 'trusted', anchor: { source: 'account' } })
    await call('session:sign-out')

    // Dave on the same computer does not trust what Carol added.
    expect((await signIn('dave')).status).toBe('failed')
    expect(await call('profile:list-cas')).toMatchObject({ aor: lab.users.dave.uri, cas: [] })

    // Removed: Carol's server is unknown again.
    expect((await signIn('carol')).status).toBe('registered')
    await call('profile:remove-ca', { sha256: list.cas[0]!.sha256 })
    expect((await signIn('carol')).status).toBe('failed')
  }, 90_000)
})
