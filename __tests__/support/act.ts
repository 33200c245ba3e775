/**
 * nektos/act (a real Actions runner implementation, FIELD-NOTES §4), built by the
 * set-up (scripts/ci/setup-act.sh), running a workflow's jobs on this host
 * (`-P ubuntu-latest=-self-hosted`: the host's shell, node, git and Docker engine).
 * Remote actions come from local folders (`--local-repository owner/name@ref=dir`),
 * so a workflow's `uses:` lines stay as written.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { actBinary } from '../../scripts/ci/act.mjs'

export interface ActRun {
  code: number
  /** act's output: each step's lines, prefixed `[<workflow>/<job>]`. */
  log: string
  seconds: number
}

export interface ActOptions {
  /** The repository's checkout act copies into each job's workspace (a git repository). */
  workdir: string
  /** The workflow file, inside workdir. */
  workflow: string
  event: string
  payload: object
  /** Variables of every step (`--env`). */
  env: Record<string, string>
  secrets: Record<string, string>
  /** `owner/name@ref` -> folder. */
  actions: Record<string, string>
  /** act's own folders (its job folders, the tool cache) go here. */
  home: string
  /** Its cache service's storage. */
  cacheDir: string
  /** The whole run's time limit. */
  timeoutMs: number
}

/** The binary, or an error that says to run the set-up. */
export function requireAct(): string {
  const bin = actBinary()
  if (!fs.existsSync(bin)) throw new Error(`missing ${bin}: run bash scripts/ci/setup.sh (README, Development)`)
  return bin
}

export async function runAct(o: ActOptions): Promise<ActRun> {
  const eventFile = path.join(o.home, `event-${o.event}.json`)
  fs.mkdirSync(o.home, { recursive: true })
  fs.writeFileSync(eventFile, JSON.stringify(o.payload))
  const args = [
    o.event,
    '-W', o.workflow,
    '-e', eventFile,
    '-P', 'ubuntu-latest=-self-hosted',
    // One job at a time: matrix jobs share this host's two cores and the steps' RUNNER_TEMP.
    '--concurrent-jobs', '1',
    '--cache-server-addr', '127.0.0.1',
    '--cache-server-path', o.cacheDir,
    ...Object.entries(o.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...Object.entries(o.secrets).flatMap(([k, v]) => ['-s', `${k}=${v}`]),
    ...Object.entries(o.actions).flatMap(([k, v]) => ['--local-repository', `${k}=${v}`])
  ]
  // act hands its own environment to every step: only what a runner's shell would have.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: o.env.HOME ?? o.home,
    XDG_CACHE_HOME: path.join(o.home, 'xdg'),
    LANG: 'C.UTF-8',
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {})
  }
  const started = Date.now()
  const child = spawn(requireAct(), args, { cwd: o.workdir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let log = ''
  child.stdout.on('data', (c: Buffer) => (log += c.toString()))
  child.stderr.on('data', (c: Buffer) => (log += c.toString()))
  const timer = setTimeout(() => {
    log += `\n(test: act killed after ${o.timeoutMs / 1000} s)\n`
    // Its process group: act and the steps it started.
    if (child.pid) process.kill(-child.pid, 'SIGKILL')
  }, o.timeoutMs)
  const code = await new Promise<number>(resolve => child.on('close', c => resolve(c ?? 1)))
  clearTimeout(timer)
  return { code, log, seconds: (Date.now() - started) / 1000 }
}

/** One job's outcome line (`🏁  Job succeeded` / `Job failed`), by its `[workflow/job]` prefix. */
export function jobResults(log: string): Record<string, 'succeeded' | 'failed'> {
  const out: Record<string, 'succeeded' | 'failed'> = {}
  for (const m of log.matchAll(/^\[([^\]]+)\]\s+🏁\s+Job (succeeded|failed)$/gmu)) out[m[1]] = m[2] as 'succeeded' | 'failed'
  return out
}

/** The steps act ran, with their result: `Main <name>` -> success | failure | skipped. */
export function stepResults(log: string): Array<{ job: string; step: string; result: 'success' | 'failure' }> {
  return [...log.matchAll(/^\[([^\]]+)\]\s+(✅|❌)\s+(Success|Failure) - (.+?)(?: \[[^\]]*\])?$/gmu)].map(m => ({ job: m[1], step: m[4], result: m[3] === 'Success' ? 'success' : 'failure' }))
}

/** The last lines of a log, for a failing assertion's message. */
export function tail(log: string, lines = 80): string {
  return log.split('\n').filter(l => !l.includes('::debug::')).slice(-lines).join('\n')
}
