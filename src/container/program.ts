import { begin } from '../clock.js'
import { type ChildOptions, signalGroup, startChild } from './child-process.js'

/** What a program did: its exit code and output, and how long it took. */
export interface ProgramResult {
  code: number
  stdout: string
  stderr: string
  /** stdout and stderr interleaved as they came, for logs. */
  output: string
  seconds: number
  /** Set when the program could not be started (its errno code, e.g. ENOENT). */
  notStarted?: string
  /** Set when it ran past `timeoutMs` and was stopped. */
  timedOut?: true
}

export interface ProgramOptions extends Pick<ChildOptions, 'cleanUp'> {
  cwd?: string
  /** Variables the program gets over the allow-listed runner environment (src/container/child-env.ts). */
  env?: Record<string, string | undefined>
  /** Each complete line of output, as it comes. */
  onLine?: (line: string) => void
  /** A time limit: past it the program's process group gets SIGTERM (docker passes it to the container), SIGKILL 10 s later. */
  timeoutMs?: number
  /** Stops the program (as the time limit does) when aborted. */
  signal?: AbortSignal
}

/**
 * Runs a program with an argument array, never through a shell, in a process
 * group of its own, with the allow-listed environment plus `env`. A program that
 * cannot be started ends with code 127 and says so on stderr, as a shell would.
 */
export function runProgram(command: string, args: string[], opts: ProgramOptions = {}): Promise<ProgramResult> {
  const started = Date.now()
  // The run's time line counts every program (docker, a native go, a C compiler) as Go and Docker.
  const end = begin('go-and-docker')
  return new Promise<ProgramResult>(resolve => {
    let child: ReturnType<typeof startChild>
    try {
      child = startChild(command, args, { cwd: opts.cwd, env: opts.env, cleanUp: opts.cleanUp })
    } catch (e) {
      const message = `${(e as Error).message}\n`
      resolve({ code: 127, stdout: '', stderr: message, output: message, seconds: 0, notStarted: (e as NodeJS.ErrnoException).code ?? 'unknown' })
      return
    }
    let timedOut = false
    const signal = (s: NodeJS.Signals): boolean => signalGroup(child, s)
    const timers: NodeJS.Timeout[] = []
    const halt = (): void => {
      signal('SIGTERM')
      timers.push(setTimeout(() => signal('SIGKILL'), 10_000))
    }
    if (opts.timeoutMs !== undefined) timers.push(setTimeout(() => ((timedOut = true), halt()), opts.timeoutMs))
    opts.signal?.addEventListener('abort', halt, { once: true })
    if (opts.signal?.aborted) halt()
    const stop = (): void => {
      timers.forEach(t => clearTimeout(t))
      opts.signal?.removeEventListener('abort', halt)
    }
    let stdout = ''
    let stderr = ''
    let output = ''
    let pending = ''
    const take = (chunk: Buffer, toStderr: boolean): void => {
      const text = chunk.toString('utf8')
      if (toStderr) stderr += text
      else stdout += text
      output += text
      if (!opts.onLine) return
      pending += text
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const l of lines) opts.onLine(l)
    }
    child.stdout?.on('data', (c: Buffer) => take(c, false))
    child.stderr?.on('data', (c: Buffer) => take(c, true))
    let failed = false
    child.on('error', (e: NodeJS.ErrnoException) => {
      failed = true
      stop()
      const message = `${command}: ${e.code === 'ENOENT' ? 'not found' : e.message}\n`
      resolve({ code: 127, stdout, stderr: stderr + message, output: output + message, seconds: (Date.now() - started) / 1000, notStarted: e.code ?? 'unknown' })
    })
    child.on('close', code => {
      if (failed) return
      stop()
      if (opts.onLine && pending !== '') opts.onLine(pending)
      resolve({ code: code ?? 1, stdout, stderr, output, seconds: (Date.now() - started) / 1000, ...(timedOut ? { timedOut: true as const } : {}) })
    })
  }).finally(end)
}
