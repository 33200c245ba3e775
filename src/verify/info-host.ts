/**
 * The Info check (issue 28): what the server checks at start beyond
 * plugin.Open. Per server version, on one platform this runner can run (its
 * own when the run built it, else 386 on amd64, else an emulated one), a
 * stand-in host built like the server (the server's Go and flags, and where no
 * release binary proves that platform its module versions of the shared
 * packages: src/verify/loader-build.ts) opens every file of the plugin folder
 * (this run's and with-plugins) in the server's load order, looks up the
 * symbols, calls the info function through reflection, and says what each
 * returned; src/verify/plugin-info.ts judges it as the server would. The
 * plugins' code runs, so the host runs in the sandbox (src/container/sandbox.ts).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { readBinaryFactsFromFile } from '../binary/facts.js'
import type { ServerBuildFlags } from '../compile/fingerprint-flags.js'
import type { HostDirs } from '../container/layout.js'
import { runSandboxed } from '../container/sandbox.js'
import type { GoRunner } from '../go-runner/runner.js'
import { type Platform, nativeArch } from '../platform.js'
import { type ModuleVersion, describeOutcome } from './loader.js'
import { buildLoader, packagesOfFile } from './loader-build.js'
import { type LoaderOutcome, loaderArgs, parseLoaderResults } from './loader-program.js'
import { type Emulator, RUN_TIMEOUT_SECONDS, compilerTriple, detectEmulator, launcher, loaderEnv, noSandbox, runPlan } from './loader-witness.js'
import { type HostFileResult, type InfoCheck, type InfoFile, type InfoSettings, describeInfo, infoCheckOf, judgeInfos } from './plugin-info.js'
import { loadOrder } from './plugin-set.js'

export interface InfoHostFile extends InfoFile {
  path: string
}

export interface InfoHostOptions {
  serverVersion: string
  /** Per platform the run built, in the run's order: the files its plugin folder would hold. */
  candidates: Array<{ platform: Platform; files: InfoHostFile[] }>
  runnerFor: (p: Platform) => GoRunner
  serverModules: ModuleVersion[]
  serverGoVersion: string
  serverFlags?: ServerBuildFlags
  dirs: HostDirs
  goEnv: Record<string, string>
  settings: InfoSettings
  /** What the server looks up in each plugin (verify-symbols). */
  symbols: string[]
  /**
   * The server's release binary proves every file's fingerprints on that platform (the static
   * proofs): the host then links the standard library only, and compares what plugins link
   * among themselves. Else it links the server's versions of what the files share with it, as
   * the stand-in loader does, and is the set's proof.
   */
  witnessed: (p: Platform) => boolean
  log: (line: string) => void
  findEmulator?: (qemuArch: string) => Promise<Emulator>
}

/** The platforms in the order the host prefers them: the runner's own, then 386 on amd64, then emulated; never one it cannot run. Pure. */
export function platformPreference<T extends { platform: Platform; files: unknown[] }>(candidates: T[], runnerArch: string = nativeArch(), runnerOs: string = process.platform): T[] {
  const rank = (p: Platform): number => {
    const plan = runPlan(p, runnerArch, runnerOs)
    return plan.kind === 'impossible' ? -1 : plan.kind === 'emulated' ? 2 : p.arch === runnerArch ? 0 : 1
  }
  return candidates.filter(c => rank(c.platform) >= 0 && c.files.length > 0).sort((a, b) => rank(a.platform) - rank(b.platform))
}

async function choosePlatform(o: InfoHostOptions): Promise<{ platform: Platform; files: InfoHostFile[]; emu: Emulator } | undefined> {
  for (const c of platformPreference(o.candidates)) {
    const plan = runPlan(c.platform)
    if (plan.kind === 'native') return { ...c, emu: { kind: 'none' } }
    if (plan.kind !== 'emulated') continue
    const emu = await (o.findEmulator ?? detectEmulator)(plan.qemuArch)
    if (emu.kind !== 'none') return { ...c, emu }
  }
  return undefined
}

const tail = (text: string, n = 4): string => text.trim().split('\n').slice(-n).join(' | ')

/** The loader's words with the sandbox's copy names replaced by the files' own. */
function named(o: LoaderOutcome, copy: string, file: string): LoaderOutcome {
  const rename = (s: string | undefined): string | undefined => s?.split(`"./${copy}"`).join(JSON.stringify(file)).split(`"./${copy.replace(/\.so$/, '')}"`).join(JSON.stringify(file))
  return { ...o, error: rename(o.error), warning: rename(o.warning) }
}

export async function runInfoHost(o: InfoHostOptions): Promise<InfoCheck> {
  const chosen = await choosePlatform(o)
  const notVerified = (detail: string, platform?: string): InfoCheck => ({ serverVersion: o.serverVersion, platform, method: 'none', function: o.settings.function, ...(o.settings.unique ? { unique: o.settings.unique } : {}), status: 'not-verified', detail, members: [], warnings: [] })
  if (!chosen) return notVerified(`no platform of this run can run on this runner (${o.candidates.map(c => c.platform.id).join(', ')}); add docker/setup-qemu-action or install qemu-user-static, or build the runner's own platform too`)
  const { platform: p, emu } = chosen
  const method = emu.kind === 'none' ? 'native' : emu.kind
  const byName = new Map(chosen.files.map(f => [f.file, { ...f }]))
  const files = loadOrder([...byName.keys()]).map(n => byName.get(n)!)
  o.log(`Info check on ${p.id} (${method}): ${files.map(f => f.file).join(', ')}`)

  // What each file links, from its fingerprints: the host links the server's versions of what the server's modules provide.
  const linkServer = !o.witnessed(p)
  const serverModules = linkServer ? o.serverModules : []
  const unreadable = new Map<string, string>()
  const packages = []
  for (const f of files) {
    try {
      const facts = await readBinaryFactsFromFile(f.path, f.file)
      // A neighbour's plugin path, for the messages: from its symbols.
      if (!f.pluginPath && facts.symbolPath) f.pluginPath = facts.symbolPath
      packages.push(...packagesOfFile([...facts.fingerprints.keys()], { mainModule: facts.buildInfo?.main?.path, symbolPath: facts.symbolPath, serverModules }))
    } catch (e) {
      unreadable.set(f.file, `cannot read it: ${(e as Error).message}`)
    }
  }
  const runner = o.runnerFor(p)
  const env = loaderEnv(p, o.goEnv, o.serverGoVersion)
  const work = path.join(o.dirs.scratch, 'info-host', p.id)
  fs.rmSync(work, { recursive: true, force: true })
  fs.mkdirSync(work, { recursive: true })
  const triple = emu.kind === 'none' && p.arch === nativeArch() ? '' : await compilerTriple(runner, env, work)
  if (!linkServer) o.log(`the release binary proves the files' packages on ${p.id}: the host links the standard library only`)
  const built = await buildLoader({ runner, env, work, packages, serverModules, serverGoVersion: o.serverGoVersion, serverFlags: o.serverFlags, goModCache: o.dirs.goModCache, log: o.log })
  const base = { serverVersion: o.serverVersion, platform: p.id, method } as const
  if (!built.ok) {
    const why = `the stand-in host could not be built: ${built.why}`
    return infoCheckOf(base, o.settings, { members: files.map(({ file, plugin, pluginPath }) => ({ file, plugin, pluginPath, status: 'refused', reason: why })), failure: { file: files[0].file, message: why } })
  }

  // Copies named by their place in the load order; only the files the host can read.
  const opened = files.filter(f => !unreadable.has(f.file))
  const copies = opened.map((f, i) => ({ f, copy: `${String(i).padStart(3, '0')}.so` }))
  const how = launcher(p, emu, triple)
  const started = Date.now()
  const run = await runSandboxed(runner.sandbox, {
    files: [{ name: 'loader', from: built.bin, executable: true }, ...copies.map(c => ({ name: c.copy, from: c.f.path }))],
    hostFiles: how.files,
    command: [...how.prefix, './loader', ...loaderArgs(copies.map(c => `./${c.copy}`), { symbols: o.symbols, info: o.settings.function })],
    env: how.env,
    timeoutSeconds: RUN_TIMEOUT_SECONDS,
    scratch: work,
    onLine: line => o.log(line)
  })
  if (!run.ran) return notVerified(noSandbox(run.why), p.id)
  const seconds = (Date.now() - started) / 1000
  const said = parseLoaderResults(run.stdout)
  let crashed = false
  const results = files.map((f): HostFileResult | undefined => {
    const why = unreadable.get(f.file)
    if (why) return { loaded: false, refusal: why }
    const copy = copies.find(c => c.f === f)!.copy
    const r = said.get(`./${copy}`)
    if (!r) {
      if (crashed) return undefined
      crashed = true
      const how = run.code === 124 || run.timedOut ? `ran out of its ${RUN_TIMEOUT_SECONDS}s` : `exited with code ${run.code}`
      return { loaded: false, refusal: `the host ${how} while opening it (the plugin's init or ${o.settings.function} crashed it): ${tail(run.output)}` }
    }
    const n = named(r, copy, f.file)
    return { loaded: n.loaded, ...(n.loaded ? {} : { refusal: describeOutcome(n) }), ...(n.info ? { info: n.info } : {}), ...(n.warning ? { warning: n.warning } : {}) }
  })
  const asNamed = files.map(({ file, plugin, pluginPath }) => ({ file, ...(plugin ? { plugin } : {}), ...(pluginPath ? { pluginPath } : {}) }))
  const check = infoCheckOf(base, o.settings, judgeInfos(asNamed, results, o.settings))
  for (const m of check.members) o.log(`${m.file}: ${m.reason ? `refused: ${m.reason}` : describeInfo(m.info)}`)
  o.log(`Info check: host built in ${built.seconds.toFixed(1)}s, ${files.length} files opened and read in ${seconds.toFixed(1)}s`)
  return check
}
