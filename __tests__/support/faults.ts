/**
 * What the test servers (github-server.ts, cache-server.ts) share: the faults
 * a test injects, answered instead of the fake, each counting its hits; and
 * reading a request's body.
 */
import type * as http from 'node:http'

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
