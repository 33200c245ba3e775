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

/** The environment variable that makes the bundle's entry points act as a cache worker (`1`); the request comes over IPC. */
export const WORKER_ENV = 'GO_PLUGIN_BUILD_CACHE_WORKER'

export type WorkerRequest = { op: 'restore'; paths: string[]; key: string; restoreKeys: string[] } | { op: 'save'; paths: string[]; key: string }

/** The parent's first (and only) message: what to do, and the cache service's settings (its token among them). */
export interface WorkerStart {
  kind: 'start'
  request: WorkerRequest
  service: Record<string, string>
}

export type WorkerMessage =
  /** The service answered the lookup: `key` is the entry it has (restores: what comes back; saves: whether the key exists). */
  | { kind: 'answered'; key?: string }
  /** Restores: the key restored (none: a miss or a broken transfer). Saves: the entry id, -1 when not saved. */
  | { kind: 'done'; key?: string; id?: number }
  | { kind: 'failed'; message: string }

/** Whether this process was started as a cache worker. */
export function isCacheWorker(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[WORKER_ENV] === '1'
}

// What @actions/cache reads from the environment: the service's token and URLs, the workspace (paths are relative to it), its tuning.
const SERVICE_SETTING = /^(ACTIONS_RUNTIME_TOKEN|ACTIONS_RUNTIME_URL|ACTIONS_CACHE_[A-Z0-9_]+|ACTIONS_RESULTS_URL|GITHUB_SERVER_URL|GITHUB_WORKSPACE|GITHUB_REF|CACHE_UPLOAD_[A-Z_]+|SEGMENT_DOWNLOAD_TIMEOUT_MINS|RUNNER_DEBUG)$/

/** The runner's cache service settings, for the worker's start message (never its environment). Pure. */
export function cacheServiceSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && SERVICE_SETTING.test(e[0])))
}

/**
 * Puts the service settings where @actions/cache reads them (process.env) without handing them on: as properties
 * that are not enumerable, which node's child_process and every `{ ...process.env }` skip, so tar and zstd do not get them.
 */
export function keepFromChildren(settings: Record<string, string>): void {
  // This process's own environment, copied to be made over; no child gets this object as it is.
  // eslint-disable-next-line no-restricted-syntax
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const [k, v] of Object.entries(settings)) Object.defineProperty(env, k, { value: v, enumerable: false, writable: true, configurable: true })
  process.env = env
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

/** Waits for the parent's start message, runs the request and exits; the parent's going away (its IPC channel closing) ends it too. */
export async function runCacheWorker(): Promise<void> {
  const tell: Tell = m => new Promise(resolve => (process.send ? process.send(m, () => resolve()) : resolve()))
  const orphaned = (): never => process.exit(1)
  process.on('disconnect', orphaned)
  const start = await new Promise<WorkerStart>(resolve => process.once('message', m => resolve(m as WorkerStart)))
  keepFromChildren(start.service)
  try {
    await perform(start.request, tell)
  } catch (e) {
    await tell({ kind: 'failed', message: (e instanceof Error ? e.message : String(e)).split('\n')[0] })
  }
  // Exit once the messages are out: @actions/cache may leave keep-alive sockets open.
  process.off('disconnect', orphaned)
  process.exit(0)
}
