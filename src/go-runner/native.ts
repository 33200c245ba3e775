/**
 * The native builder: the server's exact Go (installed through the tool
 * cache, src/go-runner/go-install.ts) runs on the runner itself, with the
 * cross C compiler the server's build image of the platform names
 * (src/go-runner/cross-compilers.ts) and the module cache at /go/pkg/mod
 * (src/go-runner/module-cache-path.ts).
 */
import * as os from 'node:os'
import * as path from 'node:path'
import { runProgram } from '../container/program.js'
import type { SandboxHost } from '../container/sandbox.js'
import { type GoResult, type GoRunner, type RunOptions, withFixedGoEnv } from './runner.js'

export interface NativeRunnerOptions {
  /** GOROOT of the installed Go. */
  goroot: string
  goVersion: string
  /** CC and CXX as the platform's build image sets them (none: go's default, gcc). */
  compiler?: { cc: string; cxx: string }
  /** Host folders: this runner's GOCACHE, and a GOPATH (go keeps its checksum database cache there). */
  goCache: string
  goPath: string
  /** Go environment of every command (go-env for alignment; builds and the loader pass theirs). */
  env: Record<string, string>
}

export class NativeGoRunner implements GoRunner {
  readonly builder = 'native'
  readonly where: string
  readonly sandbox: SandboxHost = { kind: 'runner' }
  private readonly goBin: string

  constructor(private readonly o: NativeRunnerOptions) {
    this.goBin = path.join(o.goroot, 'bin', 'go')
    this.where = `native go${o.goVersion}${o.compiler ? ` with ${o.compiler.cc}` : ''}`
  }

  go(args: string[], opts: RunOptions): Promise<GoResult> {
    const compiler = this.o.compiler ? { CC: this.o.compiler.cc, CXX: this.o.compiler.cxx } : {}
    const env = {
      ...this.base(),
      ...compiler,
      ...withFixedGoEnv({ ...this.o.env, ...opts.env }, this.o.goVersion),
      // On the runner: its own caches and HOME (git and .netrc credentials for private modules); no go env file.
      GOPATH: this.o.goPath,
      GOCACHE: this.o.goCache,
      HOME: process.env.HOME || os.homedir(),
      GOENV: 'off'
    }
    return runProgram(this.goBin, args, { cwd: opts.dir, env, onLine: opts.onLine, timeoutMs: opts.timeoutSeconds === undefined ? undefined : opts.timeoutSeconds * 1000, signal: opts.signal })
  }

  exec(command: string[], opts: RunOptions): Promise<GoResult> {
    const [program, ...args] = command
    return runProgram(program, args, { cwd: opts.dir, env: { ...this.base(), ...opts.env }, onLine: opts.onLine })
  }

  pathOf(hostPath: string): string {
    return path.resolve(hostPath)
  }

  /**
   * Over the allow-listed runner environment (src/container/child-env.ts), which holds none of the runner's
   * GO*, CGO_*, CC or CXX (a build image sees none of them either: what reaches modules comes through go-env).
   */
  private base(): Record<string, string> {
    // Anything go starts that runs `go` again gets this Go, never the one on PATH.
    return { PATH: [path.join(this.o.goroot, 'bin'), process.env.PATH].filter(Boolean).join(path.delimiter) }
  }
}
