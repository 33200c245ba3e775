/**
 * The test GitHub as a GitHub Enterprise Server looks to the GitHub CLI: gh talks
 * to a host other than github.com only over https, with the REST API under
 * /api/v3. This front answers https on 127.0.0.1 with a certificate of a test CA
 * and passes every /api/v3/<path> request on to the test GitHub's /<path>
 * (method, headers, body; the answer as it comes).
 */
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeTestCa } from './test-ca.js'

export interface GhesFront {
  /** host:port, gh's GH_HOST. */
  host: string
  /** The CA's PEM file, for SSL_CERT_FILE. */
  caFile: string
  close(): Promise<void>
}

export async function startGhesFront(apiUrl: string): Promise<GhesFront> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghes-front-'))
  const ca = await makeTestCa(dir, 'act world GHES CA')
  const target = new URL(apiUrl)
  const sockets = new Set<Duplex>()
  const server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    const m = /^\/api\/v3(\/.*)$/.exec(req.url ?? '')
    if (!m) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}')
      return
    }
    const forward = http.request({ host: target.hostname, port: target.port, method: req.method, path: m[1], headers: { ...req.headers, host: target.host } }, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    forward.on('error', e => res.writeHead(502).end(String(e)))
    req.pipe(forward)
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    caFile: ca.caFile,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
