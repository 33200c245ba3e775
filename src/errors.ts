/**
 * An input the user gave cannot be used. The message is one line that names
 * the input and says what is accepted, e.g.
 *   Input 'platforms': unknown platform "linux-mips"; accepted: linux-amd64, ...
 */
export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
    accepted: string
  ) {
    super(`Input '${input}': ${problem}; accepted: ${accepted}`)
    this.name = 'InputError'
  }
}

/** Where an annotation should point (a file of the plugin, e.g. its go.mod). */
export interface SourceLocation {
  file: string
  line?: number
}

/**
 * A step of the pipeline failed for a reason the user can act on. `location`,
 * when set, becomes the annotation's file and line.
 */
export class StepError extends Error {
  constructor(
    message: string,
    readonly location?: SourceLocation
  ) {
    super(message)
    this.name = 'StepError'
  }
}

// A full disk, or the user's quota on it.
const FULL_DISK_CODES = new Set(['ENOSPC', 'EDQUOT'])
// How programs (tar, go, docker) and libraries say it in text.
const FULL_DISK_TEXT = /no space left on device|disk quota exceeded|\bENOSPC\b|\bEDQUOT\b/i

/**
 * Whether `e` (an error, its causes, or a program's output) says the disk is
 * full; its errno code and the path it names when it does.
 */
export function diskFull(e: unknown): { code: string; path?: string } | undefined {
  for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 6; c = (c as { cause?: unknown }).cause, depth++) {
    if (typeof c === 'string') return FULL_DISK_TEXT.test(c) ? { code: /EDQUOT|quota/i.test(c) ? 'EDQUOT' : 'ENOSPC' } : undefined
    const x = c as { code?: unknown; path?: unknown; message?: unknown }
    if (typeof x.code === 'string' && FULL_DISK_CODES.has(x.code)) return { code: x.code, ...(typeof x.path === 'string' ? { path: x.path } : {}) }
    if (typeof x.message === 'string' && FULL_DISK_TEXT.test(x.message)) return { code: /EDQUOT|quota/i.test(x.message) ? 'EDQUOT' : 'ENOSPC' }
  }
  return undefined
}

/**
 * The disk is full: named as such with the folder that could not be written,
 * never as a network, token or archive problem.
 */
export class DiskFullError extends StepError {
  constructor(
    /** What was being done: `downloading gotify-linux-amd64.zip`. */
    doing: string,
    /** The folder written to, as the user knows it: `RUNNER_TEMP (/home/runner/work/_temp)`. */
    readonly folder: string,
    code = 'ENOSPC'
  ) {
    super(`${doing}: the disk is full: no space left in ${folder} (${code}); free space on the runner (or give it a larger disk) and re-run`)
    this.name = 'DiskFullError'
  }
}

/** A folder as the user knows it: `RUNNER_TEMP (<path>)`, `RUNNER_TOOL_CACHE (<path>)`, else the path. Pure. */
export function namedFolder(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ['RUNNER_TEMP', 'RUNNER_TOOL_CACHE']) {
    const root = env[name]
    if (root && (dir === root || dir.startsWith(`${root.replace(/\/+$/, '')}/`))) return `${name} (${dir})`
  }
  return dir
}

/**
 * A full disk met while `doing` as a DiskFullError naming the folder (the one
 * the failed write names, else `folder`); anything else, and a failure already
 * said as a StepError, is returned as it is.
 */
export function asDiskFull(e: unknown, doing: string, folder: string): unknown {
  // Said already (a DiskFullError among them).
  if (e instanceof StepError) return e
  const full = diskFull(e)
  if (!full) return e
  return new DiskFullError(doing, namedFolder(full.path ? full.path.replace(/\/[^/]*$/, '') || '/' : folder), full.code)
}
