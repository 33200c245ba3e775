/**
 * A plugin whose `go` line is newer than the server's Go is refused (the
 * server's Go will not build it). Whether lowering the line is enough is
 * tried, not guessed: in a scratch copy of the plugin the line is lowered to
 * the server's Go, the copy is aligned like the plugin would be, and compiled
 * with the server's Go (linux-amd64's build image, or the native Go). The
 * refusal then says "lowering the go line to X ships: tried", or what still
 * blocks it (a module, its version and its go line; a compiler error). The
 * plugin's own files are never touched, and the trial has a time limit.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type GoRunner, modModFlag } from '../go-runner/runner.js'
import { parseGoVersion } from '../go-version.js'
import { copyPlugin } from '../plugin/plugin-copy.js'
import { type AlignOptions, alignPlugin } from './align.js'
import { goCommand } from './go-command.js'
import { parseGoMod } from '../go-mod.js'

/** Long enough to align and compile a plugin with gin on a cold cache, on two cores. */
export const TRIAL_SECONDS = 300

/** Pure: the go line the server's Go takes: its release from 1.21 on (`1.21.1`), else its language version (`1.16`). */
export function goLineFor(serverGo: string): string {
  const v = parseGoVersion(serverGo)
  if (!v) return serverGo
  return v.minor >= 21 || v.major > 1 ? `${v.major}.${v.minor}.${v.patch}` : `${v.major}.${v.minor}`
}

/** Pure: the local directories the go.mod's replace directives name (`./x`, `../x`), which a copy elsewhere must name absolutely. */
export function localReplaces(goModText: string): Array<{ old: string; dir: string }> {
  return parseGoMod(goModText).replaces.filter(r => r.new.version === undefined && /^\.\.?(\/|$)/.test(r.new.path)).map(r => ({ old: r.old.version ? `${r.old.path}@${r.old.version}` : r.old.path, dir: r.new.path }))
}

export interface TrialOptions extends Omit<AlignOptions, 'signal' | 'pluginDir' | 'scratchDir'> {
  pluginDir: string
  /** A folder of the version's own, visible to go like the plugin's. */
  scratchDir: string
  timeoutSeconds?: number
}

/** One sentence for the refusal: what lowering the go line to the server's Go did in a copy. */
export async function tryLoweringGoLine(server: GoRunner, o: TrialOptions): Promise<string> {
  const to = goLineFor(o.server.goVersion)
  const limit = o.timeoutSeconds ?? TRIAL_SECONDS
  const signal = AbortSignal.timeout(limit * 1000)
  const root = path.join(o.scratchDir, 'go-line-trial')
  const copy = path.join(root, 'plugin')
  const reading = o.reading ?? server
  const log = (line: string): void => o.log(`[trial: go ${to}] ${line}`)
  try {
    copyPlugin(o.pluginDir, copy, [])
    const goMod = fs.readFileSync(path.join(copy, 'go.mod'), 'utf8')
    // The copy lies elsewhere: its local replaces name the folders the plugin's name, as go sees them.
    const replaces = localReplaces(goMod).map(r => `-replace=${r.old}=${path.posix.resolve(reading.pathOf(o.pluginDir), r.dir)}`)
    await goCommand(reading, copy, ['mod', 'edit', `-go=${to}`, ...(parseGoMod(goMod).toolchain ? ['-toolchain=none'] : []), ...replaces], { signal })
    const aligned = await alignPlugin(server, { ...o, pluginDir: copy, scratchDir: path.join(root, 'scratch'), signal, log })
    if (aligned.conflicts.length > 0) return `lowering the go line to ${to} does not ship (tried in a copy): ${aligned.conflicts[0].message}`
    const pkg = o.linking.package === '.' || o.linking.package.startsWith('./') ? o.linking.package : `./${o.linking.package}`
    const out = server.pathOf(path.join(root, 'trial.so'))
    const r = await server.go(['build', '-buildmode=plugin', ...modModFlag(o.server.goVersion), '-o', out, pkg], { dir: copy, env: { GOWORK: 'off', CGO_ENABLED: '1' }, signal })
    if (r.code === 0) return `lowering the go line to ${to} ships: tried (in a copy, aligned and compiled with go ${o.server.goVersion}; the plugin's go.mod is unchanged)`
    if (signal.aborted) return undecided(to, limit)
    const first = r.stderr.split('\n').map(l => l.trim()).find(l => l !== '' && !l.startsWith('#') && !/^go: (downloading|finding)/.test(l))
    return `lowering the go line to ${to} does not ship (tried in a copy): it does not compile with go ${o.server.goVersion}: ${first ?? 'go build failed'}`
  } catch (e) {
    if (signal.aborted) return undecided(to, limit)
    return `lowering the go line to ${to} could not be tried: ${(e as Error).message.split('\n')[0]}`
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

const undecided = (to: string, seconds: number): string => `whether lowering the go line to ${to} ships was not decided within ${seconds} s (the trial's time limit)`
