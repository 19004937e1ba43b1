import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSipServices } from '../../../../electron/main/sip/services'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-services-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('createSipServices', () => {
  it('loads the roster into the session on start', async () => {
    const sip = createSipServices({
      dataDir: dir,
      connector: () => Promise.reject(new Error('offline'))
    })
    await sip.contacts.add({ uri: 'sip:bob@lab.test' })
    await sip.start()
    expect(sip.session.subscriptions.list().map((c) => c.uri)).toEqual(['sip:bob@lab.test'])
    await sip.shutdown()
    expect(sip.session.state.status).toBe('signed-out')
  })
})
