import { backoffMs, decideRetry, isTransient, serverWaitMs, type Failure, type RetryOptions } from '../../src/github/retry.js'

const opts: RetryOptions = { attempts: 4, baseMs: 100, maxMs: 1000 }
const status = (s: number, headers: Record<string, string> = {}): Failure => ({ kind: 'status', status: s, headers })

describe('isTransient', () => {
  test.each([500, 502, 503, 504, 429])('HTTP %i is retried', s => {
    expect(isTransient(status(s))).toBe(true)
  })
  test.each([400, 401, 404, 409, 422])('HTTP %i is not', s => {
    expect(isTransient(status(s))).toBe(false)
  })
  test('403 is retried only when rate limited', () => {
    expect(isTransient(status(403))).toBe(false)
    expect(isTransient(status(403, { 'x-ratelimit-remaining': '0' }))).toBe(true)
    expect(isTransient(status(403, { 'x-ratelimit-remaining': '12' }))).toBe(false)
    expect(isTransient(status(403, { 'retry-after': '30' }))).toBe(true)
  })
  test('connection resets and timeouts are retried, unknown network errors not', () => {
    expect(isTransient({ kind: 'network', code: 'ECONNRESET', message: '' })).toBe(true)
    expect(isTransient({ kind: 'network', code: 'UND_ERR_SOCKET', message: 'other side closed' })).toBe(true)
    expect(isTransient({ kind: 'timeout' })).toBe(true)
    expect(isTransient({ kind: 'network', code: 'ENOTFOUND', message: '' })).toBe(false)
    expect(isTransient({ kind: 'network', message: 'weird' })).toBe(false)
  })
})

describe('waits', () => {
  test('backoff doubles, stays within [half, full] of its step, and is capped', () => {
    expect(backoffMs(1, opts, 0)).toBe(50)
    expect(backoffMs(1, opts, 1)).toBe(100)
    expect(backoffMs(3, opts, 0.5)).toBe(300)
    expect(backoffMs(20, opts, 1)).toBe(1000)
  })
  test('retry-after seconds win over backoff', () => {
    expect(serverWaitMs({ 'retry-after': '1' }, 0)).toBe(1000)
    expect(decideRetry(status(503, { 'retry-after': '0' }), 1, opts, 0, 1)).toEqual({ retry: true, delayMs: 0, reason: expect.any(String) })
  })
  test('x-ratelimit-reset is honoured when the limit is used up', () => {
    const now = 1_700_000_000_000
    const reset = String(now / 1000 + 0.5 * 1)
    expect(serverWaitMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(now / 1000)) }, now)).toBe(1000)
    expect(serverWaitMs({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': reset }, now)).toBeUndefined()
  })
  test('a server asking for longer than the cap is not retried, and the reason says so', () => {
    const d = decideRetry(status(429, { 'retry-after': '3600' }), 1, opts, 0, 0)
    expect(d.retry).toBe(false)
    expect(d.reason).toMatch(/3600s/)
  })
})

describe('decideRetry', () => {
  test('attempts are bounded', () => {
    const f = status(502)
    expect(decideRetry(f, 1, opts, 0, 0).retry).toBe(true)
    expect(decideRetry(f, 3, opts, 0, 0).retry).toBe(true)
    const last = decideRetry(f, 4, opts, 0, 0)
    expect(last).toEqual({ retry: false, reason: 'HTTP 502, gave up after 4 tries' })
  })
  test('non-transient failures stop at once', () => {
    expect(decideRetry(status(404), 1, opts, 0, 0)).toEqual({ retry: false, reason: 'HTTP 404 is not transient' })
  })
})
