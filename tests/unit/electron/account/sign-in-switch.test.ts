import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Profiles } from '../../../../electron/main/account/profiles'
import { SignInService } from '../../../../electron/main/account/sign-in-service'
import { NoticeBoard } from '../../../../electron/main/notices'
import type { SessionState, SignInRequest } from '../../../../shared/types/sip'

// Switching accounts after the first one's session failed (a connection given up, a server no
// longer trusted): a message of the first account still on its way to the disk must land in the
// first account's profile, never in the one shown next.
it("a failed account's message still being stored lands in its own profile, not the next one's", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tl-switch-'))
  const profiles = new Profiles({
    dataDir,
    vault: null,
    storage: { notices: new NoticeBoard(null) }
  })
  let state: SessionState = { status: 'signed-out' }
  let storing: Promise<unknown> = Promise.resolve()
  const session = {
    get state() {
      return state
    },
    signIn: (request: SignInRequest) => {
      state = { status: 'registered', aor: request.aor }
      return Promise.resolve(state)
    },
    // As the real session does: sign-out waits for the messages being received to be stored.
    signOut: async () => {
      await storing
      state = { status: 'signed-out' }
    }
  }
  const service = new SignInService({
    session,
    connection: { configure: () => undefined },
    profiles,
    policy: () => null
  })
  await service.signIn({ aor: 'sip:alice@example.org', password: 'a' })
  state = { status: 'failed', failure: { code: 'network', reason: 'gone' } }
  // alice's incoming message: looked up, then written a moment later.
  storing = (async () => {
    await profiles.history.findReceived('sip:peer@example.org', 'k')
    await new Promise((resolve) => setTimeout(resolve, 20))
    await profiles.history.append({
      id: 'm1',
      conversation: 'sip:peer@example.org',
      direction: 'in',
      body: 'for alice',
      sentAt: new Date().toISOString(),
      state: 'received',
      dedupeKey: 'k'
    })
  })()
  await service.signIn({ aor: 'sip:bob@example.org', password: 'b' })
  expect((await profiles.history.history('sip:peer@example.org')).messages).toEqual([])
  await service.signIn({ aor: 'sip:alice@example.org', password: 'a' })
  const alices = (await profiles.history.history('sip:peer@example.org')).messages
  expect(alices.map((m) => m.body)).toEqual(['for alice'])
})

describe('the earlier version’s unclaimed profile', () => {
  function setup(outcome: SessionState['status']) {
    const dataDir = mkdtempSync(join(tmpdir(), 'tl-claim-'))
    // An earlier version's single profile with no remembered account: it waits for a sign-in.
    writeFileSync(
      join(dataDir, 'contacts.json'),
      JSON.stringify({ version: 1, contacts: [{ uri: 'sip:bob@example.org' }] })
    )
    const notices = new NoticeBoard(null)
    const profiles = new Profiles({ dataDir, vault: null, storage: { notices } })
    let state: SessionState = { status: 'signed-out' }
    const service = new SignInService({
      session: {
        get state() {
          return state
        },
        signIn: (request: SignInRequest) => {
          state =
            outcome === 'registered'
              ? { status: 'registered', aor: request.aor }
              : {
                  status: 'failed',
                  failure: { code: 'wrong-password', reason: 'wrong password' }
                }
          return Promise.resolve(state)
        },
        signOut: () => {
          state = { status: 'signed-out' }
          return Promise.resolve()
        }
      },
      connection: { configure: () => undefined },
      profiles,
      policy: () => null
    })
    return { dataDir, profiles, service, notices }
  }

  it('is not taken by a sign-in that fails (a typo, a wrong password)', async () => {
    const t = setup('failed')
    await t.profiles.start()
    const unclaimed = join(t.dataDir, 'profiles', 'migrated')
    expect(existsSync(unclaimed)).toBe(true)
    await t.service.signIn({ aor: 'sip:alcie@example.org', password: 'typo' })
    expect(existsSync(unclaimed)).toBe(true)
    expect(existsSync(t.profiles.folderOf('sip:alcie@example.org'))).toBe(false)
    expect(await t.profiles.contacts.list()).toEqual([])
    expect(t.notices.list().map((n) => n.code)).not.toContain('profile-claimed')
  })

  it('is taken by the first sign-in that registers, and the user is told', async () => {
    const t = setup('registered')
    await t.profiles.start()
    await t.service.signIn({ aor: 'sip:alice@example.org', password: 'right' })
    expect(existsSync(join(t.dataDir, 'profiles', 'migrated'))).toBe(false)
    expect((await t.profiles.contacts.list()).map((c) => c.uri)).toEqual(['sip:bob@example.org'])
    expect(t.notices.list().map((n) => n.code)).toContain('profile-claimed')
  })
})
