/**
 * Which failed GitHub requests are worth another try, and how long to wait
 * first. Pure: the clock and the dice are passed in.
 */

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number
  /** First backoff step; doubles with every try. */
  baseMs: number
  /** Longest wait. A server asking for a longer wait (rate limit) is not retried. */
  maxMs: number
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseMs: 1000, maxMs: 60_000 }

export type Failure =
  | { kind: 'status'; status: number; headers: Record<string, string | undefined> }
  | { kind: 'network'; code?: string; message: string }
  | { kind: 'timeout' }

export type RetryDecision = { retry: true; delayMs: number; reason: string } | { retry: false; reason: string }

// Errors of a connection that broke or never came up; worth another try.
const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'
])

/** Whether a request that failed this way may succeed when sent again. */
export function isTransient(f: Failure): boolean {
  switch (f.kind) {
    case 'timeout':
      return true
    case 'network':
      return f.code !== undefined && TRANSIENT_CODES.has(f.code)
    case 'status':
      return f.status >= 500 || f.status === 429 || (f.status === 403 && isRateLimited(f.headers))
  }
}

/** A 403 is a rate limit (primary or secondary), not a missing permission. */
export function isRateLimited(headers: Record<string, string | undefined>): boolean {
  return headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined
}

/** How long the server asked us to wait, if it did. */
export function serverWaitMs(headers: Record<string, string | undefined>, now: number): number | undefined {
  const after = headers['retry-after']
  if (after !== undefined && /^\d+$/.test(after.trim())) return Number(after.trim()) * 1000
  const reset = headers['x-ratelimit-reset']
  if (headers['x-ratelimit-remaining'] === '0' && reset !== undefined && /^\d+$/.test(reset.trim())) {
    // One second of slack: the reset time is rounded down to whole seconds.
    return Math.max(0, Number(reset.trim()) * 1000 - now + 1000)
  }
  return undefined
}

/** Exponential backoff with "equal jitter": half fixed, half random. */
export function backoffMs(attempt: number, opts: RetryOptions, random: number): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + (ceiling / 2) * random)
}

/**
 * `attempt` is the number of tries made so far (1 after the first failure).
 */
export function decideRetry(
  f: Failure,
  attempt: number,
  opts: RetryOptions,
  now: number = Date.now(),
  random: number = Math.random()
): RetryDecision {
  const what = describeFailure(f)
  if (!isTransient(f)) return { retry: false, reason: `${what} is not transient` }
  if (attempt >= opts.attempts) return { retry: false, reason: `${what}, gave up after ${attempt} tries` }
  if (f.kind === 'status') {
    const wait = serverWaitMs(f.headers, now)
    if (wait !== undefined) {
      if (wait > opts.maxMs) {
        return { retry: false, reason: `${what}, the server asks to wait ${Math.ceil(wait / 1000)}s (longer than ${Math.ceil(opts.maxMs / 1000)}s)` }
      }
      return { retry: true, delayMs: wait, reason: `${what}, waiting as the server asks` }
    }
  }
  return { retry: true, delayMs: backoffMs(attempt, opts, random), reason: what }
}

export function describeFailure(f: Failure): string {
  switch (f.kind) {
    case 'timeout':
      return 'timed out'
    case 'network':
      return `connection failed (${f.code ?? f.message})`
    case 'status':
      return f.status === 403 && isRateLimited(f.headers) ? 'HTTP 403 (rate limited)' : `HTTP ${f.status}`
  }
}
