/**
 * The server's binary out of a release archive, and nothing else: the
 * entries are listed and the first bytes of each read (nothing written), the
 * rule of chooseExecutable picks one, and only that one is written, to a file
 * the caller names, up to MAX_SERVER_BINARY_BYTES counted as it is inflated
 * (sizes declared in the archive are not trusted). Entry paths are data:
 * never joined into a path, so `../x` or `/etc/x` cannot escape.
 *
 * Libraries: yauzl reads zips (random access through the central directory,
 * each entry a stream); node-tar's Parser reads tar streams (gzip inflated by
 * it, xz by the system's `xz -dc`, which no maintained npm package replaces).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { Parser, type ReadEntry } from 'tar'
import yauzl from 'yauzl'
import { ELF_HEAD_BYTES, isElfExecutableHead } from '../binary/executable.js'
import { StepError, asDiskFull, namedFolder } from '../errors.js'
import { startChild } from '../container/child-process.js'
import { type ArchiveEntry, chooseExecutable, shownName } from './binary-asset.js'

/** The largest server binary taken out of a release asset (said in the README under server-binary). */
export const MAX_SERVER_BINARY_BYTES = 512 * 1024 * 1024
// gotify's zips hold the binary, LICENSE and a licenses folder: far fewer.
const MAX_ENTRIES = 10_000
const TIME_LIMIT_MS = 5 * 60_000
// A tar stream is read whole to list it: past this, it is a compression bomb, not a release (node-tar's ratio limit guards gzip).
const MAX_TAR_STREAM_BYTES = 4 * MAX_SERVER_BINARY_BYTES
const MAX_DECOMPRESSION_RATIO = 1000

export type ArchiveFormat = 'zip' | 'tar.gz' | 'tar.xz'

export const limitText = (bytes = MAX_SERVER_BINARY_BYTES): string => `${Math.round(bytes / (1024 * 1024))} MB`

/** A refusal of the archive, distinct from an archive that cannot be read. */
class Refused extends Error {}

/**
 * Writes the archive's server binary to `dest` (nothing else is written);
 * throws a one-line StepError naming the asset when it is refused or
 * unreadable, with `dest` removed.
 */
export async function extractServerBinary(file: string, format: ArchiveFormat, stem: string, assetName: string, dest: string, limit = MAX_SERVER_BINARY_BYTES): Promise<void> {
  const reader = format === 'zip' ? zipReader(file) : tarReader(file, format)
  const deadline = AbortSignal.timeout(TIME_LIMIT_MS)
  try {
    const entries = await reader.list(deadline)
    const choice = chooseExecutable(entries, stem, assetName)
    if ('error' in choice) throw new StepError(`server-binary: ${choice.error}; name the asset with server-binary, or set server-binary: none`)
    const index = entries.findIndex(e => e.path === choice.path && e.elfExecutable)
    await reader.write(entries[index].index, dest, limit, deadline)
    fs.chmodSync(dest, 0o755)
  } catch (e) {
    fs.rmSync(dest, { force: true })
    if (e instanceof StepError) throw e
    const why = ((e as Error).message ?? String(e)).split('\n')[0]
    if (e instanceof Refused) throw new StepError(`server-binary: ${shownName(assetName)} refused: ${why}; set server-binary to another asset, or none`)
    const full = asDiskFull(e, `server-binary: extracting the binary of ${shownName(assetName)}`, namedFolder(path.dirname(dest)))
    if (full !== e) throw full
    if (deadline.aborted) throw new StepError(`server-binary: reading ${shownName(assetName)} took longer than ${TIME_LIMIT_MS / 60_000} minutes; set server-binary: none to verify with the stand-in loader`)
    throw new StepError(`server-binary: ${shownName(assetName)} could not be extracted as ${format} (${why}); the release asset may be corrupt: re-run later, or set server-binary: none`)
  } finally {
    await reader.close()
  }
}

interface IndexedEntry extends ArchiveEntry {
  /** Its position in the archive: names may repeat. */
  index: number
}

interface Reader {
  list(signal: AbortSignal): Promise<IndexedEntry[]>
  write(index: number, dest: string, limit: number, signal: AbortSignal): Promise<void>
  close(): Promise<void>
}

/** Writes chunks to a file until `limit` would be passed: then throws before writing more. */
function limitedFile(dest: string, limit: number, what: string): { add(chunk: Buffer): void; done(): void } {
  const fd = fs.openSync(dest, 'w', 0o600)
  let written = 0
  let closed = false
  return {
    add(chunk) {
      if (closed) throw new Error('written after the end')
      if (written + chunk.length > limit) throw new Refused(`${what} expands past ${limitText(limit)}, the limit for a server binary`)
      fs.writeSync(fd, chunk)
      written += chunk.length
    },
    done() {
      if (!closed) fs.closeSync(fd)
      closed = true
    }
  }
}

function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('time limit')
}

function zipReader(file: string): Reader {
  let zip: yauzl.ZipFile | undefined
  const zipEntries: yauzl.Entry[] = []
  return {
    async list(signal) {
      zip = await yauzl.openPromise(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, autoClose: false })
      if (zip.entryCount > MAX_ENTRIES) throw new Refused(`it holds ${zip.entryCount} files, more than ${MAX_ENTRIES}`)
      const out: IndexedEntry[] = []
      for await (const entry of zip.eachEntry()) {
        checkSignal(signal)
        const raw = entry.fileName as unknown as Buffer | string
        const name = typeof raw === 'string' ? raw : raw.toString('utf8')
        zipEntries.push(entry)
        if (name.endsWith('/')) continue
        const head = entry.canDecodeFileData() ? await readHead(await zip.openReadStreamPromise(entry)) : Buffer.alloc(0)
        out.push({ path: name, elfExecutable: isElfExecutableHead(head), index: zipEntries.length - 1 })
      }
      return out
    },
    async write(index, dest, limit, signal) {
      if (!zip) throw new Error('internal: zip not listed')
      const entry = zipEntries[index]
      const stream = await zip.openReadStreamPromise(entry)
      const out = limitedFile(dest, limit, 'its binary')
      try {
        for await (const chunk of stream) {
          checkSignal(signal)
          out.add(chunk as Buffer)
        }
      } finally {
        stream.destroy()
        out.done()
      }
    },
    async close() {
      zip?.close()
    }
  }
}

/** The first ELF_HEAD_BYTES of a stream, then the stream is closed. */
async function readHead(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  let n = 0
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer)
      n += (chunk as Buffer).length
      if (n >= ELF_HEAD_BYTES) break
    }
  } finally {
    stream.destroy()
  }
  return Buffer.concat(chunks).subarray(0, ELF_HEAD_BYTES)
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile'])

function tarReader(file: string, format: 'tar.gz' | 'tar.xz'): Reader {
  const children: Array<ReturnType<typeof startChild>> = []
  /** One pass over the archive; `onEntry` sees each file entry, may stop the pass by returning 'stop', or fail it. */
  const pass = (signal: AbortSignal, onEntry: (entry: ReadEntry, index: number, fail: (e: Error) => void) => 'stop' | undefined): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let source: Readable
      if (format === 'tar.xz') {
        const fd = fs.openSync(file, 'r')
        let xz: ReturnType<typeof startChild>
        try {
          xz = startChild('xz', ['-dc'], { stdio: [fd, 'pipe', 'pipe'] })
        } finally {
          fs.closeSync(fd)
        }
        children.push(xz)
        let stderr = ''
        xz.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)))
        xz.on('error', reject)
        xz.on('exit', code => {
          if (code !== 0 && code !== null) reject(new Error(`xz: ${stderr.trim() || `exit code ${code}`}`))
        })
        source = xz.stdout as Readable
      } else {
        source = fs.createReadStream(file)
      }
      let index = 0
      let finished = false
      const stop = (err?: Error): void => {
        if (finished) return
        finished = true
        source.unpipe()
        source.destroy()
        for (const c of children) c.kill()
        if (err) reject(err)
        else resolve()
      }
      const parser = new Parser({
        strict: true,
        maxDecompressionRatio: MAX_DECOMPRESSION_RATIO,
        onReadEntry: entry => {
          const i = index++
          if (i >= MAX_ENTRIES) return stop(new Refused(`it holds more than ${MAX_ENTRIES} files`))
          if (!FILE_TYPES.has(entry.type) || finished) return entry.resume()
          try {
            if (onEntry(entry, i, stop) === 'stop') entry.on('end', () => stop())
          } catch (e) {
            stop(e as Error)
          }
        }
      })
      const onAbort = (): void => stop(new Error('time limit'))
      signal.addEventListener('abort', onAbort, { once: true })
      parser.on('error', (e: Error) => stop(/decompression ratio/.test(e.message) ? new Refused(`it inflates more than ${MAX_DECOMPRESSION_RATIO} times its size (a compression bomb)`) : e))
      let streamed = 0
      source.on('data', (c: Buffer) => {
        streamed += c.length
        if (streamed > MAX_TAR_STREAM_BYTES) stop(new Refused(`it inflates past ${limitText(MAX_TAR_STREAM_BYTES)} in all (a compression bomb)`))
      })
      parser.on('end', () => stop())
      source.on('error', (e: Error) => stop(e))
      source.pipe(parser as unknown as NodeJS.WritableStream)
    })
  return {
    async list(signal) {
      const out: IndexedEntry[] = []
      await pass(signal, (entry, index) => {
        const chunks: Buffer[] = []
        let n = 0
        entry.on('data', (c: Buffer) => {
          if (n < ELF_HEAD_BYTES) chunks.push(c)
          n += c.length
        })
        entry.on('end', () => out.push({ path: entry.path, elfExecutable: isElfExecutableHead(Buffer.concat(chunks).subarray(0, ELF_HEAD_BYTES)), index }))
        return undefined
      })
      return out.sort((a, b) => a.index - b.index)
    },
    async write(wanted, dest, limit, signal) {
      let out: ReturnType<typeof limitedFile> | undefined
      try {
        await pass(signal, (entry, index, fail) => {
          if (index !== wanted) {
            entry.resume()
            return undefined
          }
          const file = limitedFile(dest, limit, 'its binary')
          out = file
          entry.on('data', (c: Buffer) => {
            try {
              file.add(c)
            } catch (e) {
              fail(e as Error)
            }
          })
          return 'stop'
        })
      } finally {
        out?.done()
      }
    },
    async close() {
      for (const c of children) if (c.exitCode === null) c.kill()
    }
  }
}
