import { checkPluginIdentities } from '../../src/plugin/identity.js'
import { pluginImportPath } from '../../src/plugin/module.js'

const plugin = (dir: string, modulePath: string, name: string, pkg = '.'): { dir: string; goModPath: string; modulePath: string; name: string; package: string; pluginPath: string } => ({ dir: `/ws/${dir}`, goModPath: `/ws/${dir}/go.mod`, modulePath, name, package: pkg, pluginPath: pluginImportPath({ modulePath, package: pkg }) })

test('the plugin path is the module path and the package folder', () => {
  expect(pluginImportPath({ modulePath: 'example.com/p', package: '.' })).toBe('example.com/p')
  expect(pluginImportPath({ modulePath: 'example.com/p', package: './cmd/x/' })).toBe('example.com/p/cmd/x')
})

test('two plugins with the same plugin path are refused in one line naming both folders', () => {
  expect(() => checkPluginIdentities([plugin('one', 'github.com/gotify/plugin-template', 'one'), plugin('two', 'github.com/gotify/plugin-template', 'two')], '/ws')).toThrow(
    "Input 'plugin-path': one and two build the same plugin path github.com/gotify/plugin-template (module github.com/gotify/plugin-template): plugin.Open refuses the second (plugin already loaded); accepted: plugins whose main packages have import paths of their own: give one a module path of its own in go.mod"
  )
  // Same module, other main packages: other plugin paths.
  expect(() => checkPluginIdentities([plugin('one', 'example.com/m', 'one', './a'), plugin('two', 'example.com/m', 'two', './b')], '/ws')).not.toThrow()
})

test('two plugins with the same name are refused', () => {
  expect(() => checkPluginIdentities([plugin('x/plugin', 'example.com/x/plugin', 'plugin'), plugin('y/plugin', 'example.com/y/plugin', 'plugin')], '/ws')).toThrow(/^Input 'plugin-name': x\/plugin and y\/plugin are both named plugin/)
})
