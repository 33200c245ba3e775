// End to end, plugins that share a plugin path (forks of gotify/plugin-template
// that keep its module path, with packages of their own at the same paths and
// other code) in one run, against the fixture server's release binaries. The
// action builds each from a copy under a module path of its own
// (rewrite-module-paths auto), the set proof says they load together, and the
// fixture server's real plugin.Open agrees; the workspace keeps its module
// paths. With the input never, or names the user gave twice, every conflict of
// the run is refused in one line before anything is built.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type World, fileTree, runAction, startWorld } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'
import { TEMPLATE, linkSharedFolder, templateFork as fork, templateForks as forks } from './support/template-forks.js'

const TAG = 'v2.9.1'
let world: World
beforeAll(async () => {
  world = await startWorld()
}, 600_000)
afterAll(async () => world?.close())

const inputs = (pluginPath: string, more: Record<string, string> = {}): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'server-version': TAG,
  'plugin-path': pluginPath,
  platforms: 'linux-amd64',
  token: 't',
  'go-env': world.goEnv,
  ...more
})
const serverBinary = (): string => world.serverAssets.find(a => a.platform.id === 'linux-amd64')?.binaryPath ?? ''

test('two template forks: each built under a module path of its own, the set loads, and the real server loads both; the workspace keeps its module paths', async () => {
  const workspace = forks(['webhook', 'ntfy'])
  // ntfy needs alignment (dep v1.1.0 -> the server's v1.0.0) and links a module by a folder beside it (replace ../shared).
  fork(workspace, 'ntfy', 'ntfy', 'v1.1.0')
  linkSharedFolder(workspace, 'ntfy')
  const before = fileTree(workspace)

  const run = await runAction({ inputs: inputs('webhook\nntfy', { ldflags: `-w -s -X ${TEMPLATE}/config.Build=ci` }), workspace, apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  expect(run.log).toMatch(new RegExp(`Plugin webhook: built under the module path ${TEMPLATE}~webhook \\(plugin path ${TEMPLATE}~webhook\\) from a copy of its folder, since ntfy has its plugin path ${TEMPLATE} too; its own files keep ${TEMPLATE}`))
  expect(run.log).toMatch(/\[module path ntfy\] its build copy is module github\.com\/gotify\/plugin-template~ntfy: go\.mod's module line, and the imports of its own packages in 1 \.go file \(plugin\.go\)/)

  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.builtAs).toEqual([
    { plugin: 'webhook', modulePath: `${TEMPLATE}~webhook`, pluginPath: `${TEMPLATE}~webhook`, why: `ntfy has its plugin path ${TEMPLATE} too` },
    { plugin: 'ntfy', modulePath: `${TEMPLATE}~ntfy`, pluginPath: `${TEMPLATE}~ntfy`, why: `webhook has its plugin path ${TEMPLATE} too` }
  ])
  expect(report.sets).toEqual([expect.objectContaining({ status: 'loaded', members: [expect.objectContaining({ pluginPath: `${TEMPLATE}~ntfy` }), expect.objectContaining({ pluginPath: `${TEMPLATE}~webhook` })] })])
  expect(run.summary).toContain(`**webhook** as <code>${TEMPLATE}~webhook</code>, **ntfy** as <code>${TEMPLATE}~ntfy</code>`)

  // The user's files: only go.mod and go.sum as alignment leaves them without copies (ntfy's dep moved); module paths and imports untouched.
  const after = fileTree(workspace)
  const changed = Object.keys(after).filter(f => after[f] !== before[f] && !f.startsWith('build'))
  expect(changed.filter(f => !/^(webhook|ntfy)\/go\.sum$/.test(f))).toEqual(['ntfy/go.mod'])
  expect(after['ntfy/go.mod']).toMatch(new RegExp(`^module ${TEMPLATE}\n[^]*example\\.com/dep v1\\.0\\.0[^]*replace example\\.com/shared => \\.\\./shared`))
  expect(after['webhook/plugin.go']).toContain(`"${TEMPLATE}/config"`)

  // What the proof stands for: the fixture server opens both, in either order, each with its own package (and the -X value).
  const files = JSON.parse(run.outputs.artifacts) as Array<{ plugin: string; path: string }>
  const [webhook, ntfy] = ['webhook', 'ntfy'].map(n => files.find(f => f.plugin === n)?.path ?? '')
  const both = await runFixtureServer(serverBinary(), 'linux-amd64', [webhook, ntfy])
  expect(both).toMatchObject({ outcome: 'loaded' })
  expect(both.output).toContain('loaded: webhook ci 7 a fork, ')
  expect(both.output).toContain('loaded: ntfy ci 7 a fork, ')
  expect(await runFixtureServer(serverBinary(), 'linux-amd64', [ntfy, webhook])).toMatchObject({ outcome: 'loaded' })
}, 900_000)

test('a build copy that does not compile: the annotation points at the user file, naming the module path the user wrote', async () => {
  const workspace = forks(['good', 'bad'])
  fs.writeFileSync(path.join(workspace, 'bad', 'unused.go'), `package main\n\nimport "${TEMPLATE}/config"\n`)
  const run = await runAction({ inputs: inputs('good\nbad', { 'required-plugins': 'good' }), workspace, apiUrl: world.github.url })
  expect(run.code).toBe(0)
  expect(run.log).toMatch(new RegExp(`::warning .*file=bad/unused\\.go,line=3,.*::.*"${TEMPLATE.replace(/\./g, '\\.')}/config" imported and not used`))
  expect(run.log).not.toMatch(/::warning .*plugin-template~bad/)
}, 900_000)

test('every conflict of a many-plugin set in one run: with rewrite-module-paths never one line names them all; with auto only the names the user gave twice; fixed, all load together', async () => {
  // Three forks on the template path; two pairs of plugins named alike by default (gotify-webhook, gotify-matrix); two names given alike.
  const workspace = forks(['t1', 't2', 't3'])
  const own = (folder: string, module: string): void => {
    fork(workspace, folder, folder)
    const goMod = path.join(workspace, folder, 'go.mod')
    fs.writeFileSync(goMod, fs.readFileSync(goMod, 'utf8').replace(`module ${TEMPLATE}`, `module ${module}`))
    for (const f of ['plugin.go']) {
      const file = path.join(workspace, folder, f)
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`"${TEMPLATE}/config"`, `"${module}/config"`))
    }
  }
  own('a/webhook', 'github.com/a/gotify-webhook')
  own('b/webhook', 'github.com/b/gotify-webhook')
  own('a/matrix', 'github.com/a/gotify-matrix')
  own('b/matrix', 'github.com/b/gotify-matrix')
  own('x', 'github.com/x/x')
  own('y', 'github.com/y/y')
  const folders = 't1\nt2\nt3\na/webhook\nb/webhook\na/matrix\nb/matrix\nx\ny'
  const names = ',,,,,,,same,same'
  const before = fileTree(workspace)

  const never = await runAction({ inputs: inputs(folders, { 'plugin-name': names, 'rewrite-module-paths': 'never' }), workspace, apiUrl: world.github.url })
  expect(never.code).toBe(1)
  expect(never.errors).toEqual([
    `::error::Input 'plugin-path': the plugins cannot share one server: t1, t2 and t3 build the same plugin path ${TEMPLATE} (module ${TEMPLATE}): plugin.Open refuses all but the first (plugin already loaded); x and y are both named same by plugin-name: their files would have one name; accepted: plugins whose main packages have import paths of their own: rewrite-module-paths auto (each built under a module path of its own) or a module path of its own in each go.mod; and a different plugin-name per plugin (an empty entry keeps the default, as in a,,c)`
  ])
  // The default names that clashed were made distinct, not refused.
  expect(never.log).toContain('Plugin b/webhook: named b-webhook after its folder (its default name gotify-webhook is another plugin\'s too; plugin-name sets it)')

  const auto = await runAction({ inputs: inputs(folders, { 'plugin-name': names }), workspace, apiUrl: world.github.url })
  expect(auto.errors).toEqual([
    "::error::Input 'plugin-name': the plugins cannot share one server: x and y are both named same by plugin-name: their files would have one name; accepted: a different plugin-name per plugin (an empty entry keeps the default, as in a,,c)"
  ])
  expect(fileTree(workspace)).toEqual(before)

  const fixed = await runAction({ inputs: inputs(folders, { 'plugin-name': ',,,,,,,ex,why' }), workspace, apiUrl: world.github.url })
  expect(fixed.errors).toEqual([])
  expect(fixed.outputs.compatible).toBe('true')
  const artifacts = JSON.parse(fixed.outputs.artifacts) as Array<{ plugin: string; name: string; path: string }>
  expect(artifacts.map(a => a.plugin)).toEqual(['t1', 't2', 't3', 'a-webhook', 'b-webhook', 'a-matrix', 'b-matrix', 'ex', 'why'])
  const report = JSON.parse(fs.readFileSync(fixed.outputs['compat-report'], 'utf8'))
  expect(report.builtAs.map((b: { plugin: string; pluginPath: string }) => [b.plugin, b.pluginPath])).toEqual([
    ['t1', `${TEMPLATE}~t1`],
    ['t2', `${TEMPLATE}~t2`],
    ['t3', `${TEMPLATE}~t3`]
  ])
  expect(report.sets).toEqual([expect.objectContaining({ status: 'loaded' })])
  // The fixture server loads all nine, in the server's order (their names).
  const all = await runFixtureServer(serverBinary(), 'linux-amd64', [...artifacts].sort((p, q) => (p.name < q.name ? -1 : 1)).map(a => a.path))
  expect(all.outcome).toBe('loaded')
  expect(all.output.match(/^loaded: /gm)).toHaveLength(9)
}, 1_200_000)
