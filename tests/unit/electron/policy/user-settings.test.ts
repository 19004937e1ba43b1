import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { NoticeBoard, NoticeRelay } from '../../../../electron/main/notices'
import { UserSettingsFile } from '../../../../electron/main/policy/user-settings'

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tl-user-settings-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('UserSettingsFile', () => {
  it('starts with no choices, keeps a choice across a restart', async () => {
    const file = join(dir, 'user-settings.json')
    const first = await UserSettingsFile.open(file)
    expect(first.get()).toEqual({})
    await first.set({ sendReadReceipts: false })
    expect((await UserSettingsFile.open(file)).get()).toEqual({ sendReadReceipts: false })
  })

  it('moves a damaged file aside and reports it as a notice once the core is there', async () => {
    const file = join(dir, 'user-settings.json')
    await writeFile(file, '{ "sendReadReceipts": "yes" }')
    const logs: string[] = []
    // Read before the core exists, as the hosts do: the notice waits for the board.
    const early = new NoticeRelay()
    const settings = await UserSettingsFile.open(file, {
      notices: early,
      log: (m) => logs.push(m)
    })
    expect(settings.get()).toEqual({})
    expect(logs.join('\n')).toMatch(/damaged.*kept as/)
    const board = new NoticeBoard(null)
    early.attach(board)
    const [notice] = board.list()
    expect(notice).toMatchObject({
      code: 'file-damaged',
      params: { file: 'user-settings', path: file, damage: 'invalid', kept: 0 }
    })
    if (notice?.code !== 'file-damaged') throw new Error('no file-damaged notice')
    // Nothing was deleted: the damaged bytes are in the backup.
    expect(await readFile(notice.params.backupPath, 'utf8')).toBe('{ "sendReadReceipts": "yes" }')
    expect((await readdir(dir)).filter((f) => f !== 'user-settings.json')).toHaveLength(1)
    // A new choice is saved in a fresh file.
    await settings.set({ sendReadReceipts: true })
    expect((await UserSettingsFile.open(file)).get()).toEqual({ sendReadReceipts: true })
  })

  it('keeps the old choice when the new one could not be saved', async () => {
    const file = join(dir, 'user-settings.json')
    const failing = {
      ...(await import('../../../../electron/main/storage/durable')).nodeFs,
      open: () => Promise.reject(Object.assign(new Error('no space left'), { code: 'ENOSPC' }))
    }
    const settings = await UserSettingsFile.open(file, { fs: failing })
    await expect(settings.set({ sendReadReceipts: false })).rejects.toThrow()
    expect(settings.get()).toEqual({})
  })
})
