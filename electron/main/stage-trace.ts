import { AsyncLocalStorage } from 'node:async_hooks'
import { performance } from 'node:perf_hooks'

/** One point in a sign-in: a named moment, `performance.now()` milliseconds. */
export interface StageMark {
  stage: string
  at: number
  /** A few words the point adds (a SIP start line, "cached"); never a secret. */
  detail?: string
}

/** The points of one sign-in attempt, in the order they were made. */
export interface AttemptTrace {
  /** Whatever the caller keys attempts by (e.g. "sign-in 3"). */
  attempt: string
  marks: StageMark[]
}

/** An attempt being traced; `mark` and `end` work from any code path, in or out of its context. */
export interface TraceHandle {
  /** Runs `fn` so that every `markStage` in it, and in all it starts, lands in this attempt. */
  run<T>(fn: () => T): T
  mark(stage: string, detail?: string): void
  /** Closes the attempt (later marks are dropped) and hands it to the collector. */
  end(): void
}

type Collector = (trace: AttemptTrace) => void

/** Most marks one attempt keeps, so a trace left open cannot grow without bound. */
const maxMarks = 200

interface OpenTrace {
  trace: AttemptTrace
  open: boolean
}

let collector: Collector | null = null
const current = new AsyncLocalStorage<OpenTrace>()

function record(state: OpenTrace, stage: string, detail: string | undefined): void {
  if (!state.open || state.trace.marks.length >= maxMarks) return
  const at = performance.now()
  state.trace.marks.push(detail === undefined ? { stage, at } : { stage, at, detail })
}

const inactive: TraceHandle = {
  run: (fn) => fn(),
  mark: () => undefined,
  end: () => undefined
}

/**
 * A stage tracer for the sign-in path: timestamps keyed by attempt, off by default.
 *
 * Off, `beginAttempt` returns a handle whose methods do nothing and `markStage` returns after one
 * test, so the product pays nothing for it. `npm run bench` turns it on in process with
 * `enableStageTrace(collect)` and reads one trace per sign-in. The attempt is found through
 * AsyncLocalStorage, so the TLS, trust and SIP code marks its points without an attempt being
 * passed through every call (the sockets of an attempt are created inside it and carry it).
 */
export function enableStageTrace(collect: Collector | null): void {
  collector = collect
}

/** True while a collector is set. */
export function stageTraceEnabled(): boolean {
  return collector !== null
}

/** Starts tracing one attempt (a handle that does nothing while tracing is off). */
export function beginAttempt(attempt: string): TraceHandle {
  const sink = collector
  if (!sink) return inactive
  const state: OpenTrace = { trace: { attempt, marks: [] }, open: true }
  return {
    run: (fn) => current.run(state, fn),
    mark: (stage, detail) => record(state, stage, detail),
    end: () => {
      if (!state.open) return
      state.open = false
      sink(state.trace)
    }
  }
}

/** Marks a point in the attempt this code runs for; nothing when tracing is off or outside one. */
export function markStage(stage: string, detail?: string): void {
  if (collector === null) return
  const state = current.getStore()
  if (state) record(state, stage, detail)
}
