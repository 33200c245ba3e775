/**
 * Verification: per platform, build the loader (src/verify/loader.ts) through
 * the platform's GoRunner (its build image, or the native Go) the way the
 * server is built, and run it on each .so, natively or through an emulator. A
 * platform that cannot be run here is reported `not-verified`, never as loaded.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { SERVER_BUILD_FLAGS_UNKNOWN, type ServerBuildFlags, serverFlagArgs } from '../compile/fingerprint-flags.js'
import { mapConcurrent } from '../concurrency.js'
import type { HostDirs } from '../container/layout.js'
import { type GoRunner, modModFlag, withFixedGoEnv } from '../go-runner/runner.js'
import { type Platform, nativeArch, platformGoEnv } from '../platform.js'
import { ElfFile } from '../binary/elf.js'
import { readGoBuildInfo } from '../binary/go-buildinfo.js'
import type { BuildSide } from './diagnosis.js'
import { type Loader, type ModuleVersion, describeOutcome, goListDepsArgs, loaderBuildSide, makeLoader, parseGoListDeps, parseLoaderOutput } from './loader.js'
import { loaderDrift, moduleOf, packageDir } from './server-packages.js'

export interface LoaderVerdict {
  platform: string
  status: 'loaded' | 'failed' | 'not-verified'
  method: 'native' | 'qemu-user' | 'binfmt' | 'none'
  detail: string
  /** Loaded, but something the user should know (the Go versions differ). */
  warning?: string
}

/** How foreign binaries can run here: a static qemu to mount, a kernel binfmt handler, or nothing. */
export type Emulator = { kind: 'qemu-user'; path: string } | { kind: 'binfmt'; interpreter: string; fixBinary: boolean } | { kind: 'none' }

export interface VerifyOptions {
  artifacts: Array<{ platform: Platform; path: string }>
  /** How Go runs for a platform (src/go-runner/builders.ts): the loader is built and run through it. */
  runnerFor: (p: Platform) => GoRunner
  serverModules: ModuleVersion[]
  serverGoVersion: string
  /** The server's build flags that change package fingerprints (-trimpath): the loader is built with them too. */
  serverFlags?: ServerBuildFlags
  plugin: { dir: string; package: string }
  symbols: string[]
  dirs: HostDirs
  goEnv: Record<string, string>
  concurrency: number
  log: (platform: string, line: string) => void
  /** Tests replace the runner's emulator lookup; default detectEmulator. */
  findEmulator?: (qemuArch: string) => Promise<Emulator>
}

// GOARCH -> qemu's name for it (qemu-<name>-static, /proc/sys/fs/binfmt_misc/qemu-<name>).
const QEMU_ARCH: Record<string, string> = {
  amd64: 'x86_64', '386': 'i386', arm: 'arm', arm64: 'aarch64', riscv64: 'riscv64', ppc64le: 'ppc64le',
  s390x: 's390x', loong64: 'loongarch64', mips: 'mips', mipsle: 'mipsel', mips64: 'mips64', mips64le: 'mips64el'
}
const RUN_TIMEOUT_SECONDS = '300'
const HOW_TO_EMULATE =
  'add docker/setup-qemu-action before this step, or install qemu-user-static on the runner (apt-get install qemu-user-static)'

export type RunPlan = { kind: 'native' } | { kind: 'emulated'; qemuArch: string } | { kind: 'impossible'; why: string }

/** Whether a platform's loader runs directly on this runner, needs an emulator, or cannot run at all. */
export function runPlan(p: Platform, runnerArch: string = nativeArch(), runnerOs: string = process.platform): RunPlan {
  if (p.os !== 'linux' || runnerOs !== 'linux') return { kind: 'impossible', why: `${p.id} plugins can only be loaded on a ${p.os} machine; this runner is ${runnerOs}-${runnerArch}` }
  // An amd64 kernel runs i386 binaries; the 386 image has the i386 libc and loader.
  if (p.arch === runnerArch || (p.arch === '386' && runnerArch === 'amd64')) return { kind: 'native' }
  const q = QEMU_ARCH[p.arch]
  return q ? { kind: 'emulated', qemuArch: q } : { kind: 'impossible', why: `no emulator is known for ${p.arch}` }
}

/** A static qemu on PATH: it runs inside the container, mounted read-only. */
export async function staticQemuOnPath(qemuArch: string): Promise<Emulator | undefined> {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(path.delimiter).filter(Boolean)) {
    const f = path.join(dir, `qemu-${qemuArch}-static`)
    try {
      await fs.promises.access(f, fs.constants.X_OK)
      return { kind: 'qemu-user', path: await fs.promises.realpath(f) }
    } catch {
      // not here
    }
  }
  return undefined
}

/** A kernel binfmt handler, as docker/setup-qemu-action registers on GitHub runners. */
export async function binfmtHandler(qemuArch: string): Promise<Emulator | undefined> {
  const text = await fs.promises.readFile(`/proc/sys/fs/binfmt_misc/qemu-${qemuArch}`, 'utf8').catch(() => '')
  const interpreter = /^interpreter (\S+)/m.exec(text)?.[1]
  if (!/^enabled$/m.test(text) || !interpreter) return undefined
  // F: the kernel opened the interpreter at registration and needs no file in the container.
  return { kind: 'binfmt', interpreter, fixBinary: /^flags:.*F/m.test(text) }
}

export async function detectEmulator(qemuArch: string): Promise<Emulator> {
  return (await staticQemuOnPath(qemuArch)) ?? (await binfmtHandler(qemuArch)) ?? { kind: 'none' }
}

// Only what reaches modules crosses over from the user's environment: never
// GOFLAGS, CGO_* or anything else that changes how the loader is compiled.
const NETWORK_ENV = /^(GOPROXY|GOSUMDB|GONOSUMDB|GOPRIVATE|GONOPROXY|GOINSECURE|GOAUTH|GIT_[A-Z0-9_]+|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|SSL_CERT_FILE|SSL_CERT_DIR)$/
export function loaderEnv(p: Platform, goEnv: Record<string, string>, serverGoVersion: string): Record<string, string> {
  const net = Object.fromEntries(Object.entries(goEnv).filter(([k]) => NETWORK_ENV.test(k)))
  return withFixedGoEnv({ ...net, ...platformGoEnv(p), CGO_ENABLED: '1', GOFLAGS: '' }, serverGoVersion)
}

const tail = (text: string, n = 6): string => text.trim().split('\n').slice(-n).join(' | ')

/** The target triple of the runner's C compiler for the platform: asked, never guessed. */
async function compilerTriple(runner: GoRunner, env: Record<string, string>, dir: string): Promise<string> {
  const cc = await runner.go(['env', 'CC'], { dir, env })
  const words = cc.stdout.trim().split(/\s+/).filter(Boolean)
  if (cc.code !== 0 || words.length === 0) throw new Error(`cannot read CC of ${runner.where}: ${tail(cc.output)}`)
  const dm = await runner.exec([...words, '-dumpmachine'], { dir, env })
  const triple = dm.stdout.trim()
  if (dm.code !== 0 || !/^[A-Za-z0-9_.-]+$/.test(triple)) throw new Error(`cannot read the target of ${words[0]} in ${runner.where}: ${tail(dm.output)}`)
  return triple
}

/**
 * How to start a binary of the platform: directly; through the i386 dynamic
 * loader of a cross compiler's sysroot (386 on amd64 without the runner's own
 * i386 libc: the native builder's i686-linux-gnu-gcc); or through qemu with
 * the sysroot of the platform's C compiler (`/usr/<triple>`).
 */
function launcher(p: Platform, emu: Emulator, triple: string): { prefix: string[]; env: Record<string, string>; files: string[] } {
  const root = `/usr/${triple}`
  if (emu.kind === 'qemu-user') return { prefix: [emu.path, '-L', root], env: {}, files: [emu.path] }
  // Without the F flag the kernel looks the interpreter up where the program runs.
  if (emu.kind === 'binfmt') return { prefix: [], env: { QEMU_LD_PREFIX: root }, files: emu.fixBinary ? [] : [emu.interpreter] }
  if (p.arch === '386' && triple !== '' && !/^x86_64-/.test(triple)) return { prefix: [`${root}/lib/ld-linux.so.2`, '--library-path', `${root}/lib`], env: {}, files: [] }
  return { prefix: [], env: {}, files: [] }
}

type Artifact = VerifyOptions['artifacts'][number]

async function verifyPlatform(p: Platform, artifacts: Artifact[], o: VerifyOptions): Promise<LoaderVerdict[]> {
  const all = (status: LoaderVerdict['status'], method: LoaderVerdict['method'], detail: string): LoaderVerdict[] =>
    artifacts.map(() => ({ platform: p.id, status, method, detail }))
  const plan = runPlan(p)
  if (plan.kind === 'impossible') return all('not-verified', 'none', plan.why)
  const emu: Emulator = plan.kind === 'native' ? { kind: 'none' } : await (o.findEmulator ?? detectEmulator)(plan.qemuArch)
  if (plan.kind === 'emulated' && emu.kind === 'none') {
    return all('not-verified', 'none', `this runner cannot run ${p.arch} binaries (no qemu-${plan.qemuArch}-static, no binfmt handler); ${HOW_TO_EMULATE}`)
  }
  const method: LoaderVerdict['method'] = emu.kind === 'none' ? 'native' : emu.kind
  const log = (line: string): void => o.log(p.id, line)
  const runner = o.runnerFor(p)
  const env = loaderEnv(p, o.goEnv, o.serverGoVersion)
  const work = path.join(o.dirs.scratch, 'verify', p.id)
  fs.rmSync(work, { recursive: true, force: true })
  fs.mkdirSync(path.join(work, 'src'), { recursive: true })
  const inC = (host: string): string => runner.pathOf(host)

  // Copies in scratch, which every runner sees; a missing .so needs no loader.
  const missing = new Map<number, string>()
  for (const [i, a] of artifacts.entries()) {
    try {
      fs.copyFileSync(a.path, path.join(work, `plugin-${i}.so`))
    } catch (e) {
      missing.set(i, `cannot read ${a.path}: ${(e as Error).message}`)
    }
  }
  if (missing.size === artifacts.length) return artifacts.map((_, i) => ({ platform: p.id, status: 'failed', method, detail: missing.get(i) ?? '' }))

  const t0 = Date.now()
  // The C compiler's target tells where its sysroot is (an emulator's -L, the i386 loader); a native run of the runner's own arch needs none.
  const [list, triple] = await Promise.all([
    runner.go(goListDepsArgs(o.plugin.package), { dir: o.plugin.dir, env }),
    emu.kind === 'none' && p.arch === nativeArch() ? Promise.resolve('') : compilerTriple(runner, env, work)
  ])
  if (list.code !== 0) return all('failed', method, `listing the plugin's packages failed: ${tail(list.stderr)}`)
  const src = path.join(work, 'src')
  const packages = parseGoListDeps(list.stdout)
  const loaderOf = (exclude: string[]): Loader => makeLoader({ serverModules: o.serverModules, serverGoVersion: o.serverGoVersion, packages, exclude })
  const full = loaderOf([])
  fs.writeFileSync(path.join(src, 'go.mod'), full.goMod)
  // Packages missing from the server's module versions: the server cannot link them either.
  const absent = await packagesAbsentFromServer(full.imports, o, () => runner.go(['mod', 'download', ...modulesOf(full.imports, o.serverModules)], { dir: src, env }))
  if (typeof absent === 'string') return all('failed', method, absent)
  for (const a of absent) log(`the server's ${a.module} has no package ${a.importPath}: not linked by the loader`)
  const loader = absent.length === 0 ? full : loaderOf(absent.map(a => a.importPath))
  fs.writeFileSync(path.join(src, 'main.go'), loader.mainGo)
  log(`loader links the server's ${loader.imports.join(', ') || '(no shared packages)'}`)

  // Like the server's release: the server's Go, module cache at /go/pkg/mod, -w -s, and its flags (-trimpath when it used it).
  const bin = path.join(work, 'loader')
  const flags = serverFlagArgs(o.serverFlags ?? SERVER_BUILD_FLAGS_UNKNOWN)
  if (flags.length > 0) log(`loader built with the server's ${flags.join(' ')}`)
  const build = await runner.go(['build', ...modModFlag(o.serverGoVersion), ...flags, '-ldflags', '-w -s', '-o', inC(bin), '.'], { dir: src, env, onLine: log })
  const t1 = Date.now()
  if (build.code !== 0) return all('failed', method, `building the loader (the server's versions of the shared packages) failed: ${tail(build.output)}`)
  const drift = loaderDrift(fs.readFileSync(path.join(src, 'go.mod'), 'utf8'), o.serverModules)
  if (drift.length > 0) return all('failed', method, `the loader could not be built from the server's module versions alone (${drift.join('; ')})`)

  const results: LoaderVerdict[] = []
  for (const [i, a] of artifacts.entries()) {
    const so = path.join(work, `plugin-${i}.so`)
    const unreadable = missing.get(i)
    if (unreadable) {
      results.push({ platform: p.id, status: 'failed', method, detail: unreadable })
      continue
    }
    const how = launcher(p, emu, triple)
    const started = Date.now()
    const run = await runner.exec(['timeout', RUN_TIMEOUT_SECONDS, ...how.prefix, inC(bin), inC(so), ...o.symbols], { dir: work, env: how.env, files: how.files, onLine: log })
    const outcome = parseLoaderOutput(run.stdout)
    const secs = ((Date.now() - started) / 1000).toFixed(1)
    log(`plugin.Open (${method}) of ${path.basename(a.path)}: ${outcome?.loaded ? 'loaded' : 'failed'} in ${secs}s`)
    if (outcome) {
      // Read only for a failure: the .so's build info tells why, beside the loader's recipe.
      const evidence = outcome.loaded ? undefined : { server: loaderBuildSide(o.serverModules, o.serverGoVersion, flags.includes('-trimpath')), plugin: pluginBuildSide(so) }
      results.push({ platform: p.id, status: outcome.loaded ? 'loaded' : 'failed', method, detail: describeOutcome(outcome, evidence), ...(outcome.warning ? { warning: outcome.warning } : {}) })
    } else {
      const why = run.code === 124 ? `timed out after ${RUN_TIMEOUT_SECONDS}s` : `exited with code ${run.code}`
      results.push({ platform: p.id, status: 'failed', method, detail: `the loader ${why} without a result: ${tail(run.output)}` })
    }
  }
  log(`verification: packages listed and loader built in ${((t1 - t0) / 1000).toFixed(1)}s, total ${((Date.now() - t0) / 1000).toFixed(1)}s`)
  return results
}

/** The .so's Go build info, the evidence for why a package differs; undefined when it has none. */
function pluginBuildSide(so: string): BuildSide | undefined {
  try {
    return readGoBuildInfo(new ElfFile(fs.readFileSync(so), path.basename(so)))
  } catch {
    return undefined
  }
}

/** Downloads the server's versions of the modules the loader imports from, and lists the imports they lack. */
function modulesOf(imports: string[], serverModules: ModuleVersion[]): string[] {
  const modules = new Set<string>()
  for (const i of imports) {
    const m = moduleOf(i, serverModules)
    if (m) modules.add(`${m.path}@${m.version}`)
  }
  return [...modules]
}

async function packagesAbsentFromServer(
  imports: string[],
  o: VerifyOptions,
  download: () => Promise<{ code: number; output: string }>
): Promise<Array<{ importPath: string; module: string }> | string> {
  if (modulesOf(imports, o.serverModules).length === 0) return []
  const dl = await download()
  if (dl.code !== 0) return `downloading the server's versions of the shared modules failed: ${tail(dl.output)}`
  const hasGo = (dir: string): boolean => {
    try {
      return fs.readdirSync(dir).some(f => f.endsWith('.go') && !f.endsWith('_test.go'))
    } catch {
      return false
    }
  }
  return imports.flatMap(importPath => {
    const m = moduleOf(importPath, o.serverModules)
    return m && !hasGo(packageDir(o.dirs.goModCache, m, importPath)) ? [{ importPath, module: `${m.path}@${m.version}` }] : []
  })
}

/** Verifies every artifact; results come in the artifacts' order. Artifacts of one platform share one loader. */
export async function verifyArtifacts(o: VerifyOptions): Promise<LoaderVerdict[]> {
  const groups = new Map<string, { platform: Platform; items: Array<{ index: number; artifact: Artifact }> }>()
  o.artifacts.forEach((artifact, index) => {
    const g = groups.get(artifact.platform.id) ?? { platform: artifact.platform, items: [] }
    g.items.push({ index, artifact })
    groups.set(artifact.platform.id, g)
  })
  const results: LoaderVerdict[] = new Array(o.artifacts.length)
  await mapConcurrent([...groups.values()], o.concurrency, async ({ platform, items }) => {
    let rs: LoaderVerdict[]
    try {
      rs = await verifyPlatform(platform, items.map(i => i.artifact), o)
    } catch (e) {
      // One platform's trouble (docker, a bad build list) must not hide the others' results.
      rs = items.map(() => ({ platform: platform.id, status: 'failed', method: 'none', detail: `verification could not run: ${(e as Error).message}` }))
    }
    items.forEach((it, k) => (results[it.index] = rs[k]))
  })
  return results
}
