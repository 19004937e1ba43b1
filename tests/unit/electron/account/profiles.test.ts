import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { SecretVault } from '../../../../electron/main/account/account-store'
import {
  profileFolderName,
  Profiles,
  type Profile
} from '../../../../electron/main/account/profiles'
import { NoticeBoard } from '../../../../electron/main/notices'
import { conversationFileName } from '../../../../electron/main/storage/history-store'
import type { ImMessage } from '../../../../shared/types/im'
import type { ProfileView } from '../../../../shared/types/profile'

/** A vault that "seals" by reversing the bytes: enough to see the password is not stored plain. */
const vault: SecretVault = {
  status: () => Promise.resolve({ available: true, reason: null }),
  encrypt: (plain) => Promise.resolve(Buffer.from(plain).reverse()),
  decrypt: (sealed) => Promise.resolve(Buffer.from(sealed).reverse().toString())
}

const alice = 'sip:alice@example.org'
const carol = 'sip:carol@example.org'

function make(dataDir = mkdtempSync(join(tmpdir(), 'tl-profiles-'))) {
  const notices = new NoticeBoard(null)
  const changes: (ProfileView | null)[] = []
  const profiles = new Profiles({
    dataDir,
    vault,
    storage: { notices },
    onChanged: (_profile, view) => {
      changes.push(view)
    }
  })
  return { profiles, dataDir, notices, changes }
}

const message = (id: string, conversation: string, body: string): ImMessage => ({
  id,
  conversation,
  direction: 'out',
  body,
  sentAt: '2026-01-01T00:00:00.000Z',
  state: 'sending'
})

/** The lines of a conversation's history file in a profile. */
function historyLines(profile: Profile, peer: string): string[] {
  const file = join(profile.dir, 'history', conversationFileName(peer))
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []
}

describe('profileFolderName', () => {
  it('is the plain address when that is plain lower-case ASCII', () => {
    expect(profileFolderName('sip:alice@example.org')).toBe('alice@example.org')
    expect(profileFolderName('<sips:alice@Example.ORG;transport=tls>')).toBe('alice@example.org')
  })

  it('keeps addresses apart that a case-insensitive file system would merge', () => {
    const upper = profileFolderName('sip:Alice@example.org')
    expect(upper).not.toBe(profileFolderName('sip:alice@example.org'))
    expect(upper).toMatch(/^alice@example\.org~[0-9a-f]{12}$/)
    expect(upper.toLowerCase()).not.toBe(profileFolderName('sip:alice@example.org'))
  })

  it('never makes a path, a hidden folder or the unclaimed folder out of an address', () => {
    for (const aor of [
      'sip:../../etc@example.org',
      'sip:a/b\\c@example.org',
      'sip:.hidden@example.org',
      'sip:migrated@example.org',
      'sip:bücher@bücher.example'
    ]) {
      const name = profileFolderName(aor)
      expect(name).not.toMatch(/[/\\]/)
      expect(name.startsWith('.')).toBe(false)
      expect(name).not.toBe('migrated')
      expect(name).toContain('@')
    }
    expect(profileFolderName('sip:bücher@bücher.example')).toMatch(/@xn--bcher-kva\.example~/)
  })
})

describe('Profiles', () => {
  it('shows no profile before any sign-in: empty lists, nothing to write into', async () => {
    const { profiles } = make()
    await profiles.start()
    expect(profiles.active).toBeNull()
    expect(await profiles.contacts.list()).toEqual([])
    expect(await profiles.history.summaries()).toEqual([])
    expect(await profiles.history.history('sip:bob@example.org')).toMatchObject({
      messages: [],
      unread: 0
    })
    await expect(profiles.contacts.add({ uri: 'sip:bob@example.org' })).rejects.toMatchObject({
      code: 'not-signed-in'
    })
    await expect(
      profiles.history.append(message('m1', 'sip:bob@example.org', 'x'))
    ).rejects.toMatchObject({ code: 'not-signed-in' })
  })

  it("answers for the profile shown: one account's data is never another's", async () => {
    const { profiles, changes } = make()
    await profiles.open(alice, 'Alice')
    await profiles.contacts.add({ uri: 'sip:bob@example.org' })
    await profiles.history.append(message('a1', 'sip:bob@example.org', 'from alice'))
    await profiles.open(carol)
    expect(await profiles.contacts.list()).toEqual([])
    expect(await profiles.history.summaries()).toEqual([])
    await profiles.open(alice)
    expect(await profiles.contacts.list()).toEqual([{ uri: 'sip:bob@example.org' }])
    expect(changes).toEqual([
      { aor: alice, displayName: 'Alice' },
      { aor: carol },
      { aor: alice, displayName: 'Alice' }
    ])
  })

  it('writes a message state change to the profile the message was written to', async () => {
    const { profiles } = make()
    const a = await profiles.open(alice)
    await profiles.history.append(message('m1', 'sip:bob@example.org', 'from alice'))
    const c = await profiles.open(carol)
    // The answer to Alice's message comes after Carol's data is shown.
    const updated = await profiles.history.updateState('sip:bob@example.org', 'm1', 'accepted')
    expect(updated).toMatchObject({ id: 'm1', state: 'accepted' })
    expect(historyLines(a, 'sip:bob@example.org')).toHaveLength(2)
    expect(historyLines(c, 'sip:bob@example.org')).toEqual([])
    // Incoming copies are looked for, and stored, in the profile shown.
    expect(await profiles.history.findReceived('sip:bob@example.org', 'k')).toBeUndefined()
  })

  it('makes each folder private and records whose it is', async () => {
    const { profiles } = make()
    const p = await profiles.open('sip:Alice@Example.org', 'Alice A.')
    expect(p.aor).toBe('sip:Alice@example.org')
    expect(JSON.parse(readFileSync(join(p.dir, 'profile.json'), 'utf8'))).toMatchObject({
      aor: 'sip:Alice@example.org',
      displayName: 'Alice A.'
    })
  })

  it('remembers one account: its profile is shown at the next start; another replaces it', async () => {
    const first = make()
    await first.profiles.open(alice)
    await first.profiles.remember({ aor: alice, displayName: 'Alice' }, 'hunter2')
    const aliceAccount = join(first.profiles.folderOf(alice), 'account.json')
    expect(readFileSync(aliceAccount, 'utf8')).not.toContain('hunter2')

    const again = make(first.dataDir)
    await again.profiles.start()
    expect(again.profiles.view).toEqual({ aor: alice })
    expect(await again.profiles.remembered()).toMatchObject({ aor: alice, hasSavedPassword: true })
    expect(await again.profiles.password(alice)).toBe('hunter2')
    expect(await again.profiles.password(carol)).toBeNull()

    await again.profiles.open(carol)
    await again.profiles.remember({ aor: carol }, 'carols')
    expect(await again.profiles.remembered()).toMatchObject({ aor: carol })
    // Alice's sealed password went with her being remembered.
    expect(JSON.parse(readFileSync(aliceAccount, 'utf8'))).toMatchObject({
      account: null,
      sealedPassword: null
    })
    await again.profiles.showRemembered()
    expect(again.profiles.view).toEqual({ aor: carol })

    expect(await again.profiles.forget()).toBe(true)
    expect(await again.profiles.remembered()).toBeNull()
    await again.profiles.showRemembered()
    expect(again.profiles.active).toBeNull()
  })

  it('moves an earlier single profile to the remembered account, account.json last', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-profiles-old-'))
    writeFileSync(join(dataDir, 'contacts.json'), JSON.stringify({ version: 1, contacts: [] }))
    writeFileSync(
      join(dataDir, 'account.json'),
      JSON.stringify({
        version: 1,
        account: { aor: alice, hasSavedPassword: false },
        sealedPassword: null
      })
    )
    writeFileSync(join(dataDir, 'trust-exceptions.json'), '{"version":1,"exceptions":[]}')
    const { profiles, notices } = make(dataDir)
    await profiles.start()
    expect(profiles.view).toEqual({ aor: alice })
    expect(readdirSync(dataDir).sort()).toEqual([
      'profiles',
      'profiles.json',
      'trust-exceptions.json'
    ])
    expect(readdirSync(profiles.folderOf(alice)).sort()).toEqual([
      'account.json',
      'contacts.json',
      'profile.json'
    ])
    expect(notices.list()).toMatchObject([
      { code: 'profile-migrated', params: { aor: alice, path: profiles.folderOf(alice) } }
    ])
    // Once: a second start moves nothing and says nothing.
    const again = make(dataDir)
    await again.profiles.start()
    expect(again.notices.list()).toEqual([])
  })

  it('finishes a move that a crash cut short, for the same account', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-profiles-old-'))
    const { profiles: layout } = make(dataDir)
    // The crash came after contacts.json moved: account.json (moved last) still says whose.
    mkdirSync(layout.folderOf(alice), { recursive: true })
    writeFileSync(
      join(layout.folderOf(alice), 'contacts.json'),
      JSON.stringify({ version: 1, contacts: [{ uri: 'sip:bob@example.org' }] })
    )
    mkdirSync(join(dataDir, 'history'))
    writeFileSync(
      join(dataDir, 'account.json'),
      JSON.stringify({
        version: 1,
        account: { aor: alice, hasSavedPassword: false },
        sealedPassword: null
      })
    )
    const { profiles } = make(dataDir)
    await profiles.start()
    expect(readdirSync(profiles.folderOf(alice)).sort()).toEqual([
      'account.json',
      'contacts.json',
      'history',
      'profile.json'
    ])
    expect(await profiles.contacts.list()).toEqual([{ uri: 'sip:bob@example.org' }])
  })

  it('keeps data nobody owns for the first sign-in, saying so at each start until then', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-profiles-old-'))
    writeFileSync(
      join(dataDir, 'contacts.json'),
      JSON.stringify({ version: 1, contacts: [{ uri: 'sip:bob@example.org' }] })
    )
    const first = make(dataDir)
    await first.profiles.start()
    expect(first.profiles.active).toBeNull()
    expect(first.notices.list()).toMatchObject([{ code: 'profile-unclaimed' }])
    const second = make(dataDir)
    await second.profiles.start()
    expect(second.notices.list()).toMatchObject([{ code: 'profile-unclaimed' }])
    // An account that has a profile already does not take it.
    mkdirSync(second.profiles.folderOf(carol), { recursive: true })
    await second.profiles.open(carol)
    expect(await second.profiles.contacts.list()).toEqual([])
    await second.profiles.open(alice)
    expect(await second.profiles.contacts.list()).toEqual([{ uri: 'sip:bob@example.org' }])
    // Told once the sign-in that took it registered (sign-in-switch.test.ts: a failed one does not).
    await second.profiles.settleClaim(alice, true)
    expect(second.notices.list().map((n) => n.code)).toContain('profile-claimed')
    expect(existsSync(join(second.profiles.root, 'migrated'))).toBe(false)
  })
})
