import { parseGoMod } from '../../src/go-mod.js'
import {
  buildListChanges, directiveChanges, fullTargets, goLineConflict, goRequirementConflict,
  mismatches, needsComputedBuildList, planAlignment, sharedModules, unaligned
} from '../../src/alignment/plan.js'

const mv = (s: string): { path: string; version: string } => {
  const [path, version] = s.split(' ')
  return { path, version }
}
const SERVER_MOD = parseGoMod('module example.com/server/v2\n\ngo 1.21\n\nrequire (\n\texample.com/dep v1.0.0\n\texample.com/gin v1.9.0\n\texample.com/sse v0.1.0 // indirect\n)\n')
const SERVER_LIST = SERVER_MOD.requires.map(r => ({ path: r.path, version: r.version }))

describe('sharedModules', () => {
  test('modules in both lists, by path, with the replacement kept; all count as linked when that is unknown', () => {
    const plugin = [mv('example.com/sse v0.2.0'), mv('example.com/only v1.0.0'), { ...mv('example.com/dep v1.0.0'), replace: '../dep' }]
    expect(sharedModules(plugin, SERVER_LIST)).toEqual([
      { path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', replace: '../dep', linked: true },
      { path: 'example.com/sse', plugin: 'v0.2.0', server: 'v0.1.0', linked: true }
    ])
  })
  test('a shared module none of whose packages the plugin links is marked so, and is never unaligned', () => {
    const shared = sharedModules([mv('example.com/sse v0.2.0'), mv('example.com/gin v1.10.0')], SERVER_LIST, new Set(['example.com/gin']))
    expect(shared).toEqual([
      { path: 'example.com/gin', plugin: 'v1.10.0', server: 'v1.9.0', linked: true },
      { path: 'example.com/sse', plugin: 'v0.2.0', server: 'v0.1.0', linked: false }
    ])
    expect(unaligned(shared).map(s => s.path)).toEqual(['example.com/gin'])
    expect(mismatches(shared, 'all').map(s => s.path)).toEqual(['example.com/gin'])
  })
})

describe('planAlignment', () => {
  // The plugin requires gin (too new) directly; sse reaches it only through gin.
  const pluginMod = parseGoMod('module example.com/plugins/x\n\ngo 1.21\n\nrequire example.com/gin v1.10.0\n')
  const pluginList = [mv('example.com/gin v1.10.0'), mv('example.com/sse v0.2.0'), mv('example.com/dep v0.9.0')]

  test('full: every linked shared module that differs, up or down; every linked one is checked', () => {
    const plan = planAlignment('full', pluginList, pluginMod, SERVER_LIST, SERVER_MOD)
    expect(plan.targets).toEqual([mv('example.com/dep v1.0.0'), mv('example.com/gin v1.9.0'), mv('example.com/sse v0.1.0')])
    expect(plan.checked).toBe('all')
  })
  test('full leaves modules the plugin does not link alone (moving them cannot help it load)', () => {
    const plan = planAlignment('full', pluginList, pluginMod, SERVER_LIST, SERVER_MOD, new Set(['example.com/gin', 'example.com/sse']))
    expect(plan.targets).toEqual([mv('example.com/gin v1.9.0'), mv('example.com/sse v0.1.0')])
    expect(plan.shared.find(s => s.path === 'example.com/dep')).toMatchObject({ plugin: 'v0.9.0', linked: false })
  })
  test('next rounds: no module twice at the same version, none the plugin\'s go.mod excludes', () => {
    const shared = sharedModules(pluginList, SERVER_LIST)
    const excluding = parseGoMod('module example.com/plugins/x\n\nexclude example.com/dep v1.0.0\n')
    expect(fullTargets(shared, excluding, new Set(['example.com/gin@v1.9.0']))).toEqual([mv('example.com/sse v0.1.0')])
  })
  test('cap: only the plugin\'s require lines that the server\'s go.mod requires', () => {
    const plan = planAlignment('cap', pluginList, pluginMod, SERVER_LIST, SERVER_MOD)
    expect(plan.targets).toEqual([mv('example.com/gin v1.9.0')])
    expect([...plan.checked]).toEqual(['example.com/gin'])
    // sse still differs, but cap does not check it: the caller warns from `shared`.
    const after = sharedModules([mv('example.com/gin v1.9.0'), mv('example.com/sse v0.2.0')], SERVER_LIST)
    expect(mismatches(after, plan.checked)).toEqual([])
  })
  test('cap takes the server\'s build-list version over its go.mod line (go < 1.17 servers)', () => {
    const old = parseGoMod('module s\n\ngo 1.16\n\nrequire example.com/gin v1.8.0\n')
    const plan = planAlignment('cap', pluginList, pluginMod, [mv('example.com/gin v1.8.1')], old)
    expect(plan.targets).toEqual([mv('example.com/gin v1.8.1')])
  })
  test('off: nothing to move, nothing checked, shared still computed', () => {
    const plan = planAlignment('off', pluginList, pluginMod, SERVER_LIST, SERVER_MOD)
    expect(plan).toEqual({ shared: sharedModules(pluginList, SERVER_LIST), targets: [], checked: new Set() })
  })
  test('mismatches include a replaced module even at the same version', () => {
    const shared = sharedModules([{ ...mv('example.com/dep v1.0.0'), replace: '../dep' }, mv('example.com/gin v1.9.0')], SERVER_LIST)
    expect(mismatches(shared, new Set(['example.com/dep', 'example.com/gin'])).map(s => s.path)).toEqual(['example.com/dep'])
  })
})

describe('changes', () => {
  test('build list moves, additions and removals', () => {
    expect(buildListChanges([mv('a v1.1.0'), mv('b v1.0.0')], [mv('a v1.0.0'), mv('c v0.1.0')])).toEqual([
      { path: 'a', from: 'v1.1.0', to: 'v1.0.0' },
      { path: 'b', from: 'v1.0.0', to: 'none' },
      { path: 'c', from: 'none', to: 'v0.1.0' }
    ])
  })
  test('go and toolchain lines', () => {
    const before = parseGoMod('module m\ngo 1.16\ntoolchain go1.24.3\n')
    const after = parseGoMod('module m\ngo 1.21\ntoolchain go1.26.8\n')
    expect(directiveChanges(before, after)).toEqual([
      { path: 'go', from: '1.16', to: '1.21' },
      { path: 'toolchain', from: 'go1.24.3', to: 'go1.26.8' }
    ])
    expect(directiveChanges(before, before)).toEqual([])
  })
})

test('a go.mod before go 1.17 (or with no go line) needs its build list computed', () => {
  expect(needsComputedBuildList(parseGoMod('module m\ngo 1.16\n'))).toBe(true)
  expect(needsComputedBuildList(parseGoMod('module m\n'))).toBe(true)
  expect(needsComputedBuildList(parseGoMod('module m\ngo 1.17\n'))).toBe(false)
  expect(needsComputedBuildList(parseGoMod('module m\ngo 1.24.1\n'))).toBe(false)
})

describe('Go version conflicts', () => {
  test('a go line newer than the server\'s Go', () => {
    const c = goLineConflict(parseGoMod('module m\n\ngo 1.27\n'), '1.26.8', '/w/go.mod')
    expect(c).toMatchObject({ path: 'go', plugin: '1.27', server: '1.26.8', location: { file: '/w/go.mod', line: 3 } })
    expect(c?.message).toMatch(/^The plugin's go.mod says go 1.27, newer than the server's Go 1.26.8/)
  })
  test('same, older or no go line is fine', () => {
    for (const text of ['module m\ngo 1.26.8\n', 'module m\ngo 1.21\n', 'module m\n', 'module m\ngo 1.26rc1\n']) {
      expect(goLineConflict(parseGoMod(text), '1.26.8', '/w/go.mod')).toBeUndefined()
    }
  })
  test('a dependency that needs a newer Go, read from go\'s error', () => {
    const stderr = 'go: downloading example.com/futurelib v1.0.0\ngo: example.com/futurelib@v1.0.0 requires go >= 1.99.0 (running go 1.26.8; GOTOOLCHAIN=local)\n'
    const c = goRequirementConflict(stderr, '1.26.8', parseGoMod('module m\n\nrequire example.com/futurelib v1.0.0\n'), '/w/go.mod')
    expect(c).toMatchObject({ path: 'example.com/futurelib', plugin: 'v1.0.0', location: { file: '/w/go.mod', line: 3 } })
    expect(c?.message).toBe('example.com/futurelib v1.0.0 requires go >= 1.99.0, newer than the server\'s Go 1.26.8: use a version of example.com/futurelib that supports Go 1.26.8')
    expect(goRequirementConflict('go: go.mod requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)', '1.26.8', parseGoMod(''), '/w/go.mod')).toBeUndefined()
  })
})
