/**
 * Real server binaries and plugins, built with the machine's go and Debian's
 * cross C compilers, and the fixture server run on a plugin (real
 * plugin.Open): amd64 natively, 386 natively through the i386 dynamic loader,
 * arm64 / arm / riscv64 through qemu-user.
 *
 *   const fx = await createFixtureBinaries()          // starts the fixture GOPROXY
 *   const host = await fx.buildServer('linux-arm64') // like a gotify release
 *   const so = await fx.buildPlugin({ name: 'v11', require: { 'example.com/dep': 'v1.1.0' } })
 *   const run = await runFixtureServer(host, 'linux-amd64', so)
 *   await fx.close()
 *
 * The server is built like gotify's release (`-a -installsuffix cgo -ldflags
 * "-w -s"`, CGO_ENABLED=1) with its module cache at `fx.modCache`, the one path
 * matched plugins are built with too. Plugins are built like the action builds
 * them (-buildmode=plugin, -ldflags=-w -s). The go build cache is the user's
 * own (shared by test files and runs); a toolchain other than the machine's is
 * fetched once by GOTOOLCHAIN into the user's module cache.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type GoProxy, startGoProxy } from './goproxy.js'
import { chmodWritable } from './host-go-runner.js'

const run = promisify(execFile)
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')

export interface FixtureTarget {
  goarch: string
  env: Record<string, string>
  /** How to run a binary of this target here: the command before the binary's own arguments. */
  runner: (binary: string) => string[]
}

/** Platforms the fixtures build for, with the cross C compiler of Debian's gcc-<triple> packages. */
export const FIXTURE_TARGETS: Record<string, FixtureTarget> = {
  'linux-amd64': { goarch: 'amd64', env: { GOARCH: 'amd64', CC: 'gcc' }, runner: b => [b] },
  'linux-386': {
    goarch: '386',
    env: { GOARCH: '386', CC: 'i686-linux-gnu-gcc' },
    // qemu-i386 crashes on Go here (FIELD-NOTES §4); the amd64 kernel runs i386 code natively.
    runner: b => ['/usr/i686-linux-gnu/lib/ld-linux.so.2', '--library-path', '/usr/i686-linux-gnu/lib', b]
  },
  'linux-arm-7': { goarch: 'arm', env: { GOARCH: 'arm', GOARM: '7', CC: 'arm-linux-gnueabihf-gcc' }, runner: b => ['qemu-arm-static', '-L', '/usr/arm-linux-gnueabihf', b] },
  'linux-arm64': { goarch: 'arm64', env: { GOARCH: 'arm64', CC: 'aarch64-linux-gnu-gcc' }, runner: b => ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu', b] },
  'linux-riscv64': { goarch: 'riscv64', env: { GOARCH: 'riscv64', CC: 'riscv64-linux-gnu-gcc' }, runner: b => ['qemu-riscv64-static', '-L', '/usr/riscv64-linux-gnu', b] }
}

export interface PluginSpec {
  /** Names the output file `<name>.so` and the plugin's source copy. */
  name: string
  platform?: string
  /** A folder of __tests__/fixtures/plugins; default basic. */
  fixture?: string
  /** The main package, relative to the fixture's go.mod; default `.`. */
  package?: string
  /** `go mod edit -require` before building, e.g. { 'example.com/dep': 'v1.0.0' }. */
  require?: Record<string, string>
  /** Another Go than the machine's, e.g. 1.26.7 (fetched through GOTOOLCHAIN). */
  go?: string
  trimpath?: boolean
  /** Another GOMODCACHE than the server's. */
  modCache?: string
}

export interface FixtureBinaries {
  root: string
  proxy: GoProxy
  /** The module cache the server was built with (like /go/pkg/mod in a release). */
  modCache: string
  /** The machine's Go version, e.g. 1.26.8. */
  goVersion: string
  /**
   * The fixture server (or another host program of __tests__/fixtures: `fixture`);
   * `release: false` leaves out -a, so the go build cache serves (same binary, faster).
   */
  buildServer(platform: string, opts?: { release?: boolean; fixture?: string }): Promise<string>
  buildPlugin(spec: PluginSpec): Promise<string>
  close(): Promise<void>
}

export async function hostGoVersion(): Promise<string> {
  return (await run('go', ['env', 'GOVERSION'], { env: { ...process.env, GOTOOLCHAIN: 'local' } })).stdout.trim().replace(/^go/, '')
}

const toolchains = new Map<string, Promise<string>>()

/** The `go` binary of an exact Go version, fetched once by GOTOOLCHAIN through the user's own GOPROXY into the user's module cache. */
export function toolchainGo(version: string): Promise<string> {
  let p = toolchains.get(version)
  if (!p) {
    const env = { ...process.env, GOTOOLCHAIN: `go${version}`, GOFLAGS: '' }
    p = run('go', ['env', 'GOROOT'], { env, cwd: os.tmpdir() }).then(r => path.join(r.stdout.trim(), 'bin', 'go'))
    toolchains.set(version, p)
  }
  return p
}

async function go(goBin: string, args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  try {
    await run(goBin, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 << 20 })
  } catch (e) {
    const err = e as { stderr?: string; message: string }
    throw new Error(`${goBin} ${args.join(' ')} in ${cwd}: ${err.stderr || err.message}`)
  }
}

export async function createFixtureBinaries(root: string = fs.mkdtempSync(path.join(os.tmpdir(), 'fixture-binaries-'))): Promise<FixtureBinaries> {
  const proxy = await startGoProxy()
  const goVersion = await hostGoVersion()
  const modCache = path.join(root, 'go', 'pkg', 'mod')
  const out = path.join(root, 'out')
  fs.mkdirSync(out, { recursive: true })
  const baseEnv = (platform: string, cache: string): Record<string, string> => {
    const t = FIXTURE_TARGETS[platform]
    if (!t) throw new Error(`no fixture target ${platform}; known: ${Object.keys(FIXTURE_TARGETS).join(', ')}`)
    return { GOPROXY: proxy.url, GOSUMDB: 'off', GONOSUMDB: '*', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOMODCACHE: cache, CGO_ENABLED: '1', GOOS: 'linux', GOARM: '', ...t.env }
  }
  const copy = (fixture: string, name: string): string => {
    const dir = path.join(root, 'src', name)
    fs.rmSync(dir, { recursive: true, force: true })
    fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true })
    return dir
  }
  return {
    root,
    proxy,
    modCache,
    goVersion,
    async buildServer(platform, opts = {}) {
      const fixture = opts.fixture ?? 'server'
      const dir = copy(fixture, `${fixture}-${platform}`)
      const bin = path.join(out, `${fixture}-${platform}`)
      const all = opts.release === false ? [] : ['-a']
      await go('go', ['build', ...all, '-installsuffix', 'cgo', '-ldflags', '-w -s', '-o', bin, '.'], dir, baseEnv(platform, modCache))
      return bin
    },
    async buildPlugin(spec) {
      const platform = spec.platform ?? 'linux-amd64'
      const dir = copy(path.join('plugins', spec.fixture ?? 'basic'), `plugin-${spec.name}`)
      const goBin = spec.go && spec.go !== goVersion ? await toolchainGo(spec.go) : 'go'
      const env = baseEnv(platform, spec.modCache ?? modCache)
      const requires = Object.entries(spec.require ?? {}).map(([m, v]) => `-require=${m}@${v}`)
      if (requires.length > 0) await go(goBin, ['mod', 'edit', ...requires], dir, env)
      const so = path.join(out, `${spec.name}.so`)
      const flags = spec.trimpath ? ['-trimpath'] : []
      await go(goBin, ['build', '-buildmode=plugin', '-ldflags=-w -s', ...flags, '-o', so, spec.package ?? '.'], dir, env)
      return so
    },
    async close() {
      await proxy.close()
      if (fs.existsSync(root)) chmodWritable(root)
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
}

export interface HostRun {
  /**
   * What the fixture server did: loaded the plugin; plugin.Open returned an
   * error; the Go runtime aborted the whole process inside plugin.Open (`fatal
   * error: runtime: ...`, seen with a plugin of another Go minor); Lookup
   * failed; or anything else (crashed).
   */
  outcome: 'loaded' | 'refused' | 'fatal' | 'missing-symbol' | 'crashed'
  output: string
}

/** Runs the fixture server (built by buildServer) on a plugin: the real plugin.Open of that server. */
export async function runFixtureServer(server: string, platform: string, plugin: string | string[]): Promise<HostRun> {
  const [cmd, ...args] = FIXTURE_TARGETS[platform].runner(server)
  const r = await run(cmd, [...args, ...[plugin].flat()], { timeout: 120_000 }).then(
    x => ({ code: 0, output: x.stdout + x.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` })
  )
  const outcome: HostRun['outcome'] =
    /^loaded: /m.test(r.output) && r.code === 0
      ? 'loaded'
      : /^load failed: /m.test(r.output)
        ? 'refused'
        : /^fatal error: runtime: .*\n(.|\n)*^plugin\.(lastmoduleinit|open)\(/m.test(r.output)
          ? 'fatal'
          : /^missing symbol: /m.test(r.output)
            ? 'missing-symbol'
            : 'crashed'
  return { outcome, output: r.output.trim() }
}
