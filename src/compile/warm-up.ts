/**
 * The warm-up's edge: compiles each platform's standard library into the
 * build cache its build then uses (same image or Go, same environment and
 * flags), while alignment and the module download run. One platform at a
 * time, in the build pool's order (each `go` already uses every core); a
 * build waits for its platform's warm-up when it runs, and once the builds
 * start no other warm-up does. A warm-up that fails or runs past its time limit is one
 * log line: the build then compiles what is missing itself.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as stepLog from '../step-log.js'
import { stepBegins } from '../clock.js'
import type { GoRunner } from '../go-runner/runner.js'
import { WARM_UP_SECONDS, type WarmUp, type WarmUpInput, planWarmUps, warmUpCounts } from './warm-up-plan.js'

export interface WarmUpTarget {
  /** How Go runs for the build this warm-up prepares. */
  runner: GoRunner
  /** A host folder the runner sees, where the warm-up may write a go.mod of its own. */
  scratch: string
}

type State = 'waiting' | 'running' | 'done' | 'taken over'

interface Entry {
  warmUp: WarmUp
  target: WarmUpTarget
  state: State
  finished: Promise<void>
  finish: () => void
}

/** The run's warm-ups, started at once; `before` is what a build awaits, `stop` what the run's end awaits. */
export class WarmUps {
  private readonly entries = new Map<string, Entry>()
  private readonly abort = new AbortController()
  private readonly all: Promise<void>

  constructor(warmUps: Array<{ warmUp: WarmUp; target: WarmUpTarget }>, private readonly log: (line: string) => void = stepLog.info) {
    for (const { warmUp, target } of warmUps) {
      let finish = (): void => undefined
      const finished = new Promise<void>(resolve => (finish = resolve))
      this.entries.set(warmUp.goCache, { warmUp, target, state: 'waiting', finished, finish })
    }
    this.all = this.runAll()
  }

  /**
   * Before a build into `goCache`: its warm-up done when it runs. From the
   * first build on the pool owns the cores: warm-ups not started yet are left
   * to their builds (more go processes than cores only slowed the run down). Never throws.
   */
  async before(goCache: string): Promise<void> {
    for (const x of this.entries.values()) {
      if (x.state !== 'waiting') continue
      x.state = 'taken over'
      x.finish()
    }
    await this.entries.get(goCache)?.finished
  }

  /** Every warm-up ended (done, failed, stopped or taken over). */
  async finished(): Promise<void> {
    await this.all
  }

  /** Stops what still runs (a run that ends before its builds) and waits until it has. */
  async stop(): Promise<void> {
    this.abort.abort()
    await this.all
  }

  private async runAll(): Promise<void> {
    if (this.entries.size === 0) return
    const done = stepBegins('warm-up')
    for (const e of this.entries.values()) {
      if (e.state !== 'waiting') continue
      if (this.abort.signal.aborted) {
        e.state = 'taken over'
        e.finish()
        continue
      }
      e.state = 'running'
      await this.runOne(e).catch((err: unknown) => this.log(`warm-up ${e.warmUp.platform.id}: ${err instanceof Error ? err.message : String(err)}; its build compiles the standard library itself`))
      e.state = 'done'
      e.finish()
    }
    done()
  }

  private async runOne({ warmUp, target }: Entry): Promise<void> {
    // A module of its own: the build flags may hold -mod=..., which go accepts only inside one; std needs no requirement.
    const dir = path.join(target.scratch, 'warm-up', warmUp.platform.id)
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module warmup\n')
    const r = await target.runner.go(warmUp.goArgs, { dir, env: warmUp.job.env, timeoutSeconds: WARM_UP_SECONDS, signal: this.abort.signal })
    const counts = warmUpCounts(r.stdout)
    const id = warmUp.platform.id
    if (r.timedOut) this.log(`warm-up ${id}: stopped after ${WARM_UP_SECONDS} s; its build compiles the rest of the standard library`)
    else if (this.abort.signal.aborted) this.log(`warm-up ${id}: stopped, the run ended before its build`)
    else if (r.code !== 0) this.log(`warm-up ${id}: go list failed in ${r.seconds.toFixed(1)} s (${r.stderr.trim().split('\n').pop() ?? ''}); its build compiles the standard library itself`)
    else this.log(`warm-up ${id}: ${counts.ready} standard library packages compiled for its build cache in ${r.seconds.toFixed(1)} s${counts.failed > 0 ? ` (${counts.failed} not in this Go)` : ''}`)
  }
}

/**
 * Plans and starts the warm-ups of every build cache that came back empty;
 * the rest (restored, or a build with -a) in one line.
 */
export function startWarmUps(input: WarmUpInput, targetOf: (goCache: string) => WarmUpTarget, log: (line: string) => void = stepLog.info): WarmUps {
  const { warmUps, skipped } = planWarmUps(input)
  if (skipped.length > 0) log(`warm-up: none for ${skipped.map(s => `${s.platform.id} (${s.why})`).join(', ')}`)
  return new WarmUps(warmUps.map(warmUp => ({ warmUp, target: targetOf(warmUp.goCache) })), log)
}
