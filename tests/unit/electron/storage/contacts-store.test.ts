import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ContactsFileError, ContactsStore } from '../../../../electron/main/storage/contacts-store'

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

  it('refuses a damaged file instead of overwriting it with an empty roster', async () => {
    await writeFile(join(dir, 'contacts.json'), '{"version":1,"contacts":[')
    await expect(new ContactsStore(dir).list()).rejects.toThrow(ContactsFileError)
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
