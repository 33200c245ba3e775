/**
 * Verification: per platform, build the loader (src/verify/loader.ts) in the
 * platform's build image the way the server is built, and run it on each .so,
 * natively or through an emulator. A platform that cannot be run here is
 * reported `not-verified`, never as loaded.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type ContainerSpec, type Mount, runContainer, runnerUser } from '../docker.js'
import { mapConcurrent } from '../concurrency.js'
import { type HostDirs, IN_CONTAINER, containerMounts, hostFoldersToCreate } from '../container-layout.js'
import { containerPath, modModFlag, withFixedGoEnv } from '../go-runner.js'
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
  imageFor: (p: Platform) => string
  serverModules: ModuleVersion[]
  serverGoVersion: string
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

/** `/usr/<triple>`, the sysroot of the image's cross C compiler: from the image, never guessed. */
async function sysroot(image: string, env: Record<string, string>): Promise<string> {
  const cc = await runContainer({ image, command: ['go', 'env', 'CC'], env, user: runnerUser() })
  const words = cc.stdout.trim().split(/\s+/).filter(Boolean)
  if (cc.code !== 0 || words.length === 0) throw new Error(`cannot read CC of ${image}: ${tail(cc.output)}`)
  const dm = await runContainer({ image, command: [...words, '-dumpmachine'], env, user: runnerUser() })
  const triple = dm.stdout.trim()
  if (dm.code !== 0 || !/^[A-Za-z0-9_.-]+$/.test(triple)) throw new Error(`cannot read the target of ${words[0]} in ${image}: ${tail(dm.output)}`)
  return `/usr/${triple}`
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
  const image = o.imageFor(p)
  const env = loaderEnv(p, o.goEnv, o.serverGoVersion)
  const mounts = containerMounts(o.dirs, p.id)
  for (const d of hostFoldersToCreate(o.dirs, p.id)) fs.mkdirSync(d, { recursive: true })
  const work = path.join(o.dirs.scratch, 'verify', p.id)
  fs.rmSync(work, { recursive: true, force: true })
  fs.mkdirSync(path.join(work, 'src'), { recursive: true })
  const inC = (host: string): string => containerPath(mounts, host)
  const user = runnerUser()

  // Copies in scratch: the run mounts scratch alone, and a missing .so needs no loader.
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
  const [list, root] = await Promise.all([
    runContainer({ image, command: ['go', ...goListDepsArgs(o.plugin.package)], env, mounts, workdir: inC(o.plugin.dir), user }),
    emu.kind === 'none' ? Promise.resolve('') : sysroot(image, env)
  ])
  if (list.code !== 0) return all('failed', method, `listing the plugin's packages failed: ${tail(list.stderr)}`)
  const src = path.join(work, 'src')
  const packages = parseGoListDeps(list.stdout)
  const loaderOf = (exclude: string[]): Loader => makeLoader({ serverModules: o.serverModules, serverGoVersion: o.serverGoVersion, packages, exclude })
  const full = loaderOf([])
  fs.writeFileSync(path.join(src, 'go.mod'), full.goMod)
  // Packages missing from the server's module versions: the server cannot link them either.
  const absent = await packagesAbsentFromServer(full.imports, o, { image, env, mounts, workdir: inC(src), user })
  if (typeof absent === 'string') return all('failed', method, absent)
  for (const a of absent) log(`the server's ${a.module} has no package ${a.importPath}: not linked by the loader`)
  const loader = absent.length === 0 ? full : loaderOf(absent.map(a => a.importPath))
  fs.writeFileSync(path.join(src, 'main.go'), loader.mainGo)
  log(`loader links the server's ${loader.imports.join(', ') || '(no shared packages)'}`)

  // Like the server's release: same image, module cache at /go/pkg/mod, no -trimpath, -w -s.
  const bin = path.join(work, 'loader')
  const build = await runContainer(
    { image, command: ['go', 'build', ...modModFlag(o.serverGoVersion), '-ldflags', '-w -s', '-o', inC(bin), '.'], env, mounts, workdir: inC(path.join(work, 'src')), user },
    log
  )
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
    const runMounts: Mount[] = [{ host: o.dirs.scratch, container: IN_CONTAINER.scratch, readOnly: true }, ...(o.dirs.caFiles ?? [])]
    const runEnv: Record<string, string> = {}
    let cmd = [inC(bin), inC(so), ...o.symbols]
    if (emu.kind === 'qemu-user') {
      const q = `/qemu/${path.basename(emu.path)}`
      runMounts.push({ host: emu.path, container: q, readOnly: true })
      cmd = [q, '-L', root, ...cmd]
    } else if (emu.kind === 'binfmt') {
      runEnv.QEMU_LD_PREFIX = root
      // Without the F flag the kernel looks the interpreter up inside the container.
      if (!emu.fixBinary) runMounts.push({ host: emu.interpreter, container: emu.interpreter, readOnly: true })
    }
    const started = Date.now()
    const run = await runContainer({ image, command: ['timeout', RUN_TIMEOUT_SECONDS, ...cmd], env: runEnv, mounts: runMounts, workdir: inC(work), user }, log)
    const outcome = parseLoaderOutput(run.stdout)
    const secs = ((Date.now() - started) / 1000).toFixed(1)
    log(`plugin.Open (${method}) of ${path.basename(a.path)}: ${outcome?.loaded ? 'loaded' : 'failed'} in ${secs}s`)
    if (outcome) {
      // Read only for a failure: the .so's build info tells why, beside the loader's recipe.
      const evidence = outcome.loaded ? undefined : { server: loaderBuildSide(o.serverModules, o.serverGoVersion), plugin: pluginBuildSide(so) }
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
async function packagesAbsentFromServer(
  imports: string[],
  o: VerifyOptions,
  run: Pick<ContainerSpec, 'image' | 'env' | 'mounts' | 'workdir' | 'user'>
): Promise<Array<{ importPath: string; module: string }> | string> {
  const modules = new Map<string, ModuleVersion>()
  for (const i of imports) {
    const m = moduleOf(i, o.serverModules)
    if (m) modules.set(`${m.path}@${m.version}`, m)
  }
  if (modules.size === 0) return []
  const dl = await runContainer({ ...run, command: ['go', 'mod', 'download', ...modules.keys()] })
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
