/**
 * What the test servers (github-server.ts, cache-server.ts) share: listening
 * on 127.0.0.1, the faults a test injects, answered instead of the fake, each
 * counting its hits; and reading a request's body.
 */
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  base: string
  /** Drops open connections (a test's dropped ones included) and stops listening. */
  close(): Promise<void>
}

/** Serves `handle` on a free port of 127.0.0.1; a handler that throws answers 500 with the message. */
export async function listenLocal(handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>): Promise<LocalServer> {
  const sockets = new Set<Socket>()
  const server = http.createServer((req, res) => {
    void handle(req, res).catch(e => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: String(e) }))
    })
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      for (const s of sockets) s.destroy()
      return new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

export interface InjectedFault {
  readonly hits: number
}

export class FaultList<F extends { times?: number }> {
  private readonly faults: Array<F & { hits: number }> = []

  inject(fault: F): InjectedFault {
    const f = { ...fault, hits: 0 }
    this.faults.push(f)
    return {
      get hits() {
        return f.hits
      }
    }
  }

  clear(): void {
    this.faults.length = 0
  }

  /** The first fault that matches and has hits left (`times`), counted as hit. */
  take(matches: (f: F) => boolean): F | undefined {
    const f = this.faults.find(x => (x.times === undefined || x.hits < x.times) && matches(x))
    if (f) f.hits++
    return f
  }
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
