import { z } from 'zod'

/** Error codes every IPC adapter can return, besides the domain codes a handler chooses. */
export const ipcErrorCodes = [
  'bad-request',
  'unknown-channel',
  'unauthorized',
  'internal',
  'unavailable'
] as const

/** A failure that crossed IPC: a stable machine code and a sentence for people. */
export const ipcErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string()
})

/** A failure that crossed IPC. */
export type IpcError = z.infer<typeof ipcErrorSchema>

/**
 * What every invoke returns. Errors are values, because a thrown error loses everything but its
 * message across Electron's invoke (see Electron's ipcMain.handle docs).
 */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError }

/** A successful result. */
export function ok<T>(value: T): IpcResult<T> {
  return { ok: true, value }
}

/** A failed result with a code and a sentence. */
export function fail<T = never>(code: string, message: string): IpcResult<T> {
  return { ok: false, error: { code, message } }
}

/**
 * Thrown by handlers for an expected failure with a stable code (for example `not-signed-in`);
 * the dispatcher turns it into `{ ok: false, error }` instead of a generic `internal`.
 */
export class IpcFailure extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'IpcFailure'
  }
}
