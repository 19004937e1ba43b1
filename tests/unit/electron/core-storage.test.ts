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
import { createCore, type Core } from '../../../electron/main/core'
import { conversationFileName } from '../../../electron/main/storage/history-store'
import { createTrustParts } from '../../../electron/main/trust-parts'
import type { Notice } from '../../../shared/types/notice'

function newCore(dir: string): Core {
  return createCore({
    host: 'browser',
    version: '0',
    dataDir: dir,
    trust: createTrustParts({ platformAnchors: false })
  })
}

async function call(core: Core, channel: string, payload?: unknown): Promise<unknown> {
  const r = await core.dispatcher.invoke(channel, payload)
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`)
  return r.value
}

/** The notices the core raised, once `count` of them are there (it checks its files at start). */
async function notices(core: Core, count = 1): Promise<Notice[]> {
  const start = Date.now()
  for (;;) {
    const list = (await call(core, 'app:list-notices')) as Notice[]
    if (list.length >= count) return list
    if (Date.now() - start > 10_000) throw new Error(`only ${list.length} notice(s)`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const alice = 'sip:alice@example.org'

/**
 * A data folder whose remembered account is Alice: her profile is shown at start, so its files
 * are read then. Returns her profile folder.
 */
function rememberAlice(dir: string): string {
  const profile = join(dir, 'profiles', 'alice@example.org')
  mkdirSync(profile, { recursive: true })
  writeFileSync(join(dir, 'profiles.json'), JSON.stringify({ version: 1, remembered: alice }))
  writeFileSync(
    join(profile, 'account.json'),
    JSON.stringify({
      version: 1,
      account: { aor: alice, hasSavedPassword: false },
      sealedPassword: null
    })
  )
  return profile
}

// Trust exceptions are the computer's (top of the data folder); the rest is Alice's profile.
const damagedFiles = [
  ['contacts.json', 'contacts', 'profile'],
  ['trust-exceptions.json', 'trust-exceptions', 'top'],
  ['domain-decisions.json', 'domain-decisions', 'profile'],
  ['account.json', 'account', 'profile']
] as const

describe('damaged local files', () => {
  it.each(damagedFiles)(
    'a corrupt %s is moved aside under a new name each time, reported, and the rest works',
    async (name, kind, where) => {
      const dir = mkdtempSync(join(tmpdir(), 'tl-core-damaged-'))
      const profile = rememberAlice(dir)
      const path = join(where === 'top' ? dir : profile, name)
      const backups: string[] = []
      for (const garbage of ['{ not json', '["still", "not", "ours"]']) {
        writeFileSync(path, garbage)
        const core = newCore(dir)
        const [notice] = await notices(core)
        expect(notice).toMatchObject({
          code: 'file-damaged',
          params: { file: kind, path, kept: 0 }
        })
        if (notice?.code !== 'file-damaged') throw new Error('no file-damaged notice')
        backups.push(notice.params.backupPath)
        // Nothing was deleted: the damaged bytes are in the backup.
        expect(readFileSync(notice.params.backupPath, 'utf8')).toBe(garbage)
        // The rest keeps working.
        await call(core, 'contacts:add', { uri: 'sip:bob@example.org' })
        expect(await call(core, 'contacts:list')).toMatchObject([{ uri: 'sip:bob@example.org' }])
        expect(await call(core, 'trust:list-exceptions')).toEqual([])
        expect(await call(core, 'trust:list-domain-decisions')).toEqual([])
        expect(await call(core, 'account:get-saved')).toMatchObject({
          account: kind === 'account' ? null : { aor: alice }
        })
        await core.dispose()
        if (kind === 'account') rememberAlice(dir)
      }
      // The second backup did not overwrite the first.
      expect(new Set(backups).size).toBe(2)
      expect(backups.every((b) => existsSync(b))).toBe(true)
    }
  )

  it('keeps the valid contacts of a partly damaged contacts.json and says how many', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-core-damaged-'))
    writeFileSync(
      join(rememberAlice(dir), 'contacts.json'),
      JSON.stringify({
        version: 1,
        contacts: [{ uri: 'sip:bob@example.org' }, { uri: 42 }, { uri: 'sip:carol@example.org' }]
      })
    )
    const core = newCore(dir)
    const [notice] = await notices(core)
    expect(notice).toMatchObject({ code: 'file-damaged', params: { file: 'contacts', kept: 2 } })
    const list = (await call(core, 'contacts:list')) as { uri: string }[]
    expect(list.map((c) => c.uri)).toEqual(['sip:bob@example.org', 'sip:carol@example.org'])
    // Presence watches them: the roster did not die with the damaged file.
    expect(core.sip.session.subscriptions.list().map((c) => c.uri)).toEqual([
      'sip:bob@example.org',
      'sip:carol@example.org'
    ])
    await core.dispose()
    // What was kept is stored again, so the next start finds a valid file.
    const again = newCore(dir)
    expect(((await call(again, 'contacts:list')) as unknown[]).length).toBe(2)
    expect(await call(again, 'app:list-notices')).toEqual([])
    await again.dispose()
  })

  it('a file where the history folder belongs is moved aside; history works again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-core-damaged-'))
    const profile = rememberAlice(dir)
    writeFileSync(join(profile, 'history'), 'I am not a folder')
    const core = newCore(dir)
    expect(await call(core, 'im:list-conversations')).toEqual([])
    const [notice] = await notices(core)
    expect(notice).toMatchObject({
      code: 'file-damaged',
      params: { file: 'history-folder', damage: 'not-a-folder', path: join(profile, 'history') }
    })
    await core.profiles.history.append({
      id: 'x',
      conversation: 'sip:bob@example.org',
      direction: 'in',
      body: 'hi',
      sentAt: new Date().toISOString(),
      state: 'received'
    })
    expect(await call(core, 'im:history', { conversation: 'sip:bob@example.org' })).toMatchObject({
      messages: [{ id: 'x' }]
    })
    await core.dispose()
  })

  it('a history file with nothing readable is moved aside once, and not read again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-core-damaged-'))
    const profile = rememberAlice(dir)
    mkdirSync(join(profile, 'history'))
    const file = join(profile, 'history', conversationFileName('sip:bob@example.org'))
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 'garbage\n'))
    const core = newCore(dir)
    const history = await call(core, 'im:history', { conversation: 'sip:bob@example.org' })
    expect(history).toMatchObject({ messages: [] })
    const [notice] = await notices(core)
    expect(notice).toMatchObject({
      code: 'file-damaged',
      params: { file: 'history', damage: 'no-valid-records', path: file }
    })
    expect(existsSync(file)).toBe(false)
    await core.dispose()
    const again = newCore(dir)
    expect(await call(again, 'im:history', { conversation: 'sip:bob@example.org' })).toMatchObject({
      messages: []
    })
    expect(
      readdirSync(join(profile, 'history')).filter((n) => n.includes('.damaged-'))
    ).toHaveLength(1)
    await again.dispose()
  })
})
