/**
 * The edge of across-plugins.ts, per server version, after every plugin was
 * aligned with it: read what each plugin links (`go list -deps`) at which
 * version (`go list -m all`), `go get` the chosen versions and tidy in the
 * plugins below them, then check each module really is at its version and no
 * module the server pins moved. A failure puts the moved plugins' go.mod and
 * go.sum back and becomes one conflict per module in every plugin involved;
 * a move Go refuses (`go get` fails) is a conflict of that plugin alone.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type GoRunner, modModFlag } from '../go-runner/runner.js'
import { type Alignment, GoFailure } from './align.js'
import { acrossPluginsFailures, movesByPlugin, planAcrossPlugins, type AfterMove } from './across-plugins.js'
import { findChain } from './explain.js'
import { type ListedModule, parseGoMod, parseModGraph, parseModuleList, unifiedDiff } from './gomod.js'
import { type LinkingOptions, linkedModules } from './linked.js'
import { sharedModules, unaligned } from './plan.js'

export interface PluginAtVersion {
  name: string
  /** The server's Go: it tidies and lists. */
  go: GoRunner
  /** Moves versions (`go get`): the newest Go at hand (go-runner/reading-go.ts); default `go`. */
  reading?: GoRunner
  /** The folder of its go.mod aligned with this server version (the workspace's or a copy). */
  dir: string
  linking: LinkingOptions
  /** Its alignment with the server: changes and conflicts are added here. */
  alignment: Alignment
}

const ENV = { GOWORK: 'off' }

async function goOut(go: GoRunner, dir: string, args: string[], log?: (line: string) => void): Promise<string> {
  log?.(`go ${args.join(' ')}`)
  const r = await go.go(args, { dir, env: ENV })
  if (r.code !== 0) throw new GoFailure(args, r.stderr, dir)
  return r.stdout
}

interface Observed {
  list: { main: string; modules: ListedModule[] }
  linked?: Set<string>
}

async function observe(p: PluginAtVersion, goVersion: string): Promise<Observed> {
  const list = parseModuleList(await goOut(p.go, p.dir, ['list', '-m', ...modModFlag(goVersion), 'all']))
  const listed = await linkedModules(p.go, p.dir, goVersion, p.linking, ENV)
  return { list, linked: listed instanceof Set ? listed : undefined }
}

/** The go and toolchain lines of `before` (the plugin's go.mod before the move), put back where a newer Go changed them. */
async function keepGoLines(p: PluginAtVersion, before: Buffer | undefined): Promise<void> {
  if (!p.reading || !before) return
  const was = parseGoMod(before.toString('utf8'))
  const now = parseGoMod(fs.readFileSync(path.join(p.dir, 'go.mod'), 'utf8'))
  const edits = [
    ...(now.go?.version !== was.go?.version ? [`-go=${was.go?.version ?? 'none'}`] : []),
    ...(now.toolchain?.name !== was.toolchain?.name ? [`-toolchain=${was.toolchain?.name ?? 'none'}`] : [])
  ]
  if (edits.length > 0) await goOut(p.reading, p.dir, ['mod', 'edit', ...edits])
}

const linkedOf = (o: Observed): ListedModule[] => o.list.modules.filter(m => !o.linked || o.linked.has(m.path))

/** Gives every module two or more plugins link (and the server does not) one version; returns the log lines of what moved. */
export async function alignAcrossPlugins(plugins: PluginAtVersion[], server: { goVersion: string }, log: (plugin: string, line: string) => void): Promise<void> {
  if (plugins.length < 2) return
  const { goVersion } = server
  const serverModules = plugins[0].alignment.serverModules
  const before = await Promise.all(plugins.map(p => observe(p, goVersion)))
  const plan = planAcrossPlugins(
    plugins.map((p, i) => ({ name: p.name, linked: linkedOf(before[i]) })),
    serverModules
  )
  const failures = plan.unalignable.map(u => ({ names: u.plugins.map(x => x.name), message: u.message }))
  const moves = movesByPlugin(plan)
  const saved = new Map<string, { mod: Buffer; sum?: Buffer }>()
  const after: AfterMove[] = []
  for (const [i, p] of plugins.entries()) {
    const targets = moves.get(p.name) ?? []
    let now = before[i]
    if (targets.length > 0) {
      const sumPath = path.join(p.dir, 'go.sum')
      saved.set(p.name, { mod: fs.readFileSync(path.join(p.dir, 'go.mod')), sum: fs.existsSync(sumPath) ? fs.readFileSync(sumPath) : undefined })
      try {
        await goOut(p.reading ?? p.go, p.dir, ['get', ...targets.map(t => `${t.path}@${t.version}`)], line => log(p.name, line))
        // A newer Go may raise the go line or add a toolchain line: put back, then the server's Go tidies.
        await keepGoLines(p, saved.get(p.name)?.mod)
        await goOut(p.go, p.dir, ['mod', 'tidy'], line => log(p.name, line))
        now = await observe(p, goVersion)
      } catch (e) {
        // Go refused the move (e.g. the version needs a newer Go): this plugin's conflict, not the end of the run.
        if (!(e instanceof GoFailure)) throw e
        const named = targets.find(t => e.stderr.includes(`${t.path}@`)) ?? targets[0]
        failures.push({ names: [p.name], message: `${named.path}: ${p.name} cannot move to ${targets.map(t => `${t.path}@${t.version}`).join(', ')}: ${e.message}` })
        continue
      }
    }
    // What alignment made the server's and is no longer.
    const wasAligned = new Set(sharedModules(before[i].list.modules, serverModules, before[i].linked).filter(s => s.linked && s.plugin === s.server).map(s => s.path))
    const serverMoved = unaligned(sharedModules(now.list.modules, serverModules, now.linked))
      .filter(s => wasAligned.has(s.path))
      .map(s => ({ path: s.path, server: s.server, now: s.plugin }))
    after.push({ name: p.name, selected: new Map(now.list.modules.map(m => [m.path, m.version])), serverMoved })
  }

  // What holds a plugin's version of a module: its chain of requirements, read only when something failed.
  const graphs = new Map<string, ReturnType<typeof parseModGraph>>()
  const holds = async (name: string, module: string): Promise<string | undefined> => {
    const p = plugins.find(x => x.name === name)
    const a = after.find(x => x.name === name)
    if (!p || !a) return undefined
    const version = a.selected.get(module)
    if (!version) return undefined
    if (!graphs.has(name)) graphs.set(name, parseModGraph(await goOut(p.go, p.dir, ['mod', 'graph']).catch(() => '')))
    const main = before[plugins.indexOf(p)].list.main
    const chain = findChain(graphs.get(name) ?? [], main, { path: module, version }, a.selected)
    return chain.length > 1 ? chain.join(' → ') : undefined
  }
  const pre = acrossPluginsFailures(plan, after, () => undefined)
  if (pre.length > 0) {
    const chains = new Map<string, string | undefined>()
    for (const m of plan.modules) for (const u of m.plugins) chains.set(`${u.name} ${m.path}`, await holds(u.name, m.path))
    for (const line of acrossPluginsFailures(plan, after, (n, m) => chains.get(`${n} ${m}`))) {
      const mod = line.split(' ')[0]
      failures.push({ names: plan.modules.find(m => m.path === mod)?.plugins.map(u => u.name) ?? [], message: line })
    }
  }

  if (failures.length > 0) {
    for (const [name, files] of saved) {
      const dir = plugins.find(p => p.name === name)!.dir
      fs.writeFileSync(path.join(dir, 'go.mod'), files.mod)
      if (files.sum === undefined) fs.rmSync(path.join(dir, 'go.sum'), { force: true })
      else fs.writeFileSync(path.join(dir, 'go.sum'), files.sum)
    }
    for (const f of failures) {
      for (const p of plugins.filter(x => f.names.includes(x.name))) {
        const mod = f.message.split(/[: ]/)[0]
        p.alignment.conflicts.push({ path: mod, server: 'none', plugin: '', chain: [], message: `across plugins: ${f.message}`, location: { file: p.alignment.goModPath } })
      }
    }
    return
  }
  for (const p of plugins) {
    const files = saved.get(p.name)
    if (!files) continue
    const goMod = fs.readFileSync(path.join(p.dir, 'go.mod'), 'utf8')
    for (const m of plan.modules.filter(x => x.moves.includes(p.name))) {
      const from = m.plugins.find(u => u.name === p.name)?.version ?? ''
      const reason = `one version across plugins: ${m.plugins.map(u => `${u.name} ${u.version}`).join(', ')}`
      p.alignment.changes.push({ path: m.path, from, to: m.version, reason })
      log(p.name, `${m.path}: ${from} → ${m.version} (${reason})`)
    }
    const diff = unifiedDiff(files.mod.toString('utf8'), goMod, 'go.mod')
    p.alignment.changed = true
    p.alignment.diff = [p.alignment.diff, diff].filter(d => d !== '').join('\n')
  }
}
