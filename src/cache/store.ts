/**
 * The edge of the caches: restores them with @actions/cache before the step
 * that fills them, records in the step's state which ones the run filled, and
 * (post step, src/post.ts) saves those once per job. A cache service that
 * fails is a warning, never a failed build; one that does not answer or is too
 * slow costs at most the budget (transfer.ts), once per run, with one warning.
 */
import * as stepLog from '../step-log.js'
import * as cache from '@actions/cache'
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { stepBegins, timed } from '../clock.js'
import { namedFolder } from '../errors.js'
import { type CacheKind, type CacheSpec, type RestoreResult, cacheHitOutput, shouldSave } from './keys.js'
import { type CacheBudget, type Deadlines, type TransferEnd, boundedTransfer } from './transfer.js'

/** The name of the state the post step reads (GITHUB_STATE). */
export const CACHE_STATE = 'caches'
/** The budget, and whether the service stopped answering in the main step (then the post step does not try). */
export const CACHE_SERVICE_STATE = 'cache-service'

interface ServiceState {
  budget: CacheBudget
  unresponsive: boolean
}

type Timeout = Extract<TransferEnd, { kind: 'no-answer' | 'too-slow' }>

/** The one warning of a run whose cache service did not answer, or not in time. */
function timeoutWarning(end: Timeout, budget: CacheBudget, op: 'restore' | 'save', names: string[]): string {
  const list = names.join(', ')
  const without = op === 'restore' ? 'the run goes on without them' : 'the next run builds without them'
  return end.kind === 'no-answer'
    ? `caches: the cache service did not answer within ${budget.lookupMs / 1000} s; not ${op}d: ${list}; ${without}`
    : `caches: ${op === 'restore' ? 'restoring' : 'saving'} took longer than cache-timeout (${budget.totalMs / 1000} s) and was abandoned; not ${op}d: ${list}; ${without}`
}

interface Recorded extends CacheSpec {
  result: RestoreResult
  /** The run completed the step that fills it (the post step saves only those). */
  filled: boolean
}

export interface CacheLog {
  info(line: string): void
  warning(line: string): void
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]

/** A folder that exists and holds anything. */
export function hasContent(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length > 0
  } catch {
    return false
  }
}

/** Empties a folder, read-only module cache folders included. */
export function emptyFolder(dir: string): void {
  const writable = (d: string): void => {
    fs.chmodSync(d, 0o755)
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) writable(path.join(d, e.name))
  }
  if (!fs.existsSync(dir)) return
  writable(dir)
  for (const e of fs.readdirSync(dir)) fs.rmSync(path.join(dir, e), { recursive: true, force: true })
}

/** The caches of one run. */
export class RunCaches {
  private readonly recorded: Recorded[] = []
  private readonly service: boolean
  /** The service did not answer a lookup in time: no more tries this run. */
  private unresponsive = false
  /** The run's one warning about a service that did not answer in time was given. */
  private warned = false

  constructor(
    private readonly enabled: boolean,
    private readonly budget: CacheBudget,
    private readonly log: CacheLog = { info: stepLog.info, warning: stepLog.warning }
  ) {
    this.service = enabled && cache.isFeatureAvailable()
    // Until a cache comes back (a run that stops early, cache false).
    core.setOutput('cache-hit', 'false')
    if (enabled && !this.service) log.info('caches: this runner offers no cache service (ACTIONS_CACHE_URL is not set): caches last as long as their folders')
  }

  /**
   * Restores each cache into its folders, unless `present` says the runner
   * already has it (a self-hosted runner's own module cache, the tool cache):
   * a restore only ever fills empty folders, so it never mixes with files that are there.
   */
  async restore(specs: CacheSpec[], present: (s: CacheSpec) => boolean = s => s.paths.some(hasContent)): Promise<void> {
    if (!this.enabled || specs.length === 0) return
    const started = Date.now()
    const done = stepBegins('caches')
    const by = { lookupBy: started + this.budget.lookupMs, doneBy: started + this.budget.totalMs }
    const ends = await timed('cache', () => Promise.all(specs.map(s => this.restoreOne(s, present(s), by))))
    const late = specs.filter((_, i) => ends[i] !== undefined)
    const first = ends.find(e => e !== undefined)
    if (first) {
      if (first.kind === 'no-answer') this.unresponsive = true
      const line = timeoutWarning(first, this.budget, 'restore', late.map(s => s.name))
      if (this.warned) this.log.info(line)
      else this.log.warning(line)
      this.warned = true
    }
    core.setOutput('cache-hit', cacheHitOutput(this.recorded.map(r => r.result)))
    this.persist()
    done()
  }

  /** Restores one cache; returns how it ran out of time, if it did. */
  private async restoreOne(spec: CacheSpec, present: boolean, by: Deadlines): Promise<Timeout | undefined> {
    const rec: Recorded = { ...spec, result: present ? 'local' : 'none', filled: false }
    this.recorded.push(rec)
    if (present) {
      this.log.info(`${spec.name}: already on this runner, not restored`)
      return undefined
    }
    if (!this.service) return undefined
    if (this.unresponsive) {
      this.log.info(`${spec.name}: not restored (the cache service did not answer earlier in this run)`)
      return undefined
    }
    const started = Date.now()
    const end = await boundedTransfer({ op: 'restore', paths: spec.paths, key: spec.key, restoreKeys: spec.restoreKeys }, by)
    const secs = ((Date.now() - started) / 1000).toFixed(1)
    if (end.diskFull) {
      for (const p of spec.paths) emptyFolder(p)
      this.log.warning(`${spec.name}: not restored: the disk is full (no space left in ${fullDiskFolders(spec.paths)}); building without it`)
      return undefined
    }
    if (end.kind === 'done' && end.key) {
      rec.result = end.key === spec.key ? 'exact' : 'partial'
      this.log.info(`${spec.name}: cache hit (${rec.result === 'exact' ? 'exact' : `partial, from ${end.key}`}) restored in ${secs} s`)
    } else if (end.kind === 'done') {
      this.log.info(`${spec.name}: no cache for ${spec.key}`)
    } else if (end.kind === 'failed') {
      this.log.warning(`${spec.name}: the cache could not be restored (${end.message}); building without it`)
    }
    // A killed restore, or a broken download or extraction (@actions/cache reports it as a miss): what it left half-written goes.
    if (end.kind !== 'done' && end.kind !== 'failed') {
      for (const p of spec.paths) emptyFolder(p)
      return end
    }
    if (rec.result === 'none' && spec.paths.some(hasContent)) {
      for (const p of spec.paths) emptyFolder(p)
      this.log.warning(`${spec.name}: a restore broke off; its files were removed and the run goes on without it`)
    }
    return undefined
  }

  /** How a cache of that kind came back (the first one recorded). */
  resultOf(kind: CacheKind): RestoreResult | undefined {
    return this.recorded.find(r => r.kind === kind)?.result
  }

  /** The run completed what fills these caches (of that kind, those `which` picks): the post step may save them. */
  filled(which: (spec: CacheSpec) => boolean, kind: CacheKind): void {
    if (!this.enabled) return
    for (const r of this.recorded) if (r.kind === kind && which(r)) r.filled = true
    this.persist()
  }

  private persist(): void {
    core.saveState(CACHE_STATE, JSON.stringify(this.recorded))
    core.saveState(CACHE_SERVICE_STATE, JSON.stringify({ budget: this.budget, unresponsive: this.unresponsive } satisfies ServiceState))
  }
}

/** Where a cache transfer writes: the worker's archive in RUNNER_TEMP, a restore's files in their folders. */
const fullDiskFolders = (paths: string[]): string => [namedFolder(process.env.RUNNER_TEMP || os.tmpdir()), ...paths].join(' or ')

/** The post step: saves every cache the run filled and did not get back whole, once per job, within the budget. */
export async function saveCaches(log: CacheLog = { info: stepLog.info, warning: stepLog.warning }): Promise<void> {
  const state = core.getState(CACHE_STATE)
  if (state === '') return
  let recorded: Recorded[]
  let service: ServiceState
  try {
    recorded = JSON.parse(state) as Recorded[]
    service = JSON.parse(core.getState(CACHE_SERVICE_STATE)) as ServiceState
  } catch (e) {
    log.warning(`caches: the main step's record cannot be read (${message(e)}); nothing saved`)
    return
  }
  if (!cache.isFeatureAvailable()) return
  const toSave = recorded.filter(r => {
    if (shouldSave(r.result, r.filled)) return r.paths.some(hasContent)
    if (r.result === 'exact') log.info(`${r.name}: restored from ${r.key}, nothing new to save`)
    else if (r.result === 'local') log.info(`${r.name}: kept on this runner, not saved`)
    else log.info(`${r.name}: not saved (the run did not complete what fills it)`)
    return false
  })
  if (toSave.length === 0) return
  if (service.unresponsive) return log.info(`caches: not saved (the cache service did not answer in the main step): ${toSave.map(r => r.name).join(', ')}`)
  const doneBy = Date.now() + service.budget.totalMs
  for (const [i, r] of toSave.entries()) {
    const started = Date.now()
    const end = await timed('cache', () => boundedTransfer({ op: 'save', paths: r.paths, key: r.key }, { lookupBy: Math.min(doneBy, started + service.budget.lookupMs), doneBy }))
    if (end.diskFull) log.warning(`${r.name}: not saved: the disk is full (no space left in ${fullDiskFolders([])} for its archive); the next run builds without it`)
    else if (end.kind === 'done' && end.id !== undefined && end.id !== -1) log.info(`${r.name}: saved as ${r.key} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    else if (end.kind === 'failed') log.warning(`${r.name}: the cache could not be saved (${end.message}); the next run builds without it`)
    else if (end.kind === 'no-answer' || end.kind === 'too-slow') {
      // Past the deadline or a service that does not answer: the rest is not tried either.
      return log.warning(timeoutWarning(end, service.budget, 'save', toSave.slice(i).map(x => x.name)))
    }
  }
}
