// Which plugin paths a server is likely to see twice. What real builds give as
// a plugin's path is checked in plugin-set.int.test.ts.
import { pluginPathWarning } from '../../src/verify/plugin-path.js'

test.each([
  ['github.com/gotify/plugin-template', /is gotify\/plugin-template's own/],
  ['github.com/gotify/plugin-template/cmd/x', /is gotify\/plugin-template's own/],
  ['example.com/plugin', /is a placeholder \(example\.com\)/],
  ['sub.example.org/p', /is a placeholder \(sub\.example\.org\)/],
  ['myplugin', /has no domain in its first element/],
  ['gotify-plugin/x', /has no domain in its first element/]
])('%s: warned, with the consequence and the fix', (path, why) => {
  const w = pluginPathWarning(path)
  expect(w).toMatch(why)
  expect(w).toContain('two plugins with one path cannot share a server (plugin.Open refuses the second with `plugin already loaded` and the server does not start)')
  expect(w).toContain('give the plugin a module path of its own in go.mod')
})

test('"main" cannot load at all: the server has a package main of its own', () => {
  expect(pluginPathWarning('main')).toMatch(/^the plugin path is "main", the server's own main package: plugin\.Open refuses it .*module path of its own in go\.mod/)
})

test.each(['github.com/someone/gotify-webhook', 'gitlab.example2.com/x', 'plugin/unnamed-bc1d3198eacb4ae0a7161299924a98f6eed7f6dd', undefined])('%s: no warning', path => {
  // plugin/unnamed-<hash> hashes the files' contents: two different plugins built from files never share it.
  expect(pluginPathWarning(path)).toBeUndefined()
})
