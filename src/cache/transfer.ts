/**
 * Cache transfers with a time budget of their own. @actions/cache waits out
 * its own request timeouts (minutes per request, retried) when a service
 * holds a request open, and a restore abandoned with Promise.race would go
 * on writing into the folders the build uses. So each restore or save runs in
 * a child process (worker.ts) in a process group of its own, killed with its
 * tar at the deadline: nothing it started outlives it.
 *
 * Two limits: the service must answer a lookup within LOOKUP_LIMIT_MS (a dead
 * service costs that, not the budget), and the whole transfer must end within
 * the budget (a slow but working service may take most of it for a large module cache).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as readline from 'node:readline'
import { signalGroup, startChild } from '../container/child-process.js'
import { diskFull } from '../errors.js'
import { WORKER_ENV, type WorkerMessage, type WorkerRequest, type WorkerStart, cacheServiceSettings } from './worker.js'

/** @actions/cache's own request timeout: a small JSON lookup unanswered this long is a service that is not working. */
export const LOOKUP_LIMIT_MS = 30_000

export interface CacheBudget {
  /** The service must answer each lookup within this. */
  lookupMs: number
  /** Every transfer of a round must end within this. */
  totalMs: number
}

/** The budget of `cache-timeout` seconds. Pure. */
export function cacheBudget(seconds: number): CacheBudget {
  const totalMs = Math.round(seconds * 1000)
  return { lookupMs: Math.min(LOOKUP_LIMIT_MS, totalMs), totalMs }
}

export type TransferEnd = (
  | { kind: 'done'; key?: string; id?: number }
  | { kind: 'failed'; message: string }
  /** The service did not answer the lookup in time: killed. */
  | { kind: 'no-answer' }
  /** The transfer did not end by the deadline: killed. */
  | { kind: 'too-slow' }
) & {
  /** The worker (its tar) said the disk is full: @actions/cache reports that as a miss or a warning of its own. */
  diskFull?: true
}

export interface Deadlines {
  /** Epoch ms by which the lookup must be answered. */
  lookupBy: number
  /** Epoch ms by which the transfer must end. */
  doneBy: number
}

/**
 * Runs one cache operation in a worker process (this very script, started
 * again with WORKER_ENV set) and kills its process group at a deadline.
 * The worker's output goes to `print`, line by line.
 */
export function boundedTransfer(req: WorkerRequest, by: Deadlines, print: (line: string) => void = l => process.stdout.write(`${l}\n`)): Promise<TransferEnd> {
  // @actions/cache keeps its archive in RUNNER_TEMP: a folder of the worker's own, removed however it ends.
  const temp = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'go-plugin-build-cache-'))
  return new Promise(resolve => {
    // The allow-listed environment (child-process.ts); the cache service's token and URLs come over IPC, so that
    // the worker's tar and zstd never inherit them. A process group of its own: killing it reaches them too.
    let child: ReturnType<typeof startChild>
    try {
      child = startChild(process.execPath, [...process.execArgv, process.argv[1]], { env: { RUNNER_TEMP: temp, [WORKER_ENV]: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    } catch (e) {
      fs.rmSync(temp, { recursive: true, force: true })
      return resolve({ kind: 'failed', message: (e as Error).message })
    }
    let end: TransferEnd | undefined
    let answered = false
    const kill = (why: TransferEnd): void => {
      if (end !== undefined) return
      end = why
      if (!signalGroup(child, 'SIGKILL')) child.kill('SIGKILL')
    }
    const start: WorkerStart = { kind: 'start', request: req, service: cacheServiceSettings() }
    child.send(start, e => e && kill({ kind: 'failed', message: `the cache worker could not be told what to do (${e.message})` }))
    const lookupTimer = setTimeout(() => answered || kill({ kind: 'no-answer' }), Math.max(0, by.lookupBy - Date.now()))
    const doneTimer = setTimeout(() => kill({ kind: 'too-slow' }), Math.max(0, by.doneBy - Date.now()))
    let full = false
    const take = (line: string): void => {
      full ||= diskFull(line) !== undefined
      print(line)
    }
    for (const stream of [child.stdout, child.stderr]) if (stream) readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', take)
    child.on('message', (m: WorkerMessage) => {
      if (m.kind === 'answered') answered = true
      else if (end === undefined) end = m
    })
    child.on('error', e => {
      end ??= { kind: 'failed', message: e.message }
    })
    child.on('close', code => {
      clearTimeout(lookupTimer)
      clearTimeout(doneTimer)
      fs.rmSync(temp, { recursive: true, force: true })
      const ended: TransferEnd = end ?? { kind: 'failed', message: `the cache worker ended with code ${String(code)} before it finished` }
      resolve(full ? { ...ended, diskFull: true } : ended)
    })
  })
}
