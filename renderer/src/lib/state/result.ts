import type { IpcError, IpcResult } from '../../../../shared/ipc/result'

/** An IPC failure as state keeps it: the code picks the translated sentence, the message is detail. */
export type UiError = IpcError

/** Runs `call`; on `ok: false` (or a thrown transport error) hands the error to `onError`. */
export async function settle<T>(
  call: () => Promise<IpcResult<T>>,
  onError: (error: UiError) => void
): Promise<T | undefined> {
  try {
    const result = await call()
    if (result.ok) return result.value
    onError(result.error)
  } catch (error) {
    onError({ code: 'internal', message: error instanceof Error ? error.message : String(error) })
  }
  return undefined
}
