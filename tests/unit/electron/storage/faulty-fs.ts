import { nodeFs, type FileHandlePort, type FsPort } from '../../../../electron/main/storage/durable'

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code })

/**
 * The real file system with faults injected on demand: the next write short (half of it really
 * written, as a full disk does) or refused with ENOSPC, the next fsync failing with EIO, every
 * truncate failing. Counts the bytes read, to show what opening a file reads.
 */
export class FaultyFs implements FsPort {
  nextWrite: 'short' | 'enospc' | null = null
  nextSync: 'eio' | null = null
  truncateFails = false
  bytesRead = 0

  async open(path: string, flags: string, mode?: number): Promise<FileHandlePort> {
    const handle = await nodeFs.open(path, flags, mode)
    return {
      write: async (buffer, offset, length, position) => {
        const fault = this.nextWrite
        this.nextWrite = null
        if (fault === 'enospc') throw errno('ENOSPC')
        if (fault === 'short') return handle.write(buffer, offset, length >> 1, position)
        return handle.write(buffer, offset, length, position)
      },
      read: async (buffer, offset, length, position) => {
        const r = await handle.read(buffer, offset, length, position)
        this.bytesRead += r.bytesRead
        return r
      },
      sync: () => this.#sync(() => handle.sync()),
      datasync: () => this.#sync(() => handle.datasync()),
      truncate: (length) =>
        this.truncateFails ? Promise.reject(errno('EIO')) : handle.truncate(length),
      stat: () => handle.stat(),
      close: () => handle.close()
    }
  }

  async #sync(real: () => Promise<void>): Promise<void> {
    const fault = this.nextSync
    this.nextSync = null
    if (fault) throw errno('EIO')
    await real()
  }

  async readFile(path: string): Promise<Buffer> {
    const b = await nodeFs.readFile(path)
    this.bytesRead += b.length
    return b
  }

  rename = nodeFs.rename
  unlink = nodeFs.unlink
  readdir = nodeFs.readdir
  mkdir = nodeFs.mkdir
  chmod = nodeFs.chmod
  stat = nodeFs.stat
}
