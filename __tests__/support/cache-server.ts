/**
 * A real cache service on 127.0.0.1 speaking the v1 cache protocol that
 * @actions/cache uses on GitHub Enterprise Server (GITHUB_SERVER_URL not
 * github.com, ACTIONS_CACHE_URL set): `_apis/artifactcache/`
 *   GET  cache?keys=k1,k2&version=v    the entry for the first key that matches
 *                                      exactly, else the newest whose key starts with it
 *   POST caches {key, version}         reserve; 409 when the key exists
 *   PATCH caches/:id                   one chunk, Content-Range: bytes s-e/*
 *   POST caches/:id {size}             commit
 *   GET  archives/:id                  download (the archiveLocation handed out)
 * Archives are kept on disk. Faults (a status, a dropped connection, a request held open) can be
 * injected per route, like the fake GitHub's.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import { FaultList, listenLocal, readBody } from './local-server.js'

export interface CacheEntry {
  id: number
  key: string
  version: string
  size: number
  committed: boolean
  created: number
  file: string
}

export interface CacheRequest {
  method: string
  /** Path and query, as sent. */
  url: string
  status?: number
  fault?: string
}

export interface CacheFault {
  method?: string
  /** Matched against the path after `_apis/artifactcache/` (e.g. /^cache$/, /^caches\/\d+$/). */
  route: RegExp
  /** Also match the query string, decoded (e.g. /keys=go-plugin-build-v1-modules-/). */
  query?: RegExp
  status?: number
  /** Destroy the connection instead of answering. */
  drop?: boolean
  /** Never answer: the request stays open until the service closes (a cache service that hangs). */
  hold?: boolean
  /**
   * Archive downloads: a corrupt entry whose tar stops halfway (re-compressed, so
   * the download and decompression succeed and extraction breaks midway).
   */
  cutTar?: boolean
  /** How many matching requests it hits; unlimited when unset. */
  times?: number
}

export interface CacheServer {
  /** ACTIONS_CACHE_URL (with its trailing slash, as the runner gives it). */
  url: string
  token: string
  entries: CacheEntry[]
  log: CacheRequest[]
  inject(fault: CacheFault): { readonly hits: number }
  clearFaults(): void
  /** The environment a runner gives a step that may use the cache. */
  env(): Record<string, string>
  close(): Promise<void>
}

const PREFIX = '/_apis/artifactcache/'

export async function startCacheServer(opts: { dir?: string; token?: string } = {}): Promise<CacheServer> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cache-service-'))
  const ownDir = opts.dir === undefined
  const token = opts.token ?? 'runtime-token'
  const entries: CacheEntry[] = []
  const log: CacheRequest[] = []
  const faults = new FaultList<CacheFault>()
  let nextId = 1
  let base = ''

  const json = (res: http.ServerResponse, status: number, body?: unknown): number => {
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' })
    res.end(body === undefined ? undefined : JSON.stringify(body))
    return status
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base)
    const method = req.method ?? 'GET'
    const entry: CacheRequest = { method, url: req.url ?? '/' }
    log.push(entry)
    if (!url.pathname.startsWith(PREFIX)) {
      entry.status = json(res, 404, { message: 'not found' })
      return
    }
    const route = url.pathname.slice(PREFIX.length)
    const query = decodeURIComponent(url.search)
    const fault = faults.take(f => (f.method === undefined || f.method === method) && f.route.test(route) && (f.query === undefined || f.query.test(query)))
    if (fault && !fault.cutTar) {
      if (fault.hold) {
        entry.fault = 'held'
        return
      }
      if (fault.drop) {
        entry.fault = 'dropped'
        req.socket.destroy()
        return
      }
      entry.fault = `status ${fault.status}`
      entry.status = json(res, fault.status ?? 500, { message: `injected ${fault.status ?? 500}` })
      return
    }
    const body = await readBody(req)
    // Archive downloads are plain URLs; every API call carries the runtime token.
    const download = /^archives\/(\d+)$/.exec(route)
    if (!download && req.headers.authorization !== `Bearer ${token}`) {
      entry.status = json(res, 401, { message: 'bad token' })
      return
    }
    let m: RegExpExecArray | null
    if (download && method === 'GET') {
      const e = entries.find(x => x.id === Number(download[1]) && x.committed)
      if (!e) {
        entry.status = json(res, 404, { message: 'no such archive' })
        return
      }
      entry.status = 200
      if (fault?.cutTar) {
        entry.fault = 'tar cut halfway'
        const tar = execFileSync('zstd', ['-d', '-c', '-q', e.file], { maxBuffer: 1 << 30 })
        const cut = execFileSync('zstd', ['-c', '-q'], { input: tar.subarray(0, Math.floor(tar.length / 2) | 1), maxBuffer: 1 << 30 })
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(cut.length) })
        res.end(cut)
        return
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(e.size) })
      fs.createReadStream(e.file).pipe(res)
      return
    }
    if (route === 'cache' && method === 'GET') {
      const keys = (url.searchParams.get('keys') ?? '').split(',').filter(Boolean)
      const version = url.searchParams.get('version') ?? ''
      const found = lookup(keys, version)
      if (!found) {
        entry.status = json(res, 204)
        return
      }
      entry.status = json(res, 200, {
        cacheKey: found.key,
        scope: 'refs/heads/main',
        creationTime: new Date(found.created).toISOString(),
        archiveLocation: `${base}${PREFIX}archives/${found.id}`
      })
      return
    }
    if (route === 'caches' && method === 'GET') {
      entry.status = json(res, 200, { totalCount: 0, artifactCaches: [] })
      return
    }
    if (route === 'caches' && method === 'POST') {
      const doc = JSON.parse(body.toString('utf8') || '{}') as { key?: string; version?: string }
      if (!doc.key || !doc.version) {
        entry.status = json(res, 400, { message: 'key and version are required' })
        return
      }
      if (entries.some(e => e.key === doc.key && e.version === doc.version)) {
        entry.status = json(res, 409, { message: `Cache already exists. Scope: refs/heads/main, Key: ${doc.key}, Version: ${doc.version}` })
        return
      }
      const e: CacheEntry = { id: nextId++, key: doc.key, version: doc.version, size: 0, committed: false, created: Date.now(), file: '' }
      e.file = path.join(dir, `archive-${e.id}`)
      fs.writeFileSync(e.file, '')
      entries.push(e)
      entry.status = json(res, 201, { cacheId: e.id })
      return
    }
    if ((m = /^caches\/(\d+)$/.exec(route))) {
      const e = entries.find(x => x.id === Number(m![1]) && !x.committed)
      if (!e) {
        entry.status = json(res, 404, { message: 'no such reservation' })
        return
      }
      if (method === 'PATCH') {
        const range = /^bytes (\d+)-(\d+)\/\*$/.exec(String(req.headers['content-range'] ?? ''))
        if (!range || Number(range[2]) - Number(range[1]) + 1 !== body.length) {
          entry.status = json(res, 400, { message: `bad Content-Range ${String(req.headers['content-range'])} for ${body.length} bytes` })
          return
        }
        const fd = fs.openSync(e.file, 'r+')
        fs.writeSync(fd, body, 0, body.length, Number(range[1]))
        fs.closeSync(fd)
        entry.status = json(res, 204)
        return
      }
      if (method === 'POST') {
        const doc = JSON.parse(body.toString('utf8') || '{}') as { size?: number }
        const size = fs.statSync(e.file).size
        if (doc.size !== size) {
          entry.status = json(res, 400, { message: `size ${String(doc.size)} does not match the ${size} bytes uploaded` })
          return
        }
        Object.assign(e, { committed: true, size, created: Date.now() })
        entry.status = json(res, 204)
        return
      }
    }
    entry.status = json(res, 404, { message: 'not found' })
  }

  /** GitHub's matching: per key in order, an exact key, else the newest entry the key is a prefix of. */
  function lookup(keys: string[], version: string): CacheEntry | undefined {
    const usable = entries.filter(e => e.committed && e.version === version)
    for (const key of keys) {
      const exact = usable.find(e => e.key === key)
      if (exact) return exact
      const prefixed = usable.filter(e => e.key.startsWith(key)).sort((a, b) => b.created - a.created)[0]
      if (prefixed) return prefixed
    }
    return undefined
  }

  const server = await listenLocal(handle)
  base = server.base

  return {
    url: `${base}/`,
    token,
    entries,
    log,
    inject: fault => faults.inject(fault),
    clearFaults: () => faults.clear(),
    env() {
      // A server URL that is not github.com makes @actions/cache speak v1 (GHES).
      return { ACTIONS_CACHE_URL: `${base}/`, ACTIONS_RUNTIME_TOKEN: token, GITHUB_SERVER_URL: base }
    },
    async close() {
      await server.close()
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

