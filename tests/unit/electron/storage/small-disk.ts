import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A small tmpfs that fills up for real (ENOSPC, short writes), or why there is none. */
export type SmallDisk = { dir: string; release(): Promise<void> } | { unavailable: string }

/**
 * Mounts a tmpfs of `bytes` on a fresh temp folder. Needs root (or CAP_SYS_ADMIN) on Linux; the
 * caller skips with the returned reason elsewhere.
 */
export async function mountSmallDisk(bytes: number): Promise<SmallDisk> {
  if (process.platform !== 'linux') return { unavailable: 'tmpfs mounts need Linux' }
  const dir = await mkdtemp(join(tmpdir(), 'tl-small-disk-'))
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir])
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    const why = (error as { stderr?: string }).stderr?.trim() || (error as Error).message
    return { unavailable: `cannot mount a tmpfs (needs root): ${why}` }
  }
  return {
    dir,
    async release() {
      await run('umount', [dir]).catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    }
  }
}
