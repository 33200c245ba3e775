/**
 * The child side of a bounded cache transfer (transfer.ts): one restore or
 * save with @actions/cache in a process of its own, so that the parent can
 * kill it, its tar and its sockets at a deadline. An abandoned restore then
 * cannot write into the folders afterwards, and no open socket keeps the step alive.
 *
 * It first asks the service a lookup (lookupOnly, no download) and tells the
 * parent that the service answered: the parent gives a lookup a short limit
 * and the transfer the whole budget.
 */
import * as cache from '@actions/cache'

/** The environment variable that makes the bundle's entry points act as a cache worker; its value is the request. */
export const WORKER_ENV = 'GO_PLUGIN_BUILD_CACHE_WORKER'

export type WorkerRequest = { op: 'restore'; paths: string[]; key: string; restoreKeys: string[] } | { op: 'save'; paths: string[]; key: string }

export type WorkerMessage =
  /** The service answered the lookup: `key` is the entry it has (restores: what comes back; saves: whether the key exists). */
  | { kind: 'answered'; key?: string }
  /** Restores: the key restored (none: a miss or a broken transfer). Saves: the entry id, -1 when not saved. */
  | { kind: 'done'; key?: string; id?: number }
  | { kind: 'failed'; message: string }

/** The request when this process was started as a cache worker. */
export function workerRequest(env: NodeJS.ProcessEnv = process.env): WorkerRequest | undefined {
  const text = env[WORKER_ENV]
  return text ? (JSON.parse(text) as WorkerRequest) : undefined
}

type Tell = (m: WorkerMessage) => Promise<void>

async function perform(req: WorkerRequest, tell: Tell): Promise<void> {
  if (req.op === 'restore') {
    const found = await cache.restoreCache([...req.paths], req.key, [...req.restoreKeys], { lookupOnly: true })
    await tell({ kind: 'answered', key: found })
    if (found === undefined) return tell({ kind: 'done' })
    return tell({ kind: 'done', key: await cache.restoreCache([...req.paths], req.key, [...req.restoreKeys]) })
  }
  const found = await cache.restoreCache([...req.paths], req.key, [], { lookupOnly: true })
  await tell({ kind: 'answered', key: found })
  // Saved already (by another job of the workflow): saving again would only be refused.
  if (found === req.key) return tell({ kind: 'done', id: -1 })
  return tell({ kind: 'done', id: await cache.saveCache([...req.paths], req.key) })
}

/** Runs the request and exits; the parent's going away (its IPC channel closing) ends it too. */
export async function runCacheWorker(req: WorkerRequest): Promise<void> {
  const tell: Tell = m => new Promise(resolve => (process.send ? process.send(m, () => resolve()) : resolve()))
  const orphaned = (): never => process.exit(1)
  process.on('disconnect', orphaned)
  try {
    await perform(req, tell)
  } catch (e) {
    await tell({ kind: 'failed', message: (e instanceof Error ? e.message : String(e)).split('\n')[0] })
  }
  // Exit once the messages are out: @actions/cache may leave keep-alive sockets open.
  process.off('disconnect', orphaned)
  process.exit(0)
}
