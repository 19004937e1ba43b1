import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { recordEventTimes, type EventTime } from '../../../../electron/main/host/event-times'
import { EventBus } from '../../../../electron/main/ipc/dispatch'
import { eventSamples } from '../../shared/ipc/samples'

describe('recordEventTimes', () => {
  it('writes when each event left the core, with whose presence, until stopped', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tl-times-')), 'times.json')
    const bus = new EventBus()
    const before = performance.timeOrigin + performance.now()
    const stop = recordEventTimes(bus, file)
    bus.emit('presence:changed', eventSamples['presence:changed'])
    bus.emit('presence:own-changed', eventSamples['presence:own-changed'])
    stop()
    bus.emit('presence:changed', eventSamples['presence:changed'])
    const times = JSON.parse(readFileSync(file, 'utf8')) as EventTime[]
    expect(times.map(({ at: _at, ...rest }) => rest)).toEqual([
      { channel: 'presence:changed', uri: 'sip:bob@example.org', state: 'away' },
      { channel: 'presence:own-changed' }
    ])
    // Wall-clock milliseconds, as a page's performance.timeOrigin + now() gives them.
    expect(times[0]!.at).toBeGreaterThanOrEqual(before)
    expect(times[1]!.at).toBeGreaterThanOrEqual(times[0]!.at)
  })
})
