/**
 * Downloads one file with a time limit and a size limit, following redirects
 * by hand so the token goes to one origin only.
 *
 * Not @actions/tool-cache's downloadTool: it has neither limit, and it drops
 * the Authorization header only when the host name changes, so a redirect to
 * another port or scheme of the same host would carry the token. The tool
 * cache still keeps what this downloads (fetch.ts).
 */
import * as fs from 'node:fs'
import { diskFull } from '../errors.js'

export interface DownloadLimits {
  /** The whole download: every redirect and the body. */
  timeoutMs: number
  maxBytes: number
  /** Tries in all, for a dropped connection or a 5xx/429 answer. */
  attempts: number
  /** Wait before the second try; doubles after. */
  retryDelayMs: number
}

export const DEFAULT_LIMITS: DownloadLimits = { timeoutMs: 300_000, maxBytes: 256 * 1024 * 1024, attempts: 3, retryDelayMs: 2000 }

export interface DownloadRequest {
  url: string
  /** The file to write (a name the action made); removed again when the download fails. */
  dest: string
  /** Sent as `Authorization: Bearer` only while the URL's origin is `tokenOrigin`. */
  token?: string
  tokenOrigin?: string
  accept?: string
  limits: DownloadLimits
  /** The only hosts plain http may reach, on every hop (a redirect too); unset: any host. */
  plainHttpHosts?: ReadonlySet<string>
}

/** Why a download failed, one line; `status` when the server answered with one. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly transient = false
  ) {
    super(message)
    this.name = 'DownloadError'
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 5

/** Downloads to `dest`, retrying what may pass on another try; the size in bytes. */
export async function downloadFile(req: DownloadRequest): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(req)
    } catch (e) {
      fs.rmSync(req.dest, { force: true })
      const transient = e instanceof DownloadError && e.transient
      if (!transient || attempt >= req.limits.attempts) throw e
      await new Promise(r => setTimeout(r, req.limits.retryDelayMs * 2 ** (attempt - 1)))
    }
  }
}

async function downloadOnce(req: DownloadRequest): Promise<number> {
  const { limits } = req
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, limits.timeoutMs)
  try {
    const res = await follow(req, controller.signal)
    if (res.status !== 200) {
      await res.body?.cancel()
      throw new DownloadError(`HTTP ${res.status}`, res.status, res.status >= 500 || res.status === 429 || res.status === 408)
    }
    const declared = Number(res.headers.get('content-length') ?? NaN)
    if (declared > limits.maxBytes) {
      await res.body?.cancel()
      throw tooLarge(limits.maxBytes, declared)
    }
    return await writeBody(res, req.dest, limits.maxBytes, controller)
  } catch (e) {
    if (timedOut) throw new DownloadError(`no complete answer within ${limits.timeoutMs / 1000} s`)
    // Writing failed (a full disk): the caller names the folder; not a connection, not worth another try.
    if (e instanceof DownloadError || diskFull(e)) throw e
    throw new DownloadError(networkReason(e), undefined, true)
  } finally {
    clearTimeout(timer)
  }
}

/** The final answer after redirects; the token only ever to its origin, never down from https to http. */
async function follow(req: DownloadRequest, signal: AbortSignal): Promise<Response> {
  let url = new URL(req.url)
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'go-plugin-build-action' }
    if (req.accept) headers.accept = req.accept
    if (req.token && req.tokenOrigin !== undefined && url.origin === req.tokenOrigin) headers.authorization = `Bearer ${req.token}`
    if (url.protocol === 'http:' && req.plainHttpHosts && !req.plainHttpHosts.has(url.hostname)) throw new DownloadError(`led to plain http at ${url.host}; plain http only to ${[...req.plainHttpHosts].join(', ')}`)
    const res = await fetch(url, { headers, redirect: 'manual', signal })
    if (!REDIRECTS.has(res.status)) return res
    await res.body?.cancel()
    const location = res.headers.get('location')
    if (!location) throw new DownloadError(`HTTP ${res.status} without a Location`, res.status)
    if (hop >= MAX_REDIRECTS) throw new DownloadError(`more than ${MAX_REDIRECTS} redirects`)
    const next = new URL(location, url)
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new DownloadError(`redirected to a ${next.protocol} URL`)
    if (url.protocol === 'https:' && next.protocol === 'http:') throw new DownloadError('redirected from https to plain http')
    url = next
  }
}

async function writeBody(res: Response, dest: string, maxBytes: number, controller: AbortController): Promise<number> {
  const fd = fs.openSync(dest, 'wx')
  let total = 0
  try {
    if (!res.body) return 0
    const reader = res.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > maxBytes) {
        controller.abort()
        throw tooLarge(maxBytes)
      }
      fs.writeSync(fd, value)
    }
    return total
  } finally {
    fs.closeSync(fd)
  }
}

function tooLarge(maxBytes: number, declared?: number): DownloadError {
  return new DownloadError(declared !== undefined ? `the file is ${declared} bytes, above the limit of ${maxBytes}` : `the file is larger than the limit of ${maxBytes} bytes`)
}

function networkReason(e: unknown): string {
  for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const x = c as { code?: unknown; message?: unknown }
    if (typeof x.code === 'string') return `connection failed (${x.code})`
  }
  return `connection failed (${String((e as Error)?.message ?? e).split('\n')[0]})`
}
