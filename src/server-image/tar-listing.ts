/**
 * The entries of a tar stream (what `docker export` writes: ustar with PAX
 * extended headers, as Go's archive/tar makes them; GNU long names too),
 * headers only: file contents are skipped, never buffered. Used to search an
 * image's file system for its server binary without unpacking it.
 */
import type { Readable } from 'node:stream'

export interface TarEntry {
  /** Absolute path in the archive's root, without a trailing slash: /app/gotify-app. */
  path: string
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other'
  /** Permission bits, e.g. 0o755. */
  mode: number
  size: number
  linkTarget?: string
}

const BLOCK = 512

export class TarLister {
  readonly entries: TarEntry[] = []
  private buffer: Buffer = Buffer.alloc(0)
  private skip = 0
  /** Data of an extended header being read (PAX x/g, GNU L/K), and what it is for. */
  private collecting?: { kind: string; left: number; padded: number }
  private next: { path?: string; linkTarget?: string; size?: number } = {}
  private ended = false

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    while (!this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buffer.length)
        this.skip -= n
        this.buffer = this.buffer.subarray(n)
        if (this.skip > 0) return
      }
      if (this.collecting) {
        const c = this.collecting
        if (this.buffer.length < c.padded) return
        this.extended(c.kind, this.buffer.subarray(0, c.left))
        this.buffer = this.buffer.subarray(c.padded)
        this.collecting = undefined
        continue
      }
      if (this.buffer.length < BLOCK) return
      const header = this.buffer.subarray(0, BLOCK)
      this.buffer = this.buffer.subarray(BLOCK)
      if (header.every(b => b === 0)) {
        this.ended = true
        return
      }
      this.header(header)
    }
  }

  private header(h: Buffer): void {
    const flag = String.fromCharCode(h[156] || 48)
    const size = this.next.size ?? numeric(h.subarray(124, 136))
    const padded = Math.ceil(size / BLOCK) * BLOCK
    if ('xgLK'.includes(flag)) {
      this.collecting = { kind: flag, left: size, padded }
      return
    }
    let name = cString(h.subarray(0, 100))
    if (h.subarray(257, 262).toString('latin1') === 'ustar') {
      const prefix = cString(h.subarray(345, 500))
      if (prefix) name = `${prefix}/${name}`
    }
    const type = flag === '0' || flag === '7' ? 'file' : flag === '5' ? 'dir' : flag === '2' ? 'symlink' : flag === '1' ? 'hardlink' : 'other'
    const linkTarget = this.next.linkTarget ?? cString(h.subarray(157, 257))
    this.entries.push({
      path: normalize(this.next.path ?? name),
      type,
      // Permission bits only: Go's archive/tar also sets the file type's bits (0o40000 for a folder).
      mode: numeric(h.subarray(100, 108)) & 0o7777,
      size: type === 'file' ? size : 0,
      ...(type === 'symlink' || type === 'hardlink' ? { linkTarget } : {})
    })
    this.next = {}
    // Hard links and the like carry no data, whatever their size field says.
    this.skip = type === 'file' ? padded : 0
  }

  private extended(kind: string, data: Buffer): void {
    if (kind === 'L') this.next.path = cString(data)
    else if (kind === 'K') this.next.linkTarget = cString(data)
    else if (kind === 'x') {
      // PAX records: "<length> <key>=<value>\n".
      let at = 0
      while (at < data.length) {
        const space = data.indexOf(0x20, at)
        const length = Number(data.subarray(at, space).toString('latin1'))
        if (space < 0 || !Number.isInteger(length) || length <= 0) break
        const record = data.subarray(space + 1, at + length - 1).toString('utf8')
        const eq = record.indexOf('=')
        const [key, value] = [record.slice(0, eq), record.slice(eq + 1)]
        if (key === 'path') this.next.path = value
        else if (key === 'linkpath') this.next.linkTarget = value
        else if (key === 'size') this.next.size = Number(value)
        at += length
      }
    }
  }
}

/** Every entry of a tar stream; reads it to the end. */
export async function listTar(stream: Readable): Promise<TarEntry[]> {
  const lister = new TarLister()
  for await (const chunk of stream) lister.push(chunk as Buffer)
  return lister.entries
}

function cString(b: Buffer): string {
  const end = b.indexOf(0)
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8')
}

/** Octal, or base-256 when the first byte's high bit is set (GNU, for big files). */
function numeric(b: Buffer): number {
  if (b[0] & 0x80) {
    let n = b[0] & 0x7f
    for (const byte of b.subarray(1)) n = n * 256 + byte
    return n
  }
  const text = cString(b).trim()
  return text === '' ? 0 : parseInt(text, 8)
}

function normalize(name: string): string {
  const parts = name.split('/').filter(p => p !== '' && p !== '.')
  return `/${parts.join('/')}`
}
