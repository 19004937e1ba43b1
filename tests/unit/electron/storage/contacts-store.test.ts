import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ContactsStore } from '../../../../electron/main/storage/contacts-store'
import { NoticeBoard } from '../../../../electron/main/notices'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-contacts-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('ContactsStore', () => {
  it('starts empty, adds, updates, removes and persists', async () => {
    const s = new ContactsStore(dir)
    expect(await s.list()).toEqual([])
    await s.add({ uri: 'sip:bob@Example.org' })
    await s.add({ uri: 'sip:carol@example.org', displayName: 'Carol' })
    await s.add({ uri: 'sip:bob@example.org', displayName: 'Bob' })
    expect(await s.remove('sip:nobody@example.org')).toBe(false)
    expect(await s.remove('sip:carol@EXAMPLE.org')).toBe(true)
    expect(await new ContactsStore(dir).list()).toEqual([
      { uri: 'sip:bob@example.org', displayName: 'Bob' }
    ])
    const json = JSON.parse(await readFile(s.path, 'utf8')) as { version: number }
    expect(json.version).toBe(1)
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('moves a damaged file aside (never overwrites it), reports it, and starts a fresh roster', async () => {
    const damaged = '{"version":1,"contacts":['
    await writeFile(join(dir, 'contacts.json'), damaged)
    const notices = new NoticeBoard(null)
    const s = new ContactsStore(dir, { notices })
    expect(await s.list()).toEqual([])
    const [notice] = notices.list()
    expect(notice).toMatchObject({
      code: 'file-damaged',
      params: { file: 'contacts', damage: 'not-json', kept: 0 }
    })
    if (notice?.code !== 'file-damaged') throw new Error('no notice')
    expect(await readFile(notice.params.backupPath, 'utf8')).toBe(damaged)
    await s.add({ uri: 'sip:bob@example.org' })
    expect(await new ContactsStore(dir).list()).toEqual([{ uri: 'sip:bob@example.org' }])
  })

  it('serializes concurrent changes', async () => {
    const s = new ContactsStore(dir)
    await Promise.all(['a', 'b', 'c', 'd'].map((u) => s.add({ uri: `sip:${u}@x.org` })))
    expect((await new ContactsStore(dir).list()).map((c) => c.uri).sort()).toEqual([
      'sip:a@x.org',
      'sip:b@x.org',
      'sip:c@x.org',
      'sip:d@x.org'
    ])
  })
})
