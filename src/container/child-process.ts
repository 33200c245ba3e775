/**
 * The one place the action starts a process (a lint rule keeps node:child_process
 * out of every other module). Each child gets an argument array (never a
 * shell), the allow-listed environment of child-env.ts and a process group of
 * its own, and is remembered until it ends: a cancelled run stops every
 * group it started (src/run/cancel.ts).
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process'
import { childEnv } from './child-env.js'

export interface ChildOptions {
  cwd?: string
  /** Set over the allow-listed runner variables (child-env.ts); never the runner's whole environment. */
  env?: Record<string, string | undefined>
  stdio?: StdioOptions
  /** Started while the run is being stopped (the clean-up's own docker calls). */
  cleanUp?: boolean
}

/** Refused: the run is being stopped, nothing new starts. */
export class RunStoppingError extends Error {
  readonly code = 'ECANCELED'
  constructor(command: string) {
    super(`${command}: not started, the run is being stopped`)
    this.name = 'RunStoppingError'
  }
}

const running = new Set<ChildProcess>()
let stopping = false

export function startChild(command: string, args: string[], opts: ChildOptions = {}): ChildProcess {
  if (stopping && !opts.cleanUp) throw new RunStoppingError(command)
  const child = spawn(command, args, { cwd: opts.cwd, env: childEnv(opts.env), stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'], detached: true })
  if (child.pid !== undefined && !opts.cleanUp) {
    running.add(child)
    // 'close': its output ended too, so what it started and left holding it has ended as well.
    child.once('close', () => running.delete(child))
  }
  return child
}

/** Sends `signal` to the child's process group (what it started too); false when it is gone already. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  try {
    if (child.pid === undefined) return false
    process.kill(-child.pid, signal)
    return true
  } catch {
    return false
  }
}

function allClosed(children: ChildProcess[], ms: number): Promise<void> {
  const open = children.filter(c => running.has(c))
  if (open.length === 0 || ms <= 0) return Promise.resolve()
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms)
    let left = open.length
    for (const c of open)
      c.once('close', () => {
        if (--left === 0) {
          clearTimeout(timer)
          resolve()
        }
      })
  })
}

/**
 * Stops every process group the run started and refuses new ones: SIGTERM
 * (docker passes it on to its container), SIGKILL to what is left after
 * `graceMs`; resolves once all have ended or `limitMs` passed. How many there were.
 */
export async function stopAllChildren(graceMs: number, limitMs: number): Promise<number> {
  stopping = true
  const all = [...running]
  for (const c of all) signalGroup(c, 'SIGTERM')
  await allClosed(all, graceMs)
  for (const c of all.filter(x => running.has(x))) signalGroup(c, 'SIGKILL')
  await allClosed(all, limitMs - graceMs)
  return all.length
}
