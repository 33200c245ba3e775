import { parseRequiredPlugins, requiredPluginNames } from '../../src/run/required-plugins.js'
import { parseInputs } from '../../src/run/inputs.js'

const plugins = [
  { name: 'basic', dir: '/ws/plugin' },
  { name: 'unresolvable', dir: '/ws/plugins/broken' }
]

test('entries by name or by folder, commas or lines; empty means every plugin', () => {
  expect(parseRequiredPlugins(' basic,\n plugins/broken \n\n')).toEqual(['basic', 'plugins/broken'])
  expect(requiredPluginNames([], plugins, '/ws')).toEqual(['basic', 'unresolvable'])
  expect(requiredPluginNames(['plugins/broken/'], plugins, '/ws')).toEqual(['unresolvable'])
  expect(requiredPluginNames(['./plugin', 'basic'], plugins, '/ws')).toEqual(['basic'])
  expect(requiredPluginNames(['unresolvable', 'basic'], plugins, '/ws')).toEqual(['basic', 'unresolvable'])
})

test('an entry naming no plugin of the run: one line naming the input and the accepted values', () => {
  expect(() => requiredPluginNames(['basic', 'plugins'], plugins, '/ws')).toThrow(
    `Input 'required-plugins': "plugins" is no plugin of this run; accepted: plugin names or plugin-path folders of this run: basic (plugin), unresolvable (plugins/broken)`
  )
})

test('the input is parsed once into the typed inputs, and refuses control characters', () => {
  const get = (values: Record<string, string>) => (name: string): string | undefined => ({ 'server-repository': 'gotify/server', 'plugin-path': 'a\nb', ...values })[name]
  expect(parseInputs(get({ 'required-plugins': 'a,\nb' }), { workspace: '/ws', runnerTemp: '/tmp' }).requiredPlugins).toEqual(['a', 'b'])
  expect(parseInputs(get({}), { workspace: '/ws', runnerTemp: '/tmp' }).requiredPlugins).toEqual([])
  expect(() => parseInputs(get({ 'required-plugins': 'a\u0007' }), { workspace: '/ws', runnerTemp: '/tmp' })).toThrow(/^Input 'required-plugins': .* contains a control character/)
})
