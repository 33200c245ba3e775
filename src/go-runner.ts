import * as path from 'node:path'
import { StepError } from './errors.js'
import { hasModFlags } from './go-version.js'
import { type Mount, runContainer, runnerUser } from './docker.js'

export interface GoResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the `go` command. The action's implementation runs it inside a build
 * image (the runner needs no Go); tests may run the host's go. `dir` is a host
 * path that must lie inside one of the runner's mounts.
 */
export interface GoRunner {
  go(args: string[], opts: { dir: string; env?: Record<string, string> }): Promise<GoResult>
}

/** Environment every Go command of the action gets. */
export const FIXED_GO_ENV: Record<string, string> = {
  // A plugin's `toolchain` line must never swap the image's Go for another one.
  GOTOOLCHAIN: 'local',
  // The server's release build has its module cache at /go/pkg/mod; the path is part of package hashes.
  GOMODCACHE: '/go/pkg/mod',
  GOPATH: '/go',
  GOCACHE: '/gocache',
  // A go.work above the plugin would resolve other versions than the aligned go.mod.
  GOWORK: 'off',
  // The runner's user has no home in the image.
  HOME: '/tmp'
}

/**
 * FIXED_GO_ENV over `env`, and `-modcacherw` added to GOFLAGS: the module
 * cache stays deletable by the runner (the .so bytes are the same with it).
 */
export function withFixedGoEnv(env: Record<string, string>, goVersion: string): Record<string, string> {
  const flags = `${env.GOFLAGS ?? ''}${hasModFlags(goVersion) ? ' -modcacherw' : ''}`.trim()
  return { ...env, ...FIXED_GO_ENV, GOFLAGS: flags }
}

/** `-mod=mod` where the Go understands it (older Go updates go.mod on its own). */
export function modModFlag(goVersion: string): string[] {
  return hasModFlags(goVersion) ? ['-mod=mod'] : []
}

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
  constructor(
    private readonly image: string,
    private readonly mounts: Mount[],
    private readonly env: Record<string, string>,
    /** The image's Go version: which flags it understands. */
    private readonly goVersion: string
  ) {}

  async go(args: string[], opts: { dir: string; env?: Record<string, string> }): Promise<GoResult> {
    const r = await runContainer({
      image: this.image,
      command: ['go', ...args],
      env: withFixedGoEnv({ ...this.env, ...opts.env }, this.goVersion),
      mounts: this.mounts,
      workdir: containerPath(this.mounts, opts.dir),
      user: runnerUser()
    })
    return { code: r.code, stdout: r.stdout, stderr: r.stderr }
  }
}
