/**
 * A binary on disk read in parts, by positioned reads: the facts of a 17 MB
 * plugin need about 2 MB of it (headers, .dynsym, .dynstr, version needs,
 * build info, the fingerprint bytes). Sizes come from the file, so they are
 * not trusted: no single read is larger than `maxRead`.
 */
import * as fs from 'node:fs'
import { ElfError } from './elf.js'
import { type FileImage, type FileRange, NotLoaded } from './file-image.js'

/** The most read at once for one part of a binary (a gotify server's .dynstr is about 1.3 MB). */
export const MAX_READ = 64 * 1024 * 1024
/** A miss reads at least this much around it: neighbouring small reads (hash chains, pointers) then hit. */
const MIN_READ = 64 * 1024
/** Ranges closer than this are read as one. */
const MERGE_GAP = 64 * 1024
/** Misses one step may cause before the file is called too scattered to read. */
const MAX_MISSES = 256
/**
 * Files open for reading at once, across all callers (a set proof asks for
 * 20 plugins together): bounds memory and descriptors; more than a few gain
 * nothing on 2 cores.
 */
export const MAX_OPEN = 4

let opened = 0
const queue: Array<() => void> = []
async function openSlot(): Promise<void> {
  if (opened < MAX_OPEN) {
    opened++
    return
  }
  // The slot passes straight from close() to the next in line.
  await new Promise<void>(resolve => queue.push(resolve))
}
function freeSlot(): void {
  const next = queue.shift()
  if (next) next()
  else opened--
}

interface Chunk {
  offset: number
  data: Buffer
}

export class PartialFile implements FileImage {
  private readonly chunks: Chunk[] = []
  /** Bytes read so far (for tests and benchmarks). */
  bytesRead = 0
  private closed = false

  private constructor(
    private readonly handle: fs.promises.FileHandle,
    readonly size: number,
    readonly file: string,
    readonly maxRead: number
  ) {}

  /** Opens `path` (waiting while MAX_OPEN files are open); `file` names it in errors. Close it with close(). */
  static async open(path: string, file: string, maxRead: number = MAX_READ): Promise<PartialFile> {
    await openSlot()
    let handle: fs.promises.FileHandle | undefined
    try {
      handle = await fs.promises.open(path, 'r')
      return new PartialFile(handle, (await handle.stat()).size, file, maxRead)
    } catch (e) {
      await handle?.close().catch(() => undefined)
      freeSlot()
      throw e
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      await this.handle.close()
    } finally {
      freeSlot()
    }
  }

  bytes(offset: number, length: number): Buffer {
    const start = Math.min(offset, this.size)
    const end = Math.min(offset + length, this.size)
    if (end <= start) return Buffer.alloc(0)
    for (const c of this.chunks) {
      if (start >= c.offset && end <= c.offset + c.data.length) return c.data.subarray(start - c.offset, end - c.offset)
    }
    throw new NotLoaded({ offset: start, length: end - start })
  }

  /**
   * Runs a pure step on this image, reading what it misses and running it
   * again, until it returns or throws something else. Steps are cheap to
   * repeat when the big parts were read beforehand (prefetch).
   */
  async settle<T>(step: () => T): Promise<T> {
    for (let misses = 0; ; misses++) {
      try {
        return step()
      } catch (e) {
        if (!(e instanceof NotLoaded)) throw e
        if (misses >= MAX_MISSES) throw new ElfError(`${this.file} is corrupt: reading it needs more than ${MAX_MISSES} scattered parts`)
        const start = Math.floor(e.range.offset / MIN_READ) * MIN_READ
        await this.load([e.range], { offset: start, length: Math.max(e.range.offset + e.range.length, start + MIN_READ) - start })
      }
    }
  }

  /**
   * Reads ranges a later step will want, close ones together, in parallel.
   * Only a hint: a range outside the file or over the limit is skipped, so
   * the step that needs it reports it, as the whole-file reader would.
   */
  async prefetch(ranges: readonly FileRange[]): Promise<void> {
    const fit = ranges.filter(r => r.length > 0 && r.offset >= 0 && r.offset + r.length <= this.size && r.length <= this.maxRead)
    const merged: FileRange[] = []
    for (const r of [...fit].sort((a, b) => a.offset - b.offset)) {
      const last = merged[merged.length - 1]
      const end = Math.max(r.offset + r.length, last ? last.offset + last.length : 0)
      if (last && r.offset <= last.offset + last.length + MERGE_GAP && end - last.offset <= this.maxRead) last.length = end - last.offset
      else merged.push({ ...r })
    }
    await Promise.all(merged.filter(r => !this.has(r)).map(r => this.read(r)))
  }

  private has(r: FileRange): boolean {
    return this.chunks.some(c => r.offset >= c.offset && r.offset + r.length <= c.offset + c.data.length)
  }

  /** Reads `around` (a widened `wanted`), after checking `wanted` against the limit. */
  private async load(wanted: FileRange[], around: FileRange): Promise<void> {
    for (const r of wanted) {
      if (r.length > this.maxRead) {
        throw new ElfError(`${this.file}: a part of ${r.length} bytes at offset ${r.offset} is more than the ${this.maxRead} bytes read at once: is it a binary?`)
      }
    }
    const end = Math.min(around.offset + around.length, this.size)
    await this.read({ offset: around.offset, length: end - around.offset })
  }

  private async read(r: FileRange): Promise<void> {
    const data = Buffer.allocUnsafe(r.length)
    for (let done = 0; done < r.length; ) {
      const { bytesRead } = await this.handle.read(data, done, r.length - done, r.offset + done)
      if (bytesRead === 0) throw new ElfError(`${this.file} is truncated: it ended at byte ${r.offset + done} while being read (it had ${this.size})`)
      done += bytesRead
    }
    this.bytesRead += r.length
    this.chunks.push({ offset: r.offset, data })
  }
}
