import { createHash } from 'node:crypto'
import { StepError } from '../errors.js'
import { hasControl, quoted } from '../outside-text.js'

/** The release asset listing the sha256 of every `.so` asset. */
export const CHECKSUMS_NAME = 'SHA256SUMS'

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** The hex of an asset's `digest` field when it is a sha256 one. */
export function digestHex(digest: string | null | undefined): string | undefined {
  const m = /^sha256:([0-9a-f]{64})$/i.exec(digest ?? '')
  return m ? m[1].toLowerCase() : undefined
}

/** Which assets the checksum file covers. */
export function isCovered(name: string): boolean {
  return name.endsWith('.so')
}

/** sha256sum's format: `<hex>  <name>` lines, sorted by name (code-unit order, like `LC_ALL=C sort`). */
export function formatChecksums(sums: Map<string, string>): string {
  // A line per file, always: a name with a line break (or any control character) would forge another line.
  for (const [name, hex] of sums) {
    if (hasControl(name)) throw new StepError(`${CHECKSUMS_NAME} cannot list the asset ${quoted(name)}: its name holds a control character; rename or delete that asset`)
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new StepError(`${CHECKSUMS_NAME}: the sha256 of ${quoted(name)} is ${quoted(hex)}, not 64 lowercase hex digits`)
  }
  const names = [...sums.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return names.map(n => `${sums.get(n)}  ${n}\n`).join('')
}

/** Reads sha256sum output (text or binary mode marker); lines that do not fit are skipped. */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line)
    if (m) sums.set(m[2], m[1].toLowerCase())
  }
  return sums
}
