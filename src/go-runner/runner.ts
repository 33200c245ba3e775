/**
 * How the action runs Go: the one small interface behind which the two
 * builders sit. DockerGoRunner runs `go` inside the server's build image of a
 * platform (src/go-runner/docker.ts); NativeGoRunner runs the server's exact Go,
 * installed through the tool cache, with the runner's cross C compilers
 * (src/go-runner/native.ts). Alignment, builds and the stand-in loader use
 * nothing else; src/go-runner/builders.ts chooses between them.
 */
import type { SandboxHost } from '../container/sandbox.js'
import { hasModFlags } from '../go-version.js'

export interface GoResult {
  code: number
  stdout: string
  stderr: string
  /** stdout and stderr interleaved as they came, for logs. */
  output: string
  seconds: number
  /** It ran past RunOptions.timeoutSeconds and was stopped. */
  timedOut?: true
}

export interface RunOptions {
  /** Host folder to run in; it must be one the runner can see (pathOf). */
  dir: string
  env?: Record<string, string>
  /** Each line of output as it comes. */
  onLine?: (line: string) => void
  /** Host files the program reads besides the runner's folders (an emulator): a container gets them read-only at the same path. */
  files?: string[]
  /** A time limit, past which the program is stopped (timedOut in the result). */
  timeoutSeconds?: number
  /** Stops the program when aborted. */
  signal?: AbortSignal
}

export interface GoRunner {
  readonly builder: 'docker' | 'native'
  /** Where Go runs, for logs and the summary: the build image, or the native Go and C compiler. */
  readonly where: string
  /** `go <args>`. */
  go(args: string[], opts: RunOptions): Promise<GoResult>
  /** Another program in the same environment as go: the C compiler, a program go just built. */
  exec(command: string[], opts: RunOptions): Promise<GoResult>
  /** A host path as go and the programs see it (its container path, or itself). */
  pathOf(hostPath: string): string
  /** Where a program that runs plugin code is sandboxed (src/container/sandbox.ts): never through exec. */
  readonly sandbox: SandboxHost
}

/** A runner that can say which Go it runs (the reading Go's changes when a graph asks for a newer one). */
export interface VersionedGoRunner extends GoRunner {
  goVersion(): Promise<string>
}

export const isVersioned = (go: GoRunner): go is VersionedGoRunner => typeof (go as Partial<VersionedGoRunner>).goVersion === 'function'

/**
 * Environment every Go command of the action gets, as the build images see
 * it. The native runner keeps GOTOOLCHAIN, GOMODCACHE and GOWORK, and puts
 * GOPATH, GOCACHE and HOME on the runner.
 */
export const FIXED_GO_ENV: Record<string, string> = {
  // A plugin's `toolchain` line must never swap the server's Go for another one.
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
 * FIXED_GO_ENV over `env`, and `-modcacherw` added to GOFLAGS (once): the
 * module cache stays deletable by the runner (the .so bytes are the same with it).
 */
export function withFixedGoEnv(env: Record<string, string>, goVersion: string): Record<string, string> {
  const given = (env.GOFLAGS ?? '').trim()
  const add = hasModFlags(goVersion) && !given.split(/\s+/).includes('-modcacherw')
  return { ...env, ...FIXED_GO_ENV, GOFLAGS: `${given}${add ? ' -modcacherw' : ''}`.trim() }
}

/** `-mod=mod` where the Go understands it (older Go updates go.mod on its own). */
export function modModFlag(goVersion: string): string[] {
  return hasModFlags(goVersion) ? ['-mod=mod'] : []
}
