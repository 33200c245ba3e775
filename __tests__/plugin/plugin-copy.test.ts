import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { copyPlugin, inPluginFolder } from '../../src/plugin/plugin-copy.js'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-copy-'))
  const plugin = path.join(dir, 'ws', 'plugin')
  fs.mkdirSync(path.join(plugin, 'cmd'), { recursive: true })
  fs.mkdirSync(path.join(plugin, '.git'))
  fs.mkdirSync(path.join(plugin, 'build'))
  fs.writeFileSync(path.join(plugin, 'go.mod'), 'module example.com/p\n')
  fs.writeFileSync(path.join(plugin, 'cmd', 'main.go'), 'package main\n')
  fs.writeFileSync(path.join(plugin, '.git', 'HEAD'), 'ref\n')
  fs.writeFileSync(path.join(plugin, 'build', 'old.so'), 'so')
  fs.symlinkSync('../shared', path.join(plugin, 'shared'))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

test('a copy of the plugin folder: no .git, no output-dir, relative links as they are', () => {
  const plugin = path.join(dir, 'ws', 'plugin')
  const copy = path.join(dir, 'scratch', 'server-2', 'plugin')
  copyPlugin(plugin, copy, [path.join(plugin, 'build')])
  expect(fs.readdirSync(copy).sort()).toEqual(['cmd', 'go.mod', 'shared'])
  expect(fs.readlinkSync(path.join(copy, 'shared'))).toBe('../shared')
  expect(fs.readFileSync(path.join(copy, 'cmd', 'main.go'), 'utf8')).toBe('package main\n')
  // Annotations point at the user's file, not the copy.
  expect(inPluginFolder(path.join(copy, 'go.mod'), copy, plugin)).toBe(path.join(plugin, 'go.mod'))
  expect(inPluginFolder('/elsewhere/go.mod', copy, plugin)).toBe('/elsewhere/go.mod')
})

test('an output-dir that is the plugin folder itself, and a copy inside it, do not empty or recurse the copy', () => {
  const plugin = path.join(dir, 'ws', 'plugin')
  const copy = path.join(plugin, '.tmp', 'server-2')
  copyPlugin(plugin, copy, [plugin])
  expect(fs.readdirSync(copy).sort()).toEqual(['.tmp', 'build', 'cmd', 'go.mod', 'shared'])
  expect(fs.readdirSync(path.join(copy, '.tmp'))).toEqual([])
  // A second copy replaces the first.
  fs.writeFileSync(path.join(copy, 'stale'), 'x')
  copyPlugin(plugin, copy, [plugin])
  expect(fs.existsSync(path.join(copy, 'stale'))).toBe(false)
})
