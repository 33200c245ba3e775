/**
 * A real HTTP server on 127.0.0.1 speaking the part of GitHub's REST API the
 * action uses, with in-memory state tests set up and inspect, a request log,
 * and faults to inject per route.
 */
import * as http from 'node:http'
import { createHash } from 'node:crypto'
import { type FakeAsset, type FakeRelease, type FakeRepo, FakeState } from './github-state.js'
import { FaultList, type InjectedFault, listenLocal, readBody } from './local-server.js'

export { type FakeAsset, type FakeRelease, type FakeRepo, FakeState }

export interface LoggedRequest {
  method: string
  /** Path and query, as sent. */
  url: string
  path: string
  headers: http.IncomingHttpHeaders
  status?: number
  /** A fault answered instead of the fake. */
  fault?: string
}

export interface Fault {
  method?: string
  /** Matches the path without the query. */
  path: string | RegExp
  status?: number
  /**
   * Answer with these bytes as they are (status 200 unless `status` says
   * otherwise): a malformed answer, e.g. not JSON or an object for a list.
   */
  body?: string | Buffer
  /** Sent as retry-after (seconds). */
  retryAfter?: number
  headers?: Record<string, string>
  /** Wait this long before answering (or before the fault's effect). */
  delayMs?: number
  /**
   * Destroy the socket: `before-body` right away, `after-body` after reading the
   * request body (nothing done), `after-effect` after handling it (the write
   * landed, the client sees a dropped connection).
   */
  drop?: 'before-body' | 'after-body' | 'after-effect'
  /** How many matching requests the fault hits; unlimited when unset. */
  times?: number
  /** Also match the query string (e.g. /name=SHA256SUMS/ for one upload). */
  query?: RegExp
  /** Uploads: the stored bytes differ from those sent (one byte flipped); the digest is that of the stored bytes, as GitHub's. */
  corruptStored?: boolean
  /**
   * Runs before the request is answered, e.g. a concurrent job that deletes
   * or replaces an asset between another job's listing and its download.
   */
  before?: (state: FakeState) => void | Promise<void>
}

export interface GitHubServer {
  url: string
  state: FakeState
  log: LoggedRequest[]
  inject(fault: Fault): InjectedFault
  clearFaults(): void
  /** Log entries that changed something (POST, PATCH, DELETE, PUT). */
  writes(): LoggedRequest[]
  close(): Promise<void>
}

export interface GitHubServerOptions {
  /** Require `authorization: Bearer|token <token>` on API requests. */
  token?: string
}

class HttpReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {}
}

const notFound = (): HttpReply => new HttpReply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })

export async function createGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const state = new FakeState()
  const log: LoggedRequest[] = []
  const faults = new FaultList<Fault>()
  let base = ''


  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base)
    const method = req.method ?? 'GET'
    const entry: LoggedRequest = { method, url: req.url ?? '/', path: url.pathname, headers: req.headers }
    log.push(entry)

    const fault = faults.take(
      f =>
        (f.method === undefined || f.method === method) &&
        (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)) &&
        (f.query === undefined || f.query.test(url.search))
    )
    if (fault?.before) await fault.before(state)
    if (fault?.delayMs) await new Promise(r => setTimeout(r, fault.delayMs))
    if (fault?.drop === 'before-body') {
      entry.fault = 'dropped'
      req.socket.destroy()
      return
    }
    const body = await readBody(req)
    if (fault?.drop === 'after-body') {
      entry.fault = 'dropped'
      req.socket.destroy()
      return
    }
    if (fault?.status || fault?.body !== undefined) {
      const status = fault.status ?? 200
      entry.fault = fault.body !== undefined ? `raw body, status ${status}` : `status ${status}`
      entry.status = status
      const headers: Record<string, string> = { 'content-type': 'application/json', ...fault.headers }
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter)
      res.writeHead(status, headers)
      res.end(fault.body ?? JSON.stringify({ message: `injected ${status}` }))
      return
    }

    let reply: HttpReply | { raw: Buffer; contentType: string }
    const isDownload = url.pathname.startsWith('/_storage/') || /^\/[^/]+\/[^/]+\/releases\/download\//.test(url.pathname)
    const auth = req.headers.authorization ?? ''
    if (!isDownload && options.token && auth !== `Bearer ${options.token}` && auth !== `token ${options.token}`) {
      reply = new HttpReply(401, { message: 'Bad credentials' })
    } else {
      reply = route(method, url, req.headers, body, fault?.corruptStored === true)
    }
    if (fault?.drop === 'after-effect') {
      entry.fault = 'dropped after effect'
      req.socket.destroy()
      return
    }
    if (reply instanceof HttpReply) {
      entry.status = reply.status
      res.writeHead(reply.status, { ...(reply.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...reply.headers })
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body))
    } else {
      entry.status = 200
      res.writeHead(200, { 'content-type': reply.contentType, 'content-length': String(reply.raw.length) })
      res.end(reply.raw)
    }
  }

  function assetJson(repo: FakeRepo, release: FakeRelease, a: FakeAsset): object {
    return {
      url: `${base}/repos/${repo.owner}/${repo.name}/releases/assets/${a.id}`,
      id: a.id,
      name: a.name,
      label: a.label,
      state: a.state,
      content_type: a.content_type,
      size: a.data.length,
      digest: a.withDigest && a.state === 'uploaded' ? (a.wrongDigest ?? `sha256:${createHash('sha256').update(a.data).digest('hex')}`) : null,
      created_at: a.created_at,
      updated_at: a.created_at,
      download_count: 0,
      browser_download_url: `${base}/${repo.owner}/${repo.name}/releases/download/${encodeURIComponent(release.tag_name)}/${encodeURIComponent(a.name)}`
    }
  }

  function releaseJson(repo: FakeRepo, r: FakeRelease): object {
    return {
      id: r.id,
      tag_name: r.tag_name,
      name: r.name,
      draft: r.draft,
      prerelease: r.prerelease,
      published_at: r.draft ? null : r.published_at,
      html_url: `${base}/${repo.owner}/${repo.name}/releases/${r.draft ? `untagged-${r.id}` : `tag/${r.tag_name}`}`,
      upload_url: `${base}/uploads/repos/${repo.owner}/${repo.name}/releases/${r.id}/assets{?name,label}`,
      assets: r.assets.map(a => assetJson(repo, r, a))
    }
  }

  function page(url: URL, items: object[]): HttpReply {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30))
    const pageNo = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const link = (p: number, rel: string): string => {
      const u = new URL(url.pathname + url.search, base)
      u.searchParams.set('per_page', String(perPage))
      u.searchParams.set('page', String(p))
      return `<${u.toString()}>; rel="${rel}"`
    }
    const links: string[] = []
    if (pageNo < last) links.push(link(pageNo + 1, 'next'), link(last, 'last'))
    if (pageNo > 1) links.push(link(1, 'first'), link(pageNo - 1, 'prev'))
    return new HttpReply(200, items.slice((pageNo - 1) * perPage, pageNo * perPage), links.length ? { link: links.join(', ') } : {})
  }

  function route(method: string, url: URL, headers: http.IncomingHttpHeaders, body: Buffer, corrupt = false): HttpReply | { raw: Buffer; contentType: string } {
    const p = url.pathname
    let m: RegExpExecArray | null
    if ((m = /^\/_storage\/(\d+)$/.exec(p)) && method === 'GET') {
      const found = state.findAsset(Number(m[1]))
      return found ? { raw: found.asset.data, contentType: 'application/octet-stream' } : notFound()
    }
    if ((m = /^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(p)) && method === 'GET') {
      const rel = state.release(`${m[1]}/${m[2]}`, decodeURIComponent(m[3]))
      const a = rel?.assets.find(x => x.name === decodeURIComponent(m![4]) && x.state === 'uploaded')
      return a ? { raw: a.data, contentType: 'application/octet-stream' } : notFound()
    }
    if ((m = /^\/uploads\/repos\/([^/]+)\/([^/]+)\/releases\/(\d+)\/assets$/.exec(p)) && method === 'POST') {
      const repo = state.repos.get(`${m[1]}/${m[2]}`)
      const rel = repo?.releases.find(r => r.id === Number(m![3]))
      if (!repo || !rel) return notFound()
      const name = url.searchParams.get('name') ?? ''
      if (name === '') return new HttpReply(422, { message: 'Validation Failed', errors: [{ resource: 'ReleaseAsset', code: 'missing_field', field: 'name' }] })
      if (rel.assets.some(a => a.name === name)) {
        return new HttpReply(422, { message: 'Validation Failed', errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }] })
      }
      const a = state.addAsset(rel, name, body, { content_type: String(headers['content-type'] ?? 'application/octet-stream') })
      if (corrupt && a.data.length > 0) a.data[a.data.length >> 1] ^= 0xff
      return new HttpReply(201, assetJson(repo, rel, a))
    }
    m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(p)
    if (!m) return notFound()
    const repo = state.repos.get(`${m[1]}/${m[2]}`)
    if (!repo) return notFound()
    const rest = m[3] ?? ''
    const published = repo.releases.filter(r => !r.draft)

    if (method === 'GET' && rest === '/releases/latest') {
      const latest = published.filter(r => !r.prerelease).sort((a, b) => b.published_at.localeCompare(a.published_at))[0]
      return latest ? new HttpReply(200, releaseJson(repo, latest)) : notFound()
    }
    if (method === 'GET' && (m = /^\/releases\/tags\/(.+)$/.exec(rest))) {
      const rel = published.find(r => r.tag_name === decodeURIComponent(m![1]))
      return rel ? new HttpReply(200, releaseJson(repo, rel)) : notFound()
    }
    if (method === 'GET' && rest === '/releases') return page(url, repo.releases.map(r => releaseJson(repo, r)))
    if (method === 'GET' && rest === '/tags') return page(url, repo.tags.map(t => ({ name: t, commit: { sha: sha1(t) } })))
    if (method === 'GET' && (m = /^\/git\/ref\/tags\/(.+)$/.exec(rest))) {
      const tag = decodeURIComponent(m[1])
      return repo.tags.includes(tag) ? new HttpReply(200, { ref: `refs/tags/${tag}`, object: { sha: sha1(tag), type: 'commit' } }) : notFound()
    }
    if (method === 'GET' && (m = /^\/releases\/(\d+)\/assets$/.exec(rest))) {
      const rel = repo.releases.find(r => r.id === Number(m![1]))
      return rel ? page(url, rel.assets.map(a => assetJson(repo, rel, a))) : notFound()
    }
    if (method === 'GET' && (m = /^\/releases\/(\d+)$/.exec(rest))) {
      const rel = repo.releases.find(r => r.id === Number(m![1]))
      return rel ? new HttpReply(200, releaseJson(repo, rel)) : notFound()
    }
    if ((m = /^\/releases\/assets\/(\d+)$/.exec(rest))) {
      const found = state.findAsset(Number(m[1]))
      if (!found || found.repo !== repo) return notFound()
      const { release, asset } = found
      if (method === 'GET') {
        if (headers.accept === 'application/octet-stream') return new HttpReply(302, undefined, { location: `${base}/_storage/${asset.id}` })
        return new HttpReply(200, assetJson(repo, release, asset))
      }
      if (method === 'DELETE') {
        release.assets.splice(release.assets.indexOf(asset), 1)
        return new HttpReply(204, undefined)
      }
      if (method === 'PATCH') {
        const doc = JSON.parse(body.toString('utf8') || '{}') as { name?: string; label?: string }
        if (doc.name !== undefined && doc.name !== asset.name && release.assets.some(a => a.name === doc.name)) {
          return new HttpReply(422, { message: 'Validation Failed', errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }] })
        }
        if (doc.name !== undefined) asset.name = doc.name
        if (doc.label !== undefined) asset.label = doc.label
        return new HttpReply(200, assetJson(repo, release, asset))
      }
    }
    if (method === 'GET' && (m = /^\/commits\/(.+)$/.exec(rest))) {
      // A branch, a tag, or a commit's SHA (or a prefix of it naming one commit), as GitHub resolves them.
      const ref = decodeURIComponent(m[1])
      const prefixed = /^[0-9a-f]{4,40}$/.test(ref) ? repo.commits.filter(c => c.startsWith(ref)) : []
      const sha = repo.branches.get(ref) ?? (repo.tags.includes(ref) ? sha1(ref) : prefixed.length === 1 ? prefixed[0] : undefined)
      if (sha) return new HttpReply(200, { sha, commit: { message: 'a commit' }, parents: [] })
      return /^[0-9a-f]{4,40}$/.test(ref) ? new HttpReply(422, { message: `No commit found for SHA: ${ref}` }) : notFound()
    }
    if (method === 'GET' && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const ref = url.searchParams.get('ref') ?? repo.tags[0] ?? ''
      const file = decodeURIComponent(m[1])
      const content = repo.files.get(ref)?.get(file)
      if (content === undefined) return notFound()
      const b64 = Buffer.from(content).toString('base64').replace(/(.{60})/g, '$1\n')
      return new HttpReply(200, { type: 'file', name: file.split('/').pop(), path: file, size: Buffer.byteLength(content), encoding: 'base64', content: b64, sha: sha1(content) })
    }
    return notFound()
  }

  const server = await listenLocal(handle)
  base = server.base

  return {
    url: base,
    state,
    log,
    inject: fault => faults.inject(fault),
    clearFaults: () => faults.clear(),
    writes() {
      return log.filter(e => ['POST', 'PATCH', 'DELETE', 'PUT'].includes(e.method))
    },
    close: () => server.close()
  }
}


function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}
