import { randomBytes } from 'node:crypto'
import * as fsp from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { IpcFailure } from '../../../shared/ipc/result'
import type { Damage, DataFile } from '../../../shared/types/notice'
import { noNotices, type NoticeSink } from '../notices'

/**
 * The one persistence path for every file the core writes (history, contacts, trust exceptions,
 * domain decisions, the account). Its promise: a write resolves only once the bytes are all
 * written and fsync'd (and, after a rename, the directory too); otherwise it rejects and leaves
 * the file as it was. A short write is an error, never "stored".
 */

/** The file-handle operations the stores use (node's FileHandle fits). */
export interface FileHandlePort {
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null
  ): Promise<{ bytesWritten: number }>
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number
  ): Promise<{ bytesRead: number }>
  sync(): Promise<void>
  datasync(): Promise<void>
  truncate(length: number): Promise<void>
  stat(): Promise<{ size: number }>
  close(): Promise<void>
}

/** The file-system operations the stores use: node:fs/promises, or a faulty one in tests. */
export interface FsPort {
  open: (path: string, flags: string, mode?: number) => Promise<FileHandlePort>
  readFile: (path: string) => Promise<Buffer>
  rename: (from: string, to: string) => Promise<void>
  unlink: (path: string) => Promise<void>
  readdir: (path: string) => Promise<string[]>
  mkdir: (path: string, options: { recursive: true; mode?: number }) => Promise<unknown>
  stat: (path: string) => Promise<{ isDirectory(): boolean; size: number }>
  chmod: (path: string, mode: number) => Promise<void>
}

/** The real file system. */
export const nodeFs: FsPort = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  readFile: (path) => fsp.readFile(path),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  readdir: (path) => fsp.readdir(path),
  mkdir: (path, options) => fsp.mkdir(path, options),
  stat: (path) => fsp.stat(path),
  chmod: (path, mode) => fsp.chmod(path, mode)
}

/**
 * Folders the core makes are its user's alone (rwx------), and so are its files (rw-------): a
 * profile holds one person's contacts and conversations, which other users of the computer must
 * not read.
 */
export const PRIVATE_DIR_MODE = 0o700

/** Files the core writes: readable and writable by the user only. */
export const PRIVATE_FILE_MODE = 0o600

/**
 * Makes `dir` (and any missing parent) private to the user. A folder that already exists is made
 * private too (an earlier version made them with the default mode); Windows has no such modes.
 */
export async function makePrivateDir(fs: FsPort, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  if (process.platform !== 'win32') await fs.chmod(dir, PRIVATE_DIR_MODE)
}

/** What every store is given: the file layer, where notices go, and the log. */
export interface Storage {
  fs: FsPort
  notices: NoticeSink
  log: (message: string) => void
}

/** A storage context with defaults for what is not given (real fs, no notices, no log). */
export function storageOf(partial: Partial<Storage> = {}): Storage {
  return {
    fs: partial.fs ?? nodeFs,
    notices: partial.notices ?? noNotices,
    log: partial.log ?? (() => undefined)
  }
}

/** A write that wrote fewer bytes than asked: the disk is full or the file system gave up. */
export class ShortWriteError extends Error {
  readonly code = 'SHORT_WRITE'
  constructor(path: string, written: number, wanted: number) {
    super(`only ${written} of ${wanted} bytes could be written to ${path}`)
    this.name = 'ShortWriteError'
  }
}

/** The OS error code of an error (ENOSPC, EACCES…), SHORT_WRITE, or 'UNKNOWN'. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code.slice(0, 40) : 'UNKNOWN'
}

/** The first line of an error's message, capped, for a notice's technical detail. */
export function errorDetail(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return (text.split('\n')[0] ?? '').slice(0, 500)
}

/** Writes all of `bytes` at `position` (null: at the end) or throws; never a partial success. */
async function writeFully(
  handle: FileHandlePort,
  bytes: Uint8Array,
  position: number | null,
  path: string
): Promise<void> {
  const { bytesWritten } = await handle.write(bytes, 0, bytes.length, position)
  if (bytesWritten !== bytes.length) throw new ShortWriteError(path, bytesWritten, bytes.length)
}

/** Name of the temp file a write of `path` uses: hidden, with the writer's pid (see sweep). */
function tempName(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  )
}

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new file, never a mix:
 * write a sibling temp file fully, fsync it, rename it over the target, fsync the directory (the
 * rename itself is only durable once the directory entry is, see rename(2) and fsync(2)). On any
 * failure the temp file is removed and the error thrown; the old file is untouched.
 */
export async function writeFileAtomic(fs: FsPort, path: string, data: string): Promise<void> {
  const dir = dirname(path)
  await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  const tmp = tempName(path)
  try {
    const handle = await fs.open(tmp, 'wx', PRIVATE_FILE_MODE)
    try {
      await writeFully(handle, Buffer.from(data, 'utf8'), 0, tmp)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(tmp, path)
  } catch (error) {
    await fs.unlink(tmp).catch(() => undefined)
    throw error
  }
  await syncDir(fs, dir)
}

/**
 * Appends `bytes` to `path` durably, given `goodSize`: the length the caller knows ends on a
 * record boundary. Anything past it (the remains of an earlier failed append) is cut off first,
 * so a record is never glued onto garbage. When the write or the fsync fails, the file is cut
 * back to where it was and the error thrown. Returns the new good size.
 */
export async function appendDurably(
  fs: FsPort,
  path: string,
  bytes: Uint8Array,
  goodSize: number
): Promise<number> {
  const handle = await fs.open(path, 'a', PRIVATE_FILE_MODE)
  let start = goodSize
  try {
    const size = (await handle.stat()).size
    if (size > goodSize) await handle.truncate(goodSize)
    // Shorter than we knew: cut by someone else; append after what is there.
    else start = size
    try {
      await writeFully(handle, bytes, null, path)
      await handle.datasync()
    } catch (error) {
      // Roll back the partial record. If even that fails, the next append cuts it (see above).
      await handle
        .truncate(start)
        .then(() => handle.datasync())
        .catch(() => undefined)
      throw error
    }
  } finally {
    await handle.close()
  }
  // A new file is only durable once its directory entry is.
  if (start === 0) await syncDir(fs, dirname(path))
  return start + bytes.length
}

/** Fsyncs a directory; a no-op where the platform cannot (Windows journals the rename itself). */
export async function syncDir(fs: FsPort, dir: string): Promise<void> {
  if (process.platform === 'win32') return
  try {
    const handle = await fs.open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch (error) {
    // Some file systems (FUSE, some network mounts) cannot fsync a directory at all; that is
    // not a failed write. An I/O error is.
    if (!['EINVAL', 'ENOTSUP', 'EISDIR'].includes(errorCode(error))) throw error
  }
}

/**
 * Moves a damaged file (or a file where a folder belongs) aside, never over an earlier backup:
 * `<path>.damaged-<UTC time>` and, if that exists, `-2`, `-3`…. Returns the new path.
 */
export async function moveAside(fs: FsPort, path: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  for (let n = 1; ; n++) {
    const target = `${path}.damaged-${stamp}${n > 1 ? `-${n}` : ''}`
    try {
      await fs.stat(target)
      continue
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error
    }
    await fs.rename(path, target)
    await syncDir(fs, dirname(path)).catch(() => undefined)
    return target
  }
}

/** A damaged file (or folder): what it is, where, what is wrong, how much of it is still used. */
export interface DamagedFile {
  file: DataFile
  path: string
  damage: Damage
  detail: string
  /** Entries still in use from it. */
  kept: number
}

/**
 * Moves a damaged file aside and tells the user where it went and what was kept (a
 * `file-damaged` notice, and the log). When even that fails, tells them it is left as it is
 * (`file-blocked`) and throws: the caller must then not write over it.
 */
export async function setAside(storage: Storage, damaged: DamagedFile): Promise<string> {
  const { file, path, damage, detail, kept } = damaged
  let backupPath: string
  try {
    backupPath = await moveAside(storage.fs, path)
  } catch (error) {
    storage.log(
      `${path} is damaged (${damage}: ${detail}) and could not be moved aside: ${errorDetail(error)}`
    )
    storage.notices.raise({
      code: 'file-blocked',
      params: { file, path, damage, detail: `${detail}; ${errorDetail(error)}`.slice(0, 500) }
    })
    throw error
  }
  storage.log(
    `${path} is damaged (${damage}: ${detail}); kept as ${backupPath}, ${kept} entries kept`
  )
  storage.notices.raise({
    code: 'file-damaged',
    params: { file, path, damage, backupPath, kept, detail: detail.slice(0, 500) }
  })
  return backupPath
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) === 'EPERM'
  }
}

/**
 * Removes the temp files interrupted writes of `path` left behind (a crash or kill between
 * creating the temp file and renaming it). A temp file of a process still running (another
 * TrustLine on the same folder) is left alone. Also removes the names older versions used.
 * Returns how many were removed.
 */
export async function removeStaleTemps(fs: FsPort, path: string): Promise<number> {
  const dir = dirname(path)
  const name = basename(path)
  let entries: string[]
  try {
    entries = await fs.readdir(dir)
  } catch {
    return 0
  }
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const current = new RegExp(`^\\.${escaped}\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`)
  const older = new RegExp(`^\\.${escaped}\\.[0-9a-f]{12}\\.tmp$`)
  const oldExceptions = new RegExp(`^${escaped}\\.(\\d+)\\.\\d+\\.tmp$`)
  let removed = 0
  for (const entry of entries) {
    const pid = current.exec(entry)?.[1] ?? oldExceptions.exec(entry)?.[1]
    const stale = pid !== undefined ? !processAlive(Number(pid)) : older.test(entry)
    if (!stale) continue
    try {
      await fs.unlink(join(dir, entry))
      removed++
    } catch {
      // Gone already, or not ours to remove: nothing to do.
    }
  }
  return removed
}

/**
 * Tells the user a write failed (a notice, merged with repeats) and gives the caller the error
 * it can pass on: an IpcFailure `storage-failed`, so the UI says "not saved" instead of
 * "internal error".
 */
export function writeFailed(
  storage: Storage,
  file: DataFile,
  path: string,
  error: unknown
): IpcFailure {
  const code = errorCode(error)
  storage.log(`could not write ${path}: ${errorDetail(error)}`)
  storage.notices.raise({
    code: 'write-failed',
    params: { file, path, error: code, detail: errorDetail(error) }
  })
  return new IpcFailure(
    'storage-failed',
    `${path} could not be written (${code}); the change was not saved.`
  )
}
