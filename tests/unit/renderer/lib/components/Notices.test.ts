import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Notice } from '../../../../../shared/types/notice'
import Notices from '../../../../../renderer/src/lib/components/Notices.svelte'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { notices } from '../../../../../renderer/src/lib/state'
import { answer, calls, emit, resetApi } from '../../api-mock'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

const damaged: Notice = {
  id: 'n1',
  at: '2026-01-01T00:00:00.000Z',
  count: 1,
  code: 'file-damaged',
  params: {
    file: 'contacts',
    path: '/data/contacts.json',
    damage: 'not-json',
    backupPath: '/data/contacts.json.damaged-2026-01-01T00-00-00-000Z',
    kept: 0,
    detail: 'Unexpected end of JSON input'
  }
}
const full: Notice = {
  id: 'n2',
  at: '2026-01-01T00:00:01.000Z',
  count: 1,
  code: 'write-failed',
  params: { file: 'history', path: '/data/history/x.jsonl', error: 'ENOSPC', detail: 'no space' }
}

afterEach(() => {
  cleanup()
  notices.stop()
  notices.list = []
  i18n.setLanguage('en')
})
beforeEach(() => resetApi())

describe('Notices', () => {
  it('shows what the core listed and what it raises later, as sentences with the facts', async () => {
    answer('app', 'listNotices', [damaged])
    await notices.start()
    render(Notices)
    expect(screen.getByTestId('notice').textContent).toContain(
      'Your contact list was damaged (it could not be read at all). Nothing was deleted: the damaged file was kept as /data/contacts.json.damaged-2026-01-01T00-00-00-000Z'
    )
    emit('app', 'onNotice', full)
    emit('app', 'onNotice', { ...full, count: 2 })
    await vi.waitFor(() => expect(screen.getAllByTestId('notice')).toHaveLength(2))
    expect(screen.getAllByTestId('notice')[1]!.textContent).toMatch(
      /could not save to \/data\/history\/x\.jsonl \(ENOSPC\).*\(2 times\)/
    )
  })

  it('is dismissed with a button, and the core is told', async () => {
    answer('app', 'listNotices', [damaged])
    const dismiss = answer('app', 'dismissNotice', { dismissed: true })
    await notices.start()
    render(Notices)
    await fireEvent.click(screen.getByRole('button', { name: /^Dismiss: Your contact list/ }))
    expect(dismiss).toHaveBeenCalledWith({ id: 'n1' })
    expect(screen.queryByTestId('notices')).toBeNull()
    expect(calls['app']!['listNotices']).toHaveBeenCalledTimes(1)
  })

  it('speaks Chinese too, with the same facts', async () => {
    answer('app', 'listNotices', [damaged])
    await notices.start()
    i18n.setLanguage('zh-CN')
    render(Notices)
    const text = screen.getByTestId('notice').textContent ?? ''
    expect(text).toContain('您的联系人列表已损坏')
    expect(text).toContain('/data/contacts.json.damaged-2026-01-01T00-00-00-000Z')
  })

  it('says where an earlier profile went and whose it is now, in English and Chinese', async () => {
    const path = '/data/profiles/alice@example.org'
    answer('app', 'listNotices', [
      {
        id: 'p1',
        at: '2026-01-01T00:00:00.000Z',
        count: 1,
        code: 'profile-migrated',
        params: { aor: 'sip:alice@example.org', path, detail: 'moved contacts.json, history' }
      },
      {
        id: 'p2',
        at: '2026-01-01T00:00:00.000Z',
        count: 1,
        code: 'profile-unclaimed',
        params: { path: '/data/profiles/migrated', detail: 'moved history' }
      },
      {
        id: 'p3',
        at: '2026-01-01T00:00:00.000Z',
        count: 1,
        code: 'profile-claimed',
        params: { aor: 'sip:dave@example.org', path, detail: 'renamed' }
      }
    ])
    await notices.start()
    render(Notices)
    const [migrated, unclaimed, claimed] = screen.getAllByTestId('notice').map((n) => n.textContent)
    expect(migrated).toContain(`now belongs to sip:alice@example.org and is kept in ${path}`)
    expect(unclaimed).toContain('will belong to the first account that signs in')
    expect(unclaimed).toContain('/data/profiles/migrated')
    expect(claimed).toContain('sip:dave@example.org')
    i18n.setLanguage('zh-CN')
    await vi.waitFor(() =>
      expect(screen.getAllByTestId('notice')[0]!.textContent).toContain(
        `现在属于 sip:alice@example.org，保存在 ${path}`
      )
    )
    expect(screen.getAllByTestId('notice')[1]!.textContent).toContain('将归第一个登录的账户所有')
  })
})
