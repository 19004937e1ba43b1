import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
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
