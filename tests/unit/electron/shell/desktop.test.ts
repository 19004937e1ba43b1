import { Notification, Tray } from 'electron'
import { beforeEach, describe, expect, it } from 'vitest'
import { EventBus } from '../../../../electron/main/ipc/dispatch'
import { attachDesktop, notificationFor } from '../../../../electron/main/shell/desktop'
import { sampleMessage, sampleReport } from '../../../fixtures/sample-dtos'

const shown = (Notification as unknown as { shown: { title: string; body: string }[] }).shown
const tray = () => (Tray as unknown as { last: { tooltip: string } }).last

function setup(focused: boolean) {
  const events = new EventBus()
  const win = {
    isFocused: () => focused,
    isMinimized: () => false,
    show() {},
    focus() {},
    restore() {}
  }
  const detach = attachDesktop(
    events,
    () => win as never,
    () => ({ state: 'busy' })
  )
  return { events, detach }
}

beforeEach(() => {
  shown.length = 0
})

describe('desktop integration', () => {
  it('notifies about a message when the window is not focused, as plain text', () => {
    const { events, detach } = setup(false)
    events.emit('im:received', {
      ...sampleMessage,
      direction: 'in',
      state: 'received',
      body: '<img src=x onerror=alert(1)>\n  hi'
    })
    expect(shown).toEqual([{ title: 'bob@example.org', body: '<img src=x onerror=alert(1)> hi' }])
    detach()
  })

  it('stays quiet when the window has focus', () => {
    const { events, detach } = setup(true)
    events.emit('im:received', { ...sampleMessage, direction: 'in', state: 'received' })
    expect(shown).toEqual([])
    detach()
  })

  it('shows own presence and an untrusted connection in the tray tooltip', () => {
    const { events, detach } = setup(true)
    events.emit('session:state-changed', { status: 'registered', aor: 'sip:a@example.org' })
    expect(tray().tooltip).toBe('TrustLine — busy')
    events.emit('trust:report-changed', sampleReport)
    expect(tray().tooltip).toContain('NOT trusted')
    events.emit('presence:own-changed', { state: 'do-not-disturb' })
    expect(tray().tooltip).toContain('do not disturb')
    detach()
  })

  it('shortens long message previews', () => {
    const long = 'x'.repeat(500)
    expect(notificationFor({ ...sampleMessage, body: long }).body).toHaveLength(121)
  })
})
