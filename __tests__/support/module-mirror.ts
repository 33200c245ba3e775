/**
 * A GOPROXY on 127.0.0.1 holding real modules: what it lacks it fetches once
 * from the machine's own module proxy (`go env GOPROXY`, never named here) and
 * keeps on disk in the module proxy layout, so later runs (the benchmark's
 * timed ones) read them locally and network time does not blur the numbers.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import type { GoProxy } from './goproxy.js'

export const MIRROR_DIR = path.join(os.tmpdir(), 'go-plugin-build-fixtures', 'module-mirror')

/** The first proxy URL of the machine's `go env GOPROXY`. */
export async function upstreamProxy(): Promise<string> {
  const { stdout } = await promisify(execFile)('go', ['env', 'GOPROXY'])
  const url = stdout.trim().split(/[,|]/).find(p => /^https?:\/\//.test(p))
  if (!url) throw new Error(`go env GOPROXY names no proxy URL (${stdout.trim()}): the module mirror needs one`)
  return url.replace(/\/+$/, '')
}

// Only module proxy paths: <module>/@v/list, <module>/@v/<version>.{info,mod,zip}, <module>/@latest.
const PROXY_PATH = /^\/[A-Za-z0-9._~!+/-]+\/@(v\/list|v\/[A-Za-z0-9._~!+-]+\.(info|mod|zip)|latest)$/

export async function startModuleMirror(dir: string = MIRROR_DIR, upstream?: string): Promise<GoProxy & { fetched: string[] }> {
  const from = upstream ?? (await upstreamProxy())
  const log: string[] = []
  const fetched: string[] = []
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0]
    log.push(url)
    if (!PROXY_PATH.test(url) || url.split('/').includes('..')) {
      res.writeHead(404).end('not found')
      return
    }
    // Version lists are kept too (a fixture's go.mod pins its versions): the mirror then never asks twice.
    const file = path.join(dir, ...url.split('/').filter(Boolean), ...(url.endsWith('/@latest') ? ['.latest'] : []))
    if (fs.existsSync(file) && fs.statSync(file).isFile()) {
      res.end(fs.readFileSync(file))
      return
    }
    void fetch(`${from}${url}`).then(
      async r => {
        const body = Buffer.from(await r.arrayBuffer())
        if (r.ok) {
          fs.mkdirSync(path.dirname(file), { recursive: true })
          const tmp = `${file}.${process.pid}.tmp`
          fs.writeFileSync(tmp, body)
          fs.renameSync(tmp, file)
          fetched.push(url)
        }
        res.writeHead(r.ok ? 200 : r.status === 410 ? 410 : 404).end(body)
      },
      (e: unknown) => res.writeHead(502).end(`mirror: ${String(e)}`)
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    fetched,
    close: () =>
      new Promise(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
