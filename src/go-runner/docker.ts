/**
 * The Docker builder: Go runs inside the server's build image of a platform,
 * with the runner's folders mounted (the module cache at /go/pkg/mod), as the
 * runner's user.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StepError } from '../errors.js'
import { type Mount, runContainer, runnerUser } from '../container/docker.js'
import type { SandboxHost } from '../container/sandbox.js'
import { type GoResult, type GoRunner, type RunOptions, withFixedGoEnv } from './runner.js'

/** Maps a host path to its path in the container, through the mounts. */
export function containerPath(mounts: Mount[], hostPath: string): string {
  const abs = path.resolve(hostPath)
  // Longest host prefix wins, so nested mounts map to the innermost one.
  const sorted = [...mounts].sort((a, b) => b.host.length - a.host.length)
  for (const m of sorted) {
    const rel = path.relative(path.resolve(m.host), abs)
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      return rel === '' ? m.container : path.posix.join(m.container, ...rel.split(path.sep))
    }
  }
  throw new StepError(`internal: ${hostPath} is not inside any folder mounted into the build container`)
}

export class DockerGoRunner implements GoRunner {
  readonly builder = 'docker'
  readonly where: string
  private made = false

  constructor(
    private readonly image: string,
    private readonly mounts: Mount[],
    /** Go environment of every command (go-env for alignment; builds and the loader pass theirs). */
    private readonly env: Record<string, string>,
    /** The image's Go version (or the mounted Go's): which flags it understands. */
    private readonly goVersion: string,
    /** A Go mounted into the image (its GOROOT in the container), run instead of the image's own. */
    private readonly goroot?: string
  ) {
    this.where = goroot ? `${image} with go${goVersion} mounted` : image
  }

  go(args: string[], opts: RunOptions): Promise<GoResult> {
    const env = withFixedGoEnv({ ...this.env, ...opts.env }, this.goVersion)
    if (!this.goroot) return this.run(['go', ...args], env, opts)
    return this.run([path.posix.join(this.goroot, 'bin', 'go'), ...args], { ...env, GOROOT: this.goroot }, opts)
  }

  exec(command: string[], opts: RunOptions): Promise<GoResult> {
    return this.run(command, opts.env ?? {}, opts)
  }

  pathOf(hostPath: string): string {
    return containerPath(this.mounts, hostPath)
  }

  /** The same image, with none of these mounts. */
  get sandbox(): SandboxHost {
    return { kind: 'container', image: this.image }
  }

  private async run(command: string[], env: Record<string, string>, opts: RunOptions): Promise<GoResult> {
    // Docker would create a missing mounted folder as root.
    if (!this.made) {
      for (const m of this.mounts.filter(x => !x.readOnly)) fs.mkdirSync(m.host, { recursive: true })
      this.made = true
    }
    const files = (opts.files ?? []).map(f => ({ host: f, container: f, readOnly: true }))
    const spec = { image: this.image, command, env, mounts: [...this.mounts, ...files], workdir: this.pathOf(opts.dir), user: runnerUser() }
    const r = await runContainer(spec, opts.onLine, { timeoutMs: opts.timeoutSeconds === undefined ? undefined : opts.timeoutSeconds * 1000, signal: opts.signal })
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, output: r.output, seconds: r.seconds, ...(r.timedOut ? { timedOut: r.timedOut } : {}) }
  }
}
