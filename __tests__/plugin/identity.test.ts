import { nameFromFolder, resolvePluginIdentities } from '../../src/plugin/identity.js'
import { pluginImportPath } from '../../src/plugin/module.js'

const TEMPLATE = 'github.com/gotify/plugin-template'
const plugin = (dir: string, modulePath: string, name: string, o: { pkg?: string; given?: boolean } = {}) => ({
  dir: dir === '.' ? '/ws' : `/ws/${dir}`,
  goModPath: `/ws/${dir}/go.mod`,
  modulePath,
  name,
  package: o.pkg ?? '.',
  pluginPath: pluginImportPath({ modulePath, package: o.pkg ?? '.' }),
  nameGiven: o.given ?? false
})

test('the plugin path is the module path and the package folder', () => {
  expect(pluginImportPath({ modulePath: 'example.com/p', package: '.' })).toBe('example.com/p')
  expect(pluginImportPath({ modulePath: 'example.com/p', package: './cmd/x/' })).toBe('example.com/p/cmd/x')
})

test('rewrite-module-paths never: every group sharing a plugin path, with all its folders, and every given name clash in one line', () => {
  const plugins = [
    plugin('one', TEMPLATE, 'one', { given: true }),
    plugin('two', TEMPLATE, 'two', { given: true }),
    plugin('three', TEMPLATE, 'three', { given: true }),
    plugin('x', 'example.com/x', 'same', { given: true }),
    plugin('y', 'example.com/y', 'same', { given: true }),
    plugin('m1', 'example.com/m', 'm1', { given: true }),
    plugin('m2', 'example.com/m', 'm2', { given: true })
  ]
  expect(resolvePluginIdentities(plugins, '/ws', 'never').refusal?.message).toBe(
    "Input 'plugin-path': the plugins cannot share one server: one, two and three build the same plugin path github.com/gotify/plugin-template (module github.com/gotify/plugin-template): plugin.Open refuses all but the first (plugin already loaded); m1 and m2 build the same plugin path example.com/m (module example.com/m): plugin.Open refuses all but the first (plugin already loaded); x and y are both named same by plugin-name: their files would have one name; accepted: plugins whose main packages have import paths of their own: rewrite-module-paths auto (each built under a module path of its own) or a module path of its own in each go.mod; and a different plugin-name per plugin (an empty entry keeps the default, as in a,,c)"
  )
  // Same module, other main packages: other plugin paths.
  expect(resolvePluginIdentities([plugin('one', 'example.com/m', 'one', { pkg: './a' }), plugin('two', 'example.com/m', 'two', { pkg: './b' })], '/ws', 'never').refusal).toBeUndefined()
})

test('with rewrite-module-paths auto a shared plugin path is no refusal; a clash of names the user gave still is', () => {
  const shared = [plugin('one', TEMPLATE, 'plugin-template'), plugin('two', TEMPLATE, 'two', { given: true })]
  expect(resolvePluginIdentities(shared, '/ws', 'auto').plugins.map(p => p.name)).toEqual(['plugin-template', 'two'])
  expect(resolvePluginIdentities([plugin('x/plugin', 'example.com/x/plugin', 'plugin', { given: true }), plugin('y/plugin', 'example.com/y/plugin', 'plugin', { given: true })], '/ws', 'auto').refusal?.message).toBe(
    "Input 'plugin-name': the plugins cannot share one server: x/plugin and y/plugin are both named plugin by plugin-name: their files would have one name; accepted: a different plugin-name per plugin (an empty entry keeps the default, as in a,,c)"
  )
})

test('names that clash only by default are made distinct from their folders; a given name keeps it, the root keeps its default', () => {
  const r = resolvePluginIdentities(
    [
      plugin('.', 'github.com/a/gotify-webhook', 'gotify-webhook'),
      plugin('forks/webhook', 'github.com/b/gotify-webhook', 'gotify-webhook'),
      plugin('webhook@2', 'github.com/c/gotify-webhook', 'gotify-webhook'),
      plugin('matrix', 'github.com/d/matrix', 'matrix', { given: false }),
      plugin('other', 'github.com/e/other', 'matrix', { given: true })
    ],
    '/ws',
    'auto'
  )
  expect(r.plugins.map(p => p.name)).toEqual(['gotify-webhook', 'forks-webhook', 'webhook-2', 'matrix-matrix', 'matrix'])
  expect(r.renamed).toEqual([
    { folder: 'forks/webhook', from: 'gotify-webhook', to: 'forks-webhook' },
    { folder: 'webhook@2', from: 'gotify-webhook', to: 'webhook-2' },
    { folder: 'matrix', from: 'matrix', to: 'matrix-matrix' }
  ])
})

test("a folder's name as a plugin name holds only what a file name may", () => {
  expect(nameFromFolder('forks/webhook')).toBe('forks-webhook')
  expect(nameFromFolder('_a b//c.')).toBe('a-b-c')
  expect(nameFromFolder('.')).toBe('')
})
