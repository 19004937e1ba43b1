import { afterEach, describe, expect, it } from 'vitest'
import {
  beginAttempt,
  enableStageTrace,
  markStage,
  stageTraceEnabled,
  type AttemptTrace
} from '../../../electron/main/stage-trace'

const tick = () => new Promise((r) => setImmediate(r))

afterEach(() => enableStageTrace(null))

describe('stage trace', () => {
  it('is off by default: nothing is recorded and run() just runs', async () => {
    expect(stageTraceEnabled()).toBe(false)
    const trace = beginAttempt('a')
    const value = await trace.run(async () => {
      markStage('inside')
      await tick()
      return 42
    })
    trace.mark('after')
    trace.end()
    expect(value).toBe(42)
    // Turning it on later does not revive an attempt that began while it was off.
    const seen: AttemptTrace[] = []
    enableStageTrace((t) => seen.push(t))
    trace.end()
    expect(seen).toEqual([])
  })

  it('keys marks by attempt, across awaits, timers and concurrent attempts', async () => {
    const seen: AttemptTrace[] = []
    enableStageTrace((t) => seen.push(t))
    const one = beginAttempt('one')
    const two = beginAttempt('two')
    one.mark('start')
    two.mark('start')
    await Promise.all([
      one.run(async () => {
        await tick()
        markStage('tcp', 'first')
        await new Promise((r) => setTimeout(r, 5))
        markStage('tls')
      }),
      two.run(async () => {
        markStage('tcp', 'second')
        await tick()
        markStage('tls')
      })
    ])
    markStage('outside any attempt')
    one.end()
    two.end()
    expect(seen.map((t) => t.attempt)).toEqual(['one', 'two'])
    expect(seen[0]!.marks.map((m) => [m.stage, m.detail])).toEqual([
      ['start', undefined],
      ['tcp', 'first'],
      ['tls', undefined]
    ])
    expect(seen[1]!.marks.map((m) => m.detail ?? m.stage)).toEqual(['start', 'second', 'tls'])
    const at = seen[0]!.marks.map((m) => m.at)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
  })

  it('drops marks after the attempt ended and hands each attempt over once', async () => {
    const seen: AttemptTrace[] = []
    enableStageTrace((t) => seen.push(t))
    const trace = beginAttempt('once')
    let later: Promise<void> = Promise.resolve()
    trace.run(() => {
      markStage('in time')
      // Runs in the attempt's context, after it ended.
      later = new Promise((r) => setTimeout(r, 5)).then(() => markStage('too late'))
    })
    trace.end()
    await later
    trace.mark('too late as well')
    trace.end()
    expect(seen).toHaveLength(1)
    expect(seen[0]!.marks.map((m) => m.stage)).toEqual(['in time'])
  })

  it('bounds an attempt that is never ended', () => {
    const seen: AttemptTrace[] = []
    enableStageTrace((t) => seen.push(t))
    const trace = beginAttempt('endless')
    trace.run(() => {
      for (let i = 0; i < 10_000; i++) markStage(`m${i}`)
    })
    trace.end()
    expect(seen[0]!.marks.length).toBeLessThanOrEqual(200)
  })
})
