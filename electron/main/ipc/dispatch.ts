import { z } from 'zod'
import {
  contract,
  isInvokeName,
  type EventName,
  type InvokeName,
  type PayloadOf
} from '../../../shared/ipc/contract'
import type { InvokeChannel, EventChannel } from '../../../shared/ipc/define'
import { fail, IpcFailure, ok, type IpcResult } from '../../../shared/ipc/result'
import type { EventSink, HandlerMap } from './types'

/** Longest error text sent back for a bad payload, so a hostile payload can't echo megabytes. */
const MAX_ISSUE_TEXT = 500

/** Runs invoke channels: validates the payload from `unknown`, calls the handler, wraps the result. */
export interface Dispatcher {
  invoke(channel: unknown, payload: unknown): Promise<IpcResult<unknown>>
  /** Channels that have a handler. */
  readonly channels: readonly InvokeName[]
}

/** Short, human-readable summary of what was wrong with a payload. */
export function describeIssues(error: z.ZodError): string {
  const text = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
    .join('; ')
  return text.length > MAX_ISSUE_TEXT ? `${text.slice(0, MAX_ISSUE_TEXT)}…` : text
}

/**
 * Builds the one dispatcher both adapters (Electron IPC and the browser host) use, so the
 * validation and error mapping are identical whichever way the renderer talks to the core.
 */
export function createDispatcher(
  handlers: Partial<HandlerMap>,
  log: (message: string, error?: unknown) => void = () => undefined
): Dispatcher {
  const channels = (Object.keys(handlers) as InvokeName[]).filter(isInvokeName)
  return {
    channels,
    async invoke(channel, payload) {
      if (!isInvokeName(channel)) {
        return fail('unknown-channel', `There is no IPC channel named ${JSON.stringify(channel)}.`)
      }
      const handler = handlers[channel] as ((req: unknown) => unknown) | undefined
      if (!handler) return fail('unavailable', `The channel ${channel} is not available here.`)
      const spec = contract[channel] as InvokeChannel
      const parsed = spec.request.safeParse(payload)
      if (!parsed.success) {
        return fail(
          'bad-request',
          `Invalid request for ${channel}: ${describeIssues(parsed.error)}`
        )
      }
      try {
        const value = await handler(parsed.data)
        // Responses are checked too: a handler bug must not leak an undeclared shape to the UI.
        const checked = spec.response.safeParse(value)
        if (!checked.success) {
          log(`response of ${channel} broke the contract: ${describeIssues(checked.error)}`)
          return fail('internal', `The core answered ${channel} with data the UI cannot use.`)
        }
        return ok(checked.data)
      } catch (error) {
        if (error instanceof IpcFailure) return fail(error.code, error.message)
        log(`handler for ${channel} failed`, error)
        const message = error instanceof Error ? error.message : String(error)
        return fail('internal', `Something went wrong in ${channel}: ${message}`)
      }
    }
  }
}

type Delivery = (channel: EventName, payload: unknown) => void

/**
 * The core's event bus: services emit typed events, the bus validates each payload against the
 * contract once, and hands it to every connected adapter (Electron windows, browser sockets).
 */
export class EventBus implements EventSink {
  readonly #listeners = new Set<Delivery>()

  constructor(private readonly log: (message: string) => void = () => undefined) {}

  emit<K extends EventName>(channel: K, payload: PayloadOf<K>): void {
    const spec = contract[channel] as unknown as EventChannel
    const parsed = spec.payload.safeParse(payload)
    if (!parsed.success) {
      this.log(`event ${String(channel)} dropped: ${describeIssues(parsed.error)}`)
      return
    }
    for (const deliver of this.#listeners) {
      try {
        deliver(channel, parsed.data)
      } catch (error) {
        this.log(`delivering ${String(channel)} failed: ${String(error)}`)
      }
    }
  }

  /** Adds an adapter; returns the function that removes it. */
  subscribe(deliver: Delivery): () => void {
    this.#listeners.add(deliver)
    return () => this.#listeners.delete(deliver)
  }
}
