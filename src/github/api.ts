import { getOctokit } from '@actions/github'
import { InputError, StepError } from '../errors.js'
import { DEFAULT_RETRY, type Failure, type RetryOptions, decideRetry, describeFailure } from './retry.js'
import { MalformedAnswerError, type ReleaseAsset, type Shape, assetShape, checkList, checkShape, fileShape } from './shapes.js'
import { quoted } from '../outside-text.js'

// The answers' types are declared with their shapes; callers keep importing them from here.
export type { Release, ReleaseAsset, Tag } from './shapes.js'

export interface GitHubApiOptions {
  token: string
  /** Defaults to GITHUB_API_URL, then https://api.github.com. */
  baseUrl?: string
  log?: (msg: string) => void
  retry?: Partial<RetryOptions>
  /** Per try, for JSON requests. */
  timeoutMs?: number
  /** Per try, for uploads and downloads of files. */
  transferTimeoutMs?: number
}

/** A request failed for good: not retryable, or out of tries. */
export class GitHubApiError extends Error {
  readonly status: number | undefined
  readonly headers: Record<string, string | undefined>
  constructor(
    readonly method: string,
    readonly route: string,
    /** How the last try failed: an HTTP status, a connection, a timeout. */
    readonly failure: Failure,
    /** First `errors[].code` of a 422, e.g. `already_exists`. */
    readonly code: string | undefined,
    /** One line: what came back, the tries made, GitHub's message. */
    readonly detail: string,
    /** The API root that was asked. */
    readonly baseUrl: string
  ) {
    super(`${method} ${route} failed: ${detail}`)
    this.name = 'GitHubApiError'
    this.status = failure.kind === 'status' ? failure.status : undefined
    this.headers = failure.kind === 'status' ? failure.headers : {}
  }
}

export function isStatus(e: unknown, ...statuses: number[]): e is GitHubApiError {
  return e instanceof GitHubApiError && e.status !== undefined && statuses.includes(e.status)
}

interface Sent {
  status: number
  headers: Record<string, string | undefined>
  body: Buffer
}

type Params = Record<string, string | number | undefined>

/**
 * Encodes each part of a path; `/` inside a part is kept as a separator (tags
 * and file paths may hold it). A `.` or `..` segment is refused: URLs resolve
 * them (even encoded), so a value could walk to another endpoint.
 */
export function apiPath(strings: TemplateStringsArray, ...parts: Array<string | number>): string {
  return strings.reduce((out, s, i) => {
    if (i >= parts.length) return out + s
    const segments = String(parts[i]).split('/')
    if (segments.some(x => x === '.' || x === '..')) throw new Error(`internal: ${JSON.stringify(String(parts[i]))} would leave its place in an API path`)
    return out + s + segments.map(encodeURIComponent).join('/')
  }, '')
}

export class GitHubApi {
  private readonly octokit: ReturnType<typeof getOctokit>
  private readonly retry: RetryOptions
  private readonly log: (msg: string) => void
  private readonly timeoutMs: number
  private readonly transferTimeoutMs: number
  readonly baseUrl: string

  constructor(private readonly opts: GitHubApiOptions) {
    if (!opts.token) throw new InputError('token', 'is empty', 'a GitHub token, such as the default ${{ github.token }}')
    this.baseUrl = (opts.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '')
    this.octokit = getOctokit(opts.token, { baseUrl: this.baseUrl, log: { debug: () => {}, info: () => {}, warn: m => this.log(m), error: () => {} } })
    this.retry = { ...DEFAULT_RETRY, ...opts.retry }
    this.log = opts.log ?? (() => {})
    this.timeoutMs = opts.timeoutMs ?? 60_000
    this.transferTimeoutMs = opts.transferTimeoutMs ?? 600_000
  }

  /** GET a JSON document of a shape. `path` is relative to the API root or absolute (a Link header's next page). */
  async getJson<T>(path: string, shape: Shape<T>, params: Params = {}): Promise<T> {
    const res = await this.send('GET', path, params, {})
    const request = `GET ${routeOf(path)}`
    return checkShape(parseJson(res.body, request), shape, request)
  }

  /** Like getJson, but a 404 is undefined. */
  async getJsonOrUndefined<T>(path: string, shape: Shape<T>, params: Params = {}): Promise<T | undefined> {
    try {
      return await this.getJson<T>(path, shape, params)
    } catch (e) {
      if (isStatus(e, 404)) return undefined
      throw e
    }
  }

  /** GET every page of a list (100 per page, following Link headers), each item of a shape. */
  async paginate<T>(path: string, item: Shape<T>, params: Params = {}): Promise<T[]> {
    const all: T[] = []
    let next: string | undefined = path
    let query: Params = { per_page: 100, ...params }
    for (let page = 0; next !== undefined; page++) {
      if (page > 1000) throw new MalformedAnswerError(`GET ${routeOf(path)}`, 'more than 1000 pages, giving up')
      const res = await this.send('GET', next, query, {})
      const request = `GET ${routeOf(next)}${page > 0 ? ` (page ${page + 1})` : ''}`
      all.push(...checkList(parseJson(res.body, request), item, request))
      next = nextLink(res.headers.link)
      query = {} // the next link carries the query
    }
    return all
  }

  /** A file's text at a ref through the contents API; undefined when there is no such file. */
  async getFile(owner: string, repo: string, file: string, ref: string): Promise<string | undefined> {
    const path = apiPath`/repos/${owner}/${repo}/contents/${file}`
    const doc = await this.getJsonOrUndefined<unknown>(path, { name: 'JSON', problem: () => undefined }, { ref })
    if (doc === undefined) return undefined
    // A folder answers with a list of its entries.
    if (Array.isArray(doc) || (typeof doc === 'object' && doc !== null && (doc as { type?: unknown }).type !== 'file')) {
      throw new StepError(`${owner}/${repo}: ${file} at ${ref} is not a file`)
    }
    const f = checkShape(doc, fileShape, `GET ${path}`)
    if (f.encoding !== 'base64' || typeof f.content !== 'string') {
      throw new StepError(`${owner}/${repo}: ${file} at ${ref} came without base64 content (encoding ${quoted(String(f.encoding))})`)
    }
    return Buffer.from(f.content, 'base64').toString('utf8')
  }

  /** POST bytes to a release's `upload_url` (the `{?name,label}` template is filled in). */
  async uploadAsset(uploadUrl: string, name: string, data: Buffer, contentType = 'application/octet-stream'): Promise<ReleaseAsset> {
    // Keep (or add) the query template: octokit fills it from `name`; without it `name` would go to the body.
    const url = /\{\?[^}]*\}$/.test(uploadUrl) ? uploadUrl : `${uploadUrl}{?name}`
    const res = await this.send('POST', url, { name }, { 'content-type': contentType }, data, this.transferTimeoutMs)
    const request = `POST ${routeOf(url)}`
    return checkShape(parseJson(res.body, request), assetShape, request)
  }

  async deleteAsset(owner: string, repo: string, id: number): Promise<void> {
    await this.send('DELETE', apiPath`/repos/${owner}/${repo}/releases/assets/${id}`, {}, {})
  }

  async renameAsset(owner: string, repo: string, id: number, name: string): Promise<ReleaseAsset> {
    const path = apiPath`/repos/${owner}/${repo}/releases/assets/${id}`
    const res = await this.send('PATCH', path, {}, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ name })))
    const request = `PATCH ${path}`
    return checkShape(parseJson(res.body, request), assetShape, request)
  }

  /** The bytes of a release asset (GitHub redirects to storage; fetch follows). */
  async downloadAsset(owner: string, repo: string, id: number): Promise<Buffer> {
    const path = apiPath`/repos/${owner}/${repo}/releases/assets/${id}`
    const res = await this.send('GET', path, {}, { accept: 'application/octet-stream' }, undefined, this.transferTimeoutMs)
    return res.body
  }

  private async send(method: string, url: string, params: Params, headers: Record<string, string>, body?: Buffer, timeoutMs = this.timeoutMs): Promise<Sent> {
    // The path alone: an upload URL or a next-page link carries the host too.
    const route = routeOf(url)
    for (let attempt = 1; ; attempt++) {
      let failure: Failure
      let error: unknown
      try {
        return await this.once(method, url, params, headers, body, timeoutMs)
      } catch (e) {
        error = e
        failure = toFailure(e)
      }
      const decision = decideRetry(failure, attempt, this.retry)
      if (!decision.retry) throw this.toError(method, route, failure, error, attempt > 1 ? decision.reason : describeFailure(failure))
      this.log(`${method} ${route}: ${decision.reason}; try ${attempt + 1} of ${this.retry.attempts} in ${(decision.delayMs / 1000).toFixed(1)}s`)
      await new Promise(resolve => setTimeout(resolve, decision.delayMs))
    }
  }

  private async once(method: string, url: string, params: Params, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<Sent> {
    const signal = AbortSignal.timeout(timeoutMs)
    const res = await this.octokit.request(`${method} ${url}`, {
      ...params,
      headers,
      ...(body !== undefined ? { data: body } : {}),
      // Read the body ourselves: octokit turns a broken binary body into an empty one.
      request: { signal, parseSuccessResponseBody: false }
    })
    const data: unknown = res.data
    const isStream = typeof (data as ReadableStream | undefined)?.getReader === 'function'
    const bytes = isStream ? Buffer.from(await new Response(data as ReadableStream).arrayBuffer()) : Buffer.from(typeof data === 'string' ? data : '')
    return { status: res.status, headers: res.headers as Record<string, string | undefined>, body: bytes }
  }

  private toError(method: string, route: string, f: Failure, cause: unknown, what: string): GitHubApiError {
    let detail = what
    let code: string | undefined
    if (f.kind === 'status') {
      const data = (cause as { response?: { data?: unknown } }).response?.data
      const doc = typeof data === 'object' && data !== null ? (data as { message?: unknown; errors?: Array<{ code?: unknown }> }) : {}
      code = Array.isArray(doc.errors) && typeof doc.errors[0]?.code === 'string' ? doc.errors[0].code : undefined
      if (typeof doc.message === 'string') detail += `: ${doc.message}${code ? ` (${code})` : ''}`
    }
    // The token never appears in a message, even if a server echoes it (short ones would mangle words).
    if (this.opts.token.length >= 8) detail = detail.split(this.opts.token).join('***')
    return new GitHubApiError(method, route, f, code, detail.replace(/\s+/g, ' '), this.baseUrl)
  }
}

/** The path alone: an upload URL or a next-page link carries the host and a query too. */
export function routeOf(url: string): string {
  return url.replace(/[?{].*$/, '').replace(/^https?:\/\/[^/]+/, '')
}

function parseJson(body: Buffer, request: string): unknown {
  const text = body.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new MalformedAnswerError(request, `the answer is not JSON (${body.length} bytes${body.length > 0 ? `: ${quoted(text, 40)}` : ''})`)
  }
}

export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)
    if (m) return m[1]
  }
  return undefined
}

/** Classifies whatever octokit or the body read threw. */
export function toFailure(e: unknown): Failure {
  const err = e as { status?: number; response?: { status: number; headers: Record<string, string | undefined> } }
  if (err?.response && typeof err.response.status === 'number') {
    return { kind: 'status', status: err.response.status, headers: err.response.headers ?? {} }
  }
  let code: string | undefined
  let message = e instanceof Error ? e.message : String(e)
  for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const x = c as { name?: string; code?: unknown; message?: string }
    if (x.name === 'TimeoutError') return { kind: 'timeout' }
    if (code === undefined && typeof x.code === 'string') code = x.code
    if (typeof x.message === 'string' && x.message !== 'fetch failed') message = x.message
  }
  return { kind: 'network', code, message }
}
