/**
 * The edge of across-plugins.ts, per server version, after every plugin was
 * aligned with it: read what each plugin links (`go list -deps`) at which
 * version (`go list -m all`), `go get` the chosen versions and tidy in the
 * plugins below (or above) them, then check each module really is at its
 * version and no module the server pins moved. A failure puts the moved
 * plugins' go.mod and go.sum back, and then:
 * - a module a neighbour's version was asked for is tried again without it
 *   (the set proof then tells that neighbour's owner to rebuild it);
 * - a conflict between required plugins and plugins not in required-plugins
 *   leaves the latter out (their one conflict, a warning) and the rest is
 *   tried again: the required ones go on;
 * - else it becomes one conflict per module in every plugin involved; a move
 *   Go refuses (`go get` fails) is a conflict of that plugin alone.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type GoRunner, modModFlag } from '../go-runner/runner.js'
import { type Alignment, GoFailure } from './align.js'
import { type AcrossPluginsPlan, type AfterMove, type NeighbourMismatch, type PluginLinks, acrossPluginsFailures, movesByPlugin, planAcrossPlugins } from './across-plugins.js'
import { findChain } from './explain.js'
import { type ListedModule, parseGoMod, parseModGraph, parseModuleList, unifiedDiff } from '../go-mod.js'
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

export interface AcrossOptions {
  goVersion: string
  /** The neighbours' files for this version (with-plugins): never moved, the plugins follow their versions. */
  neighbours?: PluginLinks[]
  /** A plugin not in required-plugins: a conflict it has with a required one leaves it out of the set. */
  droppable?: (name: string) => boolean
  log: (plugin: string, line: string) => void
}

export interface AcrossOutcome {
  /** Plugins left out of the set (not required), and the conflict they had with required ones. */
  dropped: Array<{ name: string; why: string }>
  /** Modules whose neighbour's version the plugins do not have, and why. */
  unmatched: NeighbourMismatch[]
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

interface Failure {
  /** The plugins the conflict is theirs (each gets it when the run stops here). */
  names: string[]
  /** The plugins that did not take the version. */
  wrong: string[]
  module: string
  message: string
}

interface Attempt {
  plan: AcrossPluginsPlan
  failures: Failure[]
  saved: Map<string, { mod: Buffer; sum?: Buffer }>
}

/** Moves every plugin to the plan's versions; what went wrong, per module. */
async function attempt(plugins: PluginAtVersion[], before: Map<string, Observed>, o: AcrossOptions, free: Set<string>): Promise<Attempt> {
  const serverModules = plugins[0].alignment.serverModules
  const plan = planAcrossPlugins(plugins.map(p => ({ name: p.name, linked: linkedOf(before.get(p.name)!) })), serverModules, o.neighbours, free)
  const failures: Failure[] = plan.unalignable.map(u => ({ names: u.plugins.map(x => x.name), wrong: u.plugins.filter(x => x.replace).map(x => x.name), module: u.path, message: u.message }))
  const moves = movesByPlugin(plan)
  const saved = new Map<string, { mod: Buffer; sum?: Buffer }>()
  const after: AfterMove[] = []
  for (const p of plugins) {
    const targets = moves.get(p.name) ?? []
    const was = before.get(p.name)!
    let now = was
    if (targets.length > 0) {
      const sumPath = path.join(p.dir, 'go.sum')
      saved.set(p.name, { mod: fs.readFileSync(path.join(p.dir, 'go.mod')), sum: fs.existsSync(sumPath) ? fs.readFileSync(sumPath) : undefined })
      try {
        await goOut(p.reading ?? p.go, p.dir, ['get', ...targets.map(t => `${t.path}@${t.version}`)], line => o.log(p.name, line))
        // A newer Go may raise the go line or add a toolchain line: put back, then the server's Go tidies.
        await keepGoLines(p, saved.get(p.name)?.mod)
        await goOut(p.go, p.dir, ['mod', 'tidy'], line => o.log(p.name, line))
        now = await observe(p, o.goVersion)
      } catch (e) {
        // Go refused the move (e.g. the version needs a newer Go): this plugin's conflict, not the end of the run.
        if (!(e instanceof GoFailure)) throw e
        const named = targets.find(t => e.stderr.includes(`${t.path}@`)) ?? targets[0]
        failures.push({ names: [p.name], wrong: [p.name], module: named.path, message: `${named.path}: ${p.name} cannot move to ${targets.map(t => `${t.path}@${t.version}`).join(', ')}: ${e.message}` })
        continue
      }
    }
    // What alignment made the server's and is no longer.
    const wasAligned = new Set(sharedModules(was.list.modules, serverModules, was.linked).filter(s => s.linked && s.plugin === s.server).map(s => s.path))
    const serverMoved = unaligned(sharedModules(now.list.modules, serverModules, now.linked))
      .filter(s => wasAligned.has(s.path))
      .map(s => ({ path: s.path, server: s.server, now: s.plugin }))
    after.push({ name: p.name, selected: new Map(now.list.modules.map(m => [m.path, m.version])), serverMoved })
  }
  if (acrossPluginsFailures(plan, after, () => undefined).length > 0) {
    // What holds a plugin's version of a module: its chain of requirements, read only when something failed.
    const chains = new Map<string, string | undefined>()
    const graphs = new Map<string, ReturnType<typeof parseModGraph>>()
    for (const m of plan.modules) for (const u of m.plugins) chains.set(`${u.name} ${m.path}`, await holds(plugins.find(p => p.name === u.name)!, before.get(u.name)!, after, m.path, graphs))
    for (const f of acrossPluginsFailures(plan, after, (n, m) => chains.get(`${n} ${m}`))) failures.push({ names: f.plugins, wrong: f.wrong, module: f.module, message: f.message })
  }
  return { plan, failures, saved }
}

async function holds(p: PluginAtVersion, was: Observed, after: AfterMove[], module: string, graphs: Map<string, ReturnType<typeof parseModGraph>>): Promise<string | undefined> {
  const selected = after.find(x => x.name === p.name)?.selected
  const version = selected?.get(module)
  if (!selected || !version) return undefined
  if (!graphs.has(p.name)) graphs.set(p.name, parseModGraph(await goOut(p.go, p.dir, ['mod', 'graph']).catch(() => '')))
  const chain = findChain(graphs.get(p.name) ?? [], was.list.main, { path: module, version }, selected)
  return chain.length > 1 ? chain.join(' → ') : undefined
}

function putBack(plugins: PluginAtVersion[], saved: Attempt['saved']): void {
  for (const [name, files] of saved) {
    const dir = plugins.find(p => p.name === name)!.dir
    fs.writeFileSync(path.join(dir, 'go.mod'), files.mod)
    if (files.sum === undefined) fs.rmSync(path.join(dir, 'go.sum'), { force: true })
    else fs.writeFileSync(path.join(dir, 'go.sum'), files.sum)
  }
}

const conflictOf = (p: PluginAtVersion, module: string, message: string): void => {
  p.alignment.conflicts.push({ path: module, server: 'none', plugin: '', chain: [], message: `across plugins: ${message}`, location: { file: p.alignment.goModPath } })
}

/** Gives every module two or more plugins (or a plugin and a neighbour) link, and the server does not, one version. */
export async function alignAcrossPlugins(plugins: PluginAtVersion[], o: AcrossOptions): Promise<AcrossOutcome> {
  const out: AcrossOutcome = { dropped: [], unmatched: [] }
  const neighbours = o.neighbours ?? []
  if (plugins.length + neighbours.length < 2 || plugins.length === 0) return out
  // Observed once: a failed attempt puts every file back as it was.
  const before = new Map(await Promise.all(plugins.map(async p => [p.name, await observe(p, o.goVersion)] as const)))
  const free = new Set<string>()
  let members = plugins
  const required = (name: string): boolean => !o.droppable?.(name)
  for (;;) {
    const a = await attempt(members, before, o, free)
    const users = (f: Failure): string[] => [...new Set([...f.names, ...(a.plan.modules.find(m => m.path === f.module)?.plugins.map(u => u.name) ?? [])])]
    const drops = new Map<string, Failure>()
    let freed = false
    for (const f of a.failures) {
      const all = users(f)
      const fixed = a.plan.modules.find(m => m.path === f.module)?.neighbours
      if (fixed) {
        // A neighbour's version: the plugins that cannot take it and are not required are left out (the others follow the
        // neighbour); else every plugin keeps its own, and the set proof tells the neighbour's owner to rebuild it.
        if (f.wrong.length > 0 && !f.wrong.some(required) && all.some(required)) for (const n of f.wrong) drops.set(n, f)
        else if (!free.has(f.module)) {
          free.add(f.module)
          freed = true
          const m = a.plan.modules.find(x => x.path === f.module)!
          out.unmatched.push({ path: m.path, neighbour: fixed.map(n => n.name).join(', '), version: m.version, plugins: m.plugins, why: f.message })
        }
      } else if (all.some(required) && all.some(n => !required(n))) {
        // Required plugins held back by plugins not required: those are left out.
        for (const n of all.filter(x => !required(x))) drops.set(n, f)
      }
    }
    if (drops.size > 0 || freed) {
      putBack(members, a.saved)
      for (const [n, f] of drops) {
        const why = `${f.message}; left out of the set: not in required-plugins, and the required ${users(f).filter(required).join(', ')} link ${f.module} too`
        conflictOf(members.find(p => p.name === n)!, f.module, why)
        out.dropped.push({ name: n, why })
      }
      members = members.filter(p => !drops.has(p.name))
      if (members.length + neighbours.length < 2 || members.length === 0) return out
      continue
    }
    out.unmatched.push(...a.plan.unmatched)
    if (a.failures.length > 0) {
      putBack(members, a.saved)
      for (const f of a.failures) for (const p of members.filter(x => f.names.includes(x.name))) conflictOf(p, f.module, f.message)
      return out
    }
    for (const p of members) {
      const files = a.saved.get(p.name)
      if (!files) continue
      const goMod = fs.readFileSync(path.join(p.dir, 'go.mod'), 'utf8')
      for (const m of a.plan.modules.filter(x => x.moves.includes(p.name))) {
        const from = m.plugins.find(u => u.name === p.name)?.version ?? ''
        const why = m.neighbours ? `the version of the neighbour ${m.neighbours.map(n => n.name).join(', ')}, which is not rebuilt` : `one version across plugins: ${m.plugins.map(u => `${u.name} ${u.version}`).join(', ')}`
        p.alignment.changes.push({ path: m.path, from, to: m.version, reason: why })
        o.log(p.name, `${m.path}: ${from} → ${m.version} (${why})`)
      }
      const diff = unifiedDiff(files.mod.toString('utf8'), goMod, 'go.mod')
      p.alignment.changed = true
      p.alignment.diff = [p.alignment.diff, diff].filter(d => d !== '').join('\n')
    }
    return out
  }
}
