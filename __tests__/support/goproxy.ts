import * as http from 'node:http'
import * as https from 'node:https'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeZip } from './zip.js'

/**
 * A real GOPROXY (the module proxy protocol over HTTP on 127.0.0.1) serving
 * the fixture modules of __tests__/fixtures/modules, laid out as
 * `<module path>@<version>/<files>`. Use it with GOPROXY=<url> GOSUMDB=off.
 * With `tls` it speaks HTTPS, like a proxy behind a company's inspecting CA.
 */
export const MODULES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'modules')

export interface GoProxy {
  url: string
  /** Every request path, in order. */
  log: string[]
  close(): Promise<void>
}

interface ModuleVersion {
  dir: string
  version: string
}

function scan(root: string): Map<string, ModuleVersion[]> {
  const modules = new Map<string, ModuleVersion[]>()
  const walk = (dir: string, rel: string[]): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue
      const at = e.name.indexOf('@')
      if (at > 0) {
        const mod = [...rel, e.name.slice(0, at)].join('/')
        const list = modules.get(mod) ?? []
        list.push({ dir: path.join(dir, e.name), version: e.name.slice(at + 1) })
        modules.set(mod, list)
      } else {
        walk(path.join(dir, e.name), [...rel, e.name])
      }
    }
  }
  walk(root, [])
  return modules
}

function filesOf(dir: string, prefix: string): Array<{ name: string; data: Buffer }> {
  const out: Array<{ name: string; data: Buffer }> = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...filesOf(p, `${prefix}${e.name}/`))
    else out.push({ name: `${prefix}${e.name}`, data: fs.readFileSync(p) })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

// The proxy protocol escapes upper-case letters as !lower.
const unescape = (s: string): string => s.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase())

export async function startGoProxy(root: string = MODULES_DIR, opts: { tls?: { key: Buffer; cert: Buffer } } = {}): Promise<GoProxy> {
  const modules = scan(root)
  const log: string[] = []
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0])
    log.push(url)
    const m = /^\/(.+?)\/@(v\/list|v\/(.+)\.(info|mod|zip)|latest)$/.exec(url)
    const versions = m ? modules.get(unescape(m[1])) : undefined
    if (!m || !versions) {
      res.writeHead(404).end('not found')
      return
    }
    const mod = unescape(m[1])
    if (m[2] === 'v/list') {
      res.end(versions.map(v => v.version).join('\n') + '\n')
      return
    }
    const sorted = [...versions].sort((a, b) => a.version.localeCompare(b.version, undefined, { numeric: true }))
    const v = m[2] === 'latest' ? sorted[sorted.length - 1] : versions.find(x => x.version === unescape(m[3]))
    if (!v) {
      res.writeHead(404).end('not found')
      return
    }
    const kind = m[2] === 'latest' ? 'info' : m[4]
    if (kind === 'info') res.end(JSON.stringify({ Version: v.version, Time: '2024-01-01T00:00:00Z' }))
    else if (kind === 'mod') res.end(fs.readFileSync(path.join(v.dir, 'go.mod')))
    else res.end(makeZip(filesOf(v.dir, `${mod}@${v.version}/`)))
  }
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    log,
    // Go keeps connections open: close them, or close() waits for their timeout.
    close: () => new Promise(resolve => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}
