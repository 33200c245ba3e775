/**
 * Verification: per platform, build the loader (src/verify/loader.ts) through
 * the platform's GoRunner (its build image, or the native Go) the way the
 * server is built, and run it on each .so, natively or through an emulator. A
 * platform that cannot be run here is reported `not-verified`, never as loaded.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ServerBuildFlags } from '../compile/fingerprint-flags.js'
import { mapConcurrent } from '../concurrency.js'
import type { HostDirs } from '../container/layout.js'
import { runSandboxed } from '../container/sandbox.js'
import { type GoRunner, withFixedGoEnv } from '../go-runner/runner.js'
import { type Platform, nativeArch, platformGoEnv } from '../platform.js'
import { ElfFile } from '../binary/elf.js'
import { readGoBuildInfo } from '../binary/go-buildinfo.js'
import type { BuildSide } from './diagnosis.js'
import { type ModuleVersion, describeOutcome, goListDepsArgs, loaderBuildSide, parseGoListDeps } from './loader.js'
import { buildLoader } from './loader-build.js'
import { loaderArgs, parseLoaderOutput } from './loader-program.js'

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
export const RUN_TIMEOUT_SECONDS = 300
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
export async function compilerTriple(runner: GoRunner, env: Record<string, string>, dir: string): Promise<string> {
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
export function launcher(p: Platform, emu: Emulator, triple: string): { prefix: string[]; env: Record<string, string>; files: string[] } {
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
  const built = await buildLoader({ runner, env, work, packages: parseGoListDeps(list.stdout), serverModules: o.serverModules, serverGoVersion: o.serverGoVersion, serverFlags: o.serverFlags, goModCache: o.dirs.goModCache, log })
  const t1 = Date.now()
  if (!built.ok) return all('failed', method, built.why)

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
    // The plugin's init() runs here: in the sandbox, with copies of the loader and the .so only.
    const run = await runSandboxed(runner.sandbox, {
      files: [{ name: 'loader', from: built.bin, executable: true }, { name: 'plugin.so', from: so }],
      hostFiles: how.files,
      command: [...how.prefix, './loader', ...loaderArgs(['./plugin.so'], { symbols: o.symbols })],
      env: how.env,
      timeoutSeconds: RUN_TIMEOUT_SECONDS,
      scratch: work,
      onLine: log
    })
    if (!run.ran) {
      results.push({ platform: p.id, status: 'not-verified', method: 'none', detail: noSandbox(run.why) })
      continue
    }
    const outcome = parseLoaderOutput(run.stdout)
    const secs = ((Date.now() - started) / 1000).toFixed(1)
    log(`plugin.Open (${method}, sandboxed) of ${path.basename(a.path)}: ${outcome?.loaded ? 'loaded' : 'failed'} in ${secs}s`)
    if (outcome) {
      // Read only for a failure: the .so's build info tells why, beside the loader's recipe.
      const evidence = outcome.loaded ? undefined : { server: loaderBuildSide(o.serverModules, o.serverGoVersion, built.flags.includes('-trimpath')), plugin: pluginBuildSide(so) }
      results.push({ platform: p.id, status: outcome.loaded ? 'loaded' : 'failed', method, detail: describeOutcome(outcome, evidence), ...(outcome.warning ? { warning: outcome.warning } : {}) })
    } else {
      const why = run.code === 124 || run.timedOut ? `timed out after ${RUN_TIMEOUT_SECONDS}s` : `exited with code ${run.code}`
      results.push({ platform: p.id, status: 'failed', method, detail: `the loader ${why} without a result: ${tail(run.output)}` })
    }
  }
  log(`verification: packages listed and loader built in ${((t1 - t0) / 1000).toFixed(1)}s, total ${((Date.now() - t0) / 1000).toFixed(1)}s`)
  return results
}

/** Why a program that runs plugin code did not run, and what to do. */
export function noSandbox(why: string): string {
  return `not run: the plugin's code (its init, its info function) runs only in a sandbox, and this runner cannot make one: ${why}; on the native builder give the runner user passwordless sudo (GitHub-hosted runners have it), or use builder: docker`
}

/** The .so's Go build info, the evidence for why a package differs; undefined when it has none. */
function pluginBuildSide(so: string): BuildSide | undefined {
  try {
    return readGoBuildInfo(new ElfFile(fs.readFileSync(so), path.basename(so)))
  } catch {
    return undefined
  }
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
