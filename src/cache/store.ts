/**
 * The edge of the caches: restores them with @actions/cache before the step
 * that fills them, records in the step's state which ones the run filled, and
 * (post step, src/post.ts) saves those once per job. A cache service that
 * fails is a warning, never a failed build.
 */
import * as cache from '@actions/cache'
import * as core from '@actions/core'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { timed } from '../run/clock.js'
import { type CacheKind, type CacheSpec, type RestoreResult, cacheHitOutput, shouldSave } from './keys.js'

/** The name of the state the post step reads (GITHUB_STATE). */
export const CACHE_STATE = 'caches'

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

  constructor(
    private readonly enabled: boolean,
    private readonly log: CacheLog = { info: core.info, warning: core.warning }
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
    await timed('cache', () => Promise.all(specs.map(s => this.restoreOne(s, present(s)))))
    core.setOutput('cache-hit', cacheHitOutput(this.recorded.map(r => r.result)))
    this.persist()
  }

  private async restoreOne(spec: CacheSpec, present: boolean): Promise<void> {
    const rec: Recorded = { ...spec, result: present ? 'local' : 'none', filled: false }
    this.recorded.push(rec)
    if (present) {
      this.log.info(`${spec.name}: already on this runner, not restored`)
      return
    }
    if (!this.service) return
    const started = Date.now()
    try {
      const key = await cache.restoreCache([...spec.paths], spec.key, [...spec.restoreKeys])
      const secs = ((Date.now() - started) / 1000).toFixed(1)
      if (key) {
        rec.result = key === spec.key ? 'exact' : 'partial'
        this.log.info(`${spec.name}: cache hit (${rec.result === 'exact' ? 'exact' : `partial, from ${key}`}) restored in ${secs} s`)
      } else {
        this.log.info(`${spec.name}: no cache for ${spec.key}`)
      }
    } catch (e) {
      this.log.warning(`${spec.name}: the cache could not be restored (${message(e)}); building without it`)
    }
    // @actions/cache reports a broken download or extraction as a miss: what it left half-written goes.
    if (rec.result === 'none' && spec.paths.some(hasContent)) {
      for (const p of spec.paths) emptyFolder(p)
      this.log.warning(`${spec.name}: a restore broke off; its files were removed and the run goes on without it`)
    }
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
  }
}

/** The post step: saves every cache the run filled and did not get back whole, once per job. */
export async function saveCaches(log: CacheLog = { info: core.info, warning: core.warning }): Promise<void> {
  const state = core.getState(CACHE_STATE)
  if (state === '') return
  let recorded: Recorded[]
  try {
    recorded = JSON.parse(state) as Recorded[]
  } catch (e) {
    log.warning(`caches: the main step's record cannot be read (${message(e)}); nothing saved`)
    return
  }
  if (!cache.isFeatureAvailable()) return
  for (const r of recorded) {
    if (!shouldSave(r.result, r.filled)) {
      if (r.result === 'exact') log.info(`${r.name}: restored from ${r.key}, nothing new to save`)
      else if (r.result === 'local') log.info(`${r.name}: kept on this runner, not saved`)
      else log.info(`${r.name}: not saved (the run did not complete what fills it)`)
      continue
    }
    if (!r.paths.some(hasContent)) continue
    const started = Date.now()
    try {
      const id = await cache.saveCache([...r.paths], r.key)
      if (id !== -1) log.info(`${r.name}: saved as ${r.key} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    } catch (e) {
      log.warning(`${r.name}: the cache could not be saved (${message(e)}); the next run builds without it`)
    }
  }
}
