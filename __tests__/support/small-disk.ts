import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** A real, small file system (tmpfs), for tests of a full disk; needs root (CI runs as root). */
export interface SmallDisk {
  dir: string
  /** Fills it up, leaving about `leave` bytes free. */
  fill(leave?: number): void
  /** Unmounts it and removes the mount point. */
  close(): void
}

export function mountSmallDisk(bytes: number, at?: string): SmallDisk {
  const dir = at ?? fs.mkdtempSync(path.join(os.tmpdir(), 'small-disk-'))
  fs.mkdirSync(dir, { recursive: true })
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0777`, 'tmpfs', dir], { stdio: 'pipe' })
  } catch (e) {
    throw new Error(`a full-disk test needs a tmpfs it can mount (run as root, as CI does): ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e)}`)
  }
  return {
    dir,
    fill(leave = 0) {
      const fd = fs.openSync(path.join(dir, '.filler'), 'w')
      const chunk = Buffer.alloc(64 * 1024)
      try {
        for (;;) {
          const free = fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize
          if (free <= leave) break
          fs.writeSync(fd, chunk, 0, Math.min(chunk.length, free - leave))
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e
      } finally {
        fs.closeSync(fd)
      }
    },
    close() {
      execFileSync('umount', ['--lazy', dir], { stdio: 'pipe' })
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
