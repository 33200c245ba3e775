import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { GoResult, RunOptions, VersionedGoRunner } from '../../src/go-runner/runner.js'

/**
 * Runs the machine's `go` like the action's DockerGoRunner runs the image's:
 * GOTOOLCHAIN=local, a private module cache and GOCACHE, the given GOPROXY.
 * `withGoroot` gives a runner of another Go sharing those folders (an old
 * server's Go beside the machine's newer one).
 * Always asynchronous: the fixture GOPROXY answers from this same process.
 */
export class HostGoRunner implements VersionedGoRunner {
  readonly builder = 'native'
  readonly where = 'the machine\'s go'
  readonly sandbox = { kind: 'runner' } as const
  readonly calls: Array<{ args: string[]; dir: string; ms: number }> = []

  constructor(
    readonly env: Record<string, string>,
    private readonly root?: string
  ) {}

  static create(goproxy: string, root: string = fs.mkdtempSync(path.join(os.tmpdir(), 'host-go-'))): HostGoRunner {
    return new HostGoRunner({
      GOPROXY: goproxy,
      GOSUMDB: 'off',
      GONOSUMDB: '*',
      GOFLAGS: '',
      GOTOOLCHAIN: 'local',
      GOMODCACHE: path.join(root, 'gomodcache'),
      GOCACHE: path.join(root, 'gocache'),
      GOPATH: path.join(root, 'gopath')
    }, root)
  }

  /** The same folders and proxy, the Go at `goroot`. */
  withGoroot(goroot: string): HostGoRunner {
    return new HostGoRunner({ ...this.env, GOROOT: goroot, PATH: `${path.join(goroot, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` })
  }

  private version?: Promise<string>

  /** The Go it runs (`go env GOVERSION`), asked once. */
  goVersion(): Promise<string> {
    this.version ??= this.go(['env', 'GOVERSION'], { dir: os.tmpdir() }).then(r => r.stdout.trim().replace(/^go/, ''))
    return this.version
  }

  go(args: string[], opts: RunOptions): Promise<GoResult> {
    const go = this.env.GOROOT ? path.join(this.env.GOROOT, 'bin', 'go') : 'go'
    return this.exec([go, ...args], { ...opts, env: { ...opts.env, ...this.env } })
  }

  exec(command: string[], opts: RunOptions): Promise<GoResult> {
    const started = Date.now()
    return new Promise(resolve => {
      execFile(command[0], command.slice(1), { cwd: opts.dir, env: { ...process.env, ...opts.env }, encoding: 'utf8', maxBuffer: 64 << 20, signal: opts.signal }, (err, stdout, stderr) => {
        const ms = Date.now() - started
        if (path.basename(command[0]) === 'go') this.calls.push({ args: command.slice(1), dir: opts.dir, ms })
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({ code, stdout, stderr, output: stdout + stderr, seconds: ms / 1000 })
      })
    })
  }

  pathOf(hostPath: string): string {
    return path.resolve(hostPath)
  }

  /** Removes the folder made by create (the module cache in it is read-only). */
  cleanup(): void {
    if (!this.root || !fs.existsSync(this.root)) return
    chmodWritable(this.root)
    fs.rmSync(this.root, { recursive: true, force: true })
  }
}

/** `chmod -R u+w`, without a synchronous child process. */
export function chmodWritable(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) {
      fs.chmodSync(p, 0o755)
      chmodWritable(p)
    } else if (!e.isSymbolicLink()) {
      fs.chmodSync(p, fs.statSync(p).mode | 0o200)
    }
  }
}
