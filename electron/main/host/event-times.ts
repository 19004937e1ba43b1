import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import type { EventBus } from '../ipc/dispatch'

/** When one event left the core: wall-clock ms (sub-ms resolution), channel, and for presence whose. */
export interface EventTime {
  at: number
  channel: string
  /** presence:changed only: the contact and the state it was changed to. */
  uri?: string
  state?: string
}

/**
 * Records when each event leaves the core, for `npm run bench` (TRUSTLINE_EVENT_TIMES=FILE on the
 * browser host): the bench compares these times with when the page showed each contact. Times
 * are `performance.timeOrigin + performance.now()`, the clock Chromium's pages use too.
 * Returns the function that writes what was recorded to `file` and stops recording.
 */
export function recordEventTimes(events: EventBus, file: string): () => void {
  const times: EventTime[] = []
  const off = events.subscribe((channel, payload) => {
    const at = performance.timeOrigin + performance.now()
    if (channel === 'presence:changed') {
      const p = payload as { uri: string; presence: { state: string } }
      times.push({ at, channel, uri: p.uri, state: p.presence.state })
    } else times.push({ at, channel })
  })
  return () => {
    off()
    writeFileSync(file, JSON.stringify(times))
  }
}
