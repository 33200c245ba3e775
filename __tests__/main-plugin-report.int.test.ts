// End to end, the per-plugin report: one server release (the fixture server,
// released with its binaries; it links example.com/dep v1.0.0) and three
// plugins in one run. basic aligns (dep v1.1.0 -> v1.0.0), builds and is
// proven against the release binary; unresolvable cannot be aligned (newlib
// holds dep at v1.1.0); missing-symbol builds but does not load (no
// NewGotifyPluginInstance). Every plugin goes through every step, the report
// has a row per plugin, and required-plugins decides whether the run fails.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FIXTURES, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'

const REPO = 'gotify/server'
const TAG = 'v2.9.1'
const WITNESS = 'release binary gotify-linux-amd64.zip'
let world: World
beforeAll(async () => {
  world = await startWorld()
}, 600_000)
afterAll(async () => world?.close())

/** plugin/ (basic), broken/ (unresolvable), nosym/ (missing-symbol), as a workflow's checkouts would be. */
function threePlugins(): string {
  const workspace = checkoutPlugin('basic')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'unresolvable'), path.join(workspace, 'broken'), { recursive: true })
  fs.cpSync(path.join(FIXTURES, 'plugins', 'missing-symbol'), path.join(workspace, 'nosym'), { recursive: true })
  return workspace
}

const inputs = (required: string): Record<string, string> => ({
  'server-repository': REPO,
  'server-version': TAG,
  'plugin-path': 'plugin\nbroken\nnosym',
  'required-plugins': required,
  platforms: 'linux-amd64',
  token: 't',
  'go-env': world.goEnv
})

interface Row {
  plugin: string
  required: boolean
  aligned: { status: string; obstacle?: string }
  built: { status: string; error?: string }
  proven: { status: string; witness?: string; differing?: string[]; missingSymbols?: string[] }
  goModChanges: Array<{ module: string; from: string; to: string }>
  passed: boolean
  failure?: string
}

const warnings = (log: string): string[] => log.split('\n').filter(l => l.startsWith('::warning') && !l.includes('the plugin path'))

test('a plugin that cannot be aligned and one that does not load: every plugin is reported, and a required one that fails makes the run fail', async () => {
  const workspace = threePlugins()
  const broken = fs.readFileSync(path.join(workspace, 'broken', 'go.mod'), 'utf8')
  const run = await runAction({ inputs: inputs('broken'), workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.outputs.compatible).toBe('false')

  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.requiredPlugins).toEqual(['unresolvable'])
  const rows = report.pluginReport as Row[]
  expect(rows.map(r => [r.plugin, r.required, r.passed])).toEqual([
    ['basic', false, true],
    ['unresolvable', true, false],
    ['missingsymbol', false, false]
  ])
  const [basic, unresolvable, nosym] = rows
  // The other plugins went through every step: aligned, built, proven against the server's binary.
  expect(basic).toMatchObject({ aligned: { status: 'ok' }, built: { status: 'ok' }, proven: { status: 'ok', witness: WITNESS } })
  expect(basic.goModChanges).toEqual([{ module: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }])
  // The obstacle in one line, the module and what holds it named; nothing built for it.
  expect(unresolvable.aligned.status).toBe('failed')
  expect(unresolvable.aligned.obstacle).toMatch(/^example\.com\/dep cannot be aligned: the plugin links v1\.1\.0, above the server's v1\.0\.0, because .*example\.com\/newlib@v1\.0\.0/)
  expect(unresolvable).toMatchObject({ built: { status: 'not run' }, proven: { status: 'not run' }, goModChanges: [] })
  expect(nosym).toMatchObject({ aligned: { status: 'ok' }, built: { status: 'ok' }, proven: { status: 'failed', witness: WITNESS, missingSymbols: ['NewGotifyPluginInstance'] } })

  // The job summary: a row per plugin first, whose top lines (before any fold) name every plugin path; each plugin's steps folded below.
  const top = run.summary.slice(0, run.summary.indexOf('<details>'))
  for (const p of report.plugins as Array<{ pluginPath: string; path: string }>) expect(top).toContain(`<code>${p.pluginPath}</code>`)
  expect(top).toContain('| plugin | folder | plugin path | server v2.9.1 |')
  expect(run.summary).toMatch(/^\| :x: \*\*unresolvable\*\* \| <code>broken<\/code> \| <code>example\.com\/plugins\/unresolvable<\/code> \| \*\*fails\*\*: cannot be aligned: example\.com\/dep cannot be aligned: .* \|$/m)
  expect(run.summary).toMatch(/^\| \*\*basic\*\* \(not required\) \| <code>plugin<\/code> \| <code>example\.com\/plugins\/basic<\/code> \| passes \|$/m)
  expect(run.summary).toMatch(/^\| \*\*missingsymbol\*\* \(not required\) \| <code>nosym<\/code> \| .* \| fails \(not required\): does not load \(release binary gotify-linux-amd64\.zip\): missing symbols: NewGotifyPluginInstance \|$/m)
  expect(run.summary).toContain('Aligned: yes. Built: yes. Loads: yes (release binary gotify-linux-amd64.zip).')
  expect(run.summary).toContain('**Not compatible** (or not proven so): plugin **unresolvable** against server v2.9.1.')
  // The go.mod diff is headed by the plugin's folder.
  expect(run.summary).toContain('--- a/plugin/go.mod\n+++ b/plugin/go.mod')
  expect(run.log).toMatch(/^Plugin unresolvable, server v2\.9\.1: fails: cannot be aligned: example\.com\/dep cannot be aligned/m)
  expect(run.log).toMatch(/^Plugin basic, server v2\.9\.1: passes; go\.mod changes: example\.com\/dep v1\.1\.0 -> v1\.0\.0$/m)
  // The run fails for the required plugin only; the other failure is a warning.
  expect(run.errors.join('\n')).toMatch(/example\.com\/dep cannot be aligned/)
  expect(run.errors.join('\n')).not.toMatch(/NewGotifyPluginInstance/)
  expect(warnings(run.log).join('\n')).toMatch(/plugin missingsymbol is not in required-plugins/)
  expect(fs.readFileSync(path.join(workspace, 'broken', 'go.mod'), 'utf8')).toBe(broken)

  // What the proof stands for: the server's own plugin.Open loads basic's .so and cannot find missingsymbol's symbol.
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ plugin: string; path: string }>
  expect(artifacts.map(a => a.plugin)).toEqual(['basic', 'missingsymbol'])
  const server = world.serverAssets.find(a => a.platform.id === 'linux-amd64')?.binaryPath ?? ''
  expect(await runFixtureServer(server, 'linux-amd64', artifacts[0].path)).toMatchObject({ outcome: 'loaded' })
  expect(await runFixtureServer(server, 'linux-amd64', artifacts[1].path)).toMatchObject({ outcome: 'missing-symbol' })
}, 600_000)

test('only the plugin that passes is required: the run is compatible, the others are warnings, and their go.mod is left as it was', async () => {
  const workspace = threePlugins()
  const broken = fs.readFileSync(path.join(workspace, 'broken', 'go.mod'), 'utf8')
  const run = await runAction({ inputs: inputs('basic'), workspace, apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  expect(JSON.parse(run.outputs['by-server-version'])[TAG]).toMatchObject({ compatible: true })
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.requiredPlugins).toEqual(['basic'])
  expect((report.pluginReport as Row[]).map(r => [r.plugin, r.required, r.passed])).toEqual([
    ['basic', true, true],
    ['unresolvable', false, false],
    ['missingsymbol', false, false]
  ])
  const warned = warnings(run.log).join('\n')
  expect(warned).toMatch(/example\.com\/dep cannot be aligned/)
  expect(warned).toMatch(/plugin unresolvable is not in required-plugins/)
  expect(warned).toMatch(/plugin missingsymbol is not in required-plugins/)
  expect(run.summary).toContain('**Compatible.**')
  // The passing plugin's folder is left aligned; the one that cannot be aligned as it was.
  expect(fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')).toMatch(/example\.com\/dep v1\.0\.0/)
  expect(fs.readFileSync(path.join(workspace, 'broken', 'go.mod'), 'utf8')).toBe(broken)
}, 600_000)

test('required-plugins naming no plugin of the run is refused in one line, before anything is built', async () => {
  const workspace = threePlugins()
  const run = await runAction({ inputs: inputs('basic, nope'), workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([
    `::error::Input 'required-plugins': "nope" is no plugin of this run; accepted: plugin names or plugin-path folders of this run: basic (plugin), unresolvable (broken), missingsymbol (nosym)`
  ])
}, 600_000)

test('a plugin whose go.mod go cannot even read (a module no proxy has) does not stop the others', async () => {
  const workspace = checkoutPlugin('basic')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'missing-symbol'), path.join(workspace, 'gone'), { recursive: true })
  fs.writeFileSync(path.join(workspace, 'gone', 'go.mod'), 'module example.com/plugins/gone\n\ngo 1.21\n\nrequire (\n\texample.com/dep v1.0.0\n\texample.com/nowhere v1.0.0\n)\n')
  const goMod = fs.readFileSync(path.join(workspace, 'gone', 'go.mod'), 'utf8')
  const run = await runAction({ inputs: { ...inputs('basic'), 'plugin-path': 'plugin\ngone' }, workspace, apiUrl: world.github.url })
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  const rows = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8')).pluginReport as Row[]
  expect(rows.map(r => [r.plugin, r.passed])).toEqual([['basic', true], ['gone', false]])
  expect(rows[0]).toMatchObject({ aligned: { status: 'ok' }, built: { status: 'ok' }, proven: { status: 'ok', witness: WITNESS } })
  expect(rows[1]).toMatchObject({ aligned: { status: 'failed', obstacle: expect.stringMatching(/example\.com\/nowhere/) }, built: { status: 'not run' } })
  expect(warnings(run.log).join('\n')).toMatch(/plugin gone is not in required-plugins/)
  expect(fs.readFileSync(path.join(workspace, 'gone', 'go.mod'), 'utf8')).toBe(goMod)
}, 600_000)
