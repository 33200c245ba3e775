import { parseGoMod, parseModGraph } from '../../src/go-mod.js'
import { type ConflictContext, explainMismatches, findChain } from '../../src/alignment/explain.js'
import type { SharedModule } from '../../src/alignment/plan.js'

const mv = (s: string): { path: string; version: string } => {
  const [path, version] = s.split(' ')
  return { path, version }
}
const shared = (path: string, plugin: string, server: string, more: Partial<SharedModule> = {}): SharedModule => ({ path, plugin, server, linked: true, ...more })

// The graph of the unresolvable fixture after `go get dep@v1.0.0` and tidy.
const GRAPH = parseModGraph([
  'example.com/plugins/u example.com/dep@v1.1.0',
  'example.com/plugins/u example.com/newlib@v1.0.0',
  'example.com/plugins/u example.com/lib@v1.0.0',
  'example.com/plugins/u go@1.21',
  'example.com/lib@v1.0.0 example.com/dep@v1.0.0',
  // Not selected (lib is at v1.0.0): must not appear in a chain.
  'example.com/lib@v1.1.0 example.com/dep@v1.1.0',
  'example.com/newlib@v1.0.0 example.com/dep@v1.1.0',
  'example.com/newlib@v1.0.0 go@1.21',
  // A test-only chain: containers' go.mod requires an old oauth nothing imports.
  'example.com/plugins/u example.com/testkit@v1.0.0',
  'example.com/testkit@v1.0.0 example.com/containers@v1.0.0',
  'example.com/containers@v1.0.0 example.com/oauth@v0.1.0'
].join('\n'))
const SELECTED = [mv('example.com/dep v1.1.0'), mv('example.com/newlib v1.0.0'), mv('example.com/lib v1.0.0'), mv('example.com/testkit v1.0.0'), mv('example.com/containers v1.0.0'), mv('example.com/oauth v0.1.0')]
const GO_MOD = 'module example.com/plugins/u\n\ngo 1.21\n\nrequire example.com/newlib v1.0.0\n\nexclude example.com/other v1.0.0\n\nreplace example.com/rep => ../rep\n\nrequire example.com/oauth v0.1.0 // indirect\n'

describe('findChain', () => {
  const selected = new Map(SELECTED.map(m => [m.path, m.version]))
  test('shortest chain through selected versions, preferring one through a dependency over the main module\'s own line', () => {
    expect(findChain(GRAPH, 'example.com/plugins/u', mv('example.com/dep v1.1.0'), selected)).toEqual([
      'example.com/plugins/u', 'example.com/newlib@v1.0.0', 'example.com/dep@v1.1.0'
    ])
    // Only the main module requires it: that line is the chain.
    const direct = GRAPH.filter(e => e.from.path !== 'example.com/newlib')
    expect(findChain(direct, 'example.com/plugins/u', mv('example.com/dep v1.1.0'), selected)).toEqual(['example.com/plugins/u', 'example.com/dep@v1.1.0'])
  })
  test('no chain when nothing requires that version', () => {
    expect(findChain(GRAPH, 'example.com/plugins/u', mv('example.com/dep v9.0.0'), selected)).toEqual([])
  })
})

describe('explainMismatches', () => {
  const goMod = parseGoMod(GO_MOD)
  const ctx: ConflictContext = { mode: 'full', goMod, goModFile: '/w/go.mod', main: 'example.com/plugins/u', edges: GRAPH.slice(1), selected: SELECTED, final: goMod }
  const explain = (s: SharedModule, more: Partial<ConflictContext> = {}): ReturnType<typeof explainMismatches>[number] => {
    const [c] = explainMismatches([s], { ...ctx, ...more })
    expect(c.message).not.toContain('\n')
    return c
  }
  const dep = shared('example.com/dep', 'v1.1.0', 'v1.0.0')

  test('above, and go get had to remove the dependency that holds it: the chain, that dependency, and why tidy brought it back', () => {
    const afterMove = parseGoMod('module example.com/plugins/u\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n')
    const c = explain(dep, { afterMove })
    expect(c.chain).toEqual(['example.com/plugins/u', 'example.com/newlib@v1.0.0', 'example.com/dep@v1.1.0'])
    expect(c.message).toBe(
      'example.com/dep cannot be aligned: the plugin links v1.1.0, above the server\'s v1.0.0, because example.com/newlib@v1.0.0 requires it ' +
        '(example.com/plugins/u → example.com/newlib@v1.0.0 → example.com/dep@v1.1.0); going down to v1.0.0 meant removing example.com/newlib ' +
        '(no release of it requires example.com/dep v1.0.0 or older), and go mod tidy added example.com/newlib v1.0.0 back because the plugin imports it: ' +
        'drop that import, or build for a server release with example.com/dep v1.1.0 or newer'
    )
    // On the dependency's require line.
    expect(c.location).toEqual({ file: '/w/go.mod', line: 5 })
  })

  test('above, and go get lowered the dependency but tidy raised it again', () => {
    const afterMove = parseGoMod('module example.com/plugins/u\n\nrequire (\n\texample.com/dep v1.0.0\n\texample.com/newlib v0.9.0\n)\n')
    expect(explain(dep, { afterMove }).message).toContain(
      'go get lowered example.com/newlib to v0.9.0 for that, and go mod tidy raised it back to v1.0.0 for packages the plugin imports'
    )
  })

  test('above with cap (no go get): which dependency to lower', () => {
    expect(explain(dep, { mode: 'cap' }).message).toMatch(
      /, because example\.com\/newlib@v1\.0\.0 requires it \(.*\); lower example\.com\/newlib to a release that requires example\.com\/dep v1\.0\.0 or older \(align: full tries that with go get\)$/
    )
  })

  test('above, required by the plugin\'s own go.mod line only', () => {
    const direct = GRAPH.filter(e => e.from.path !== 'example.com/newlib')
    const c = explain(dep, { edges: direct })
    expect(c.message).toBe('example.com/dep cannot be aligned: the plugin links v1.1.0, above the server\'s v1.0.0, because the plugin\'s go.mod requires it: lower that requirement to v1.0.0')
  })

  test('above, required by the plugin\'s own line, and go get lowered it but tidy raised it again: a package the server\'s version lacks', () => {
    const direct = GRAPH.filter(e => e.from.path !== 'example.com/newlib')
    const afterMove = parseGoMod('module example.com/plugins/u\n\nrequire example.com/dep v1.0.0\n')
    expect(explain(dep, { edges: direct, afterMove }).message).toBe(
      'example.com/dep cannot be aligned: the plugin links v1.1.0, above the server\'s v1.0.0, because the plugin imports a package of example.com/dep that v1.0.0 does not have: ' +
        'go get lowered it to v1.0.0, and go mod tidy raised it back to v1.1.0 to find that package; change the plugin\'s imports, or build for a server release with example.com/dep v1.1.0 or newer'
    )
  })

  test('below: requirements never hold a module down, so no chain is blamed; an exclude is', () => {
    const c = explain(shared('example.com/other', 'v0.9.0', 'v1.0.0'))
    expect(c.message).toBe('example.com/other cannot be aligned: the plugin links v0.9.0, below the server\'s v1.0.0, because the plugin\'s go.mod excludes example.com/other v1.0.0 (line 7): remove that exclude')
    expect(c.location).toEqual({ file: '/w/go.mod', line: 7 })
    expect(c.chain).toEqual([])
  })

  test('below: go mod tidy dropping the requirement alignment added', () => {
    const afterMove = parseGoMod(GO_MOD.replace('example.com/oauth v0.1.0', 'example.com/oauth v0.3.0'))
    const final = parseGoMod(GO_MOD.replace(/require example.com\/oauth.*\n/, ''))
    const c = explain(shared('example.com/oauth', 'v0.1.0', 'v0.3.0'), { afterMove, final })
    expect(c.message).toBe(
      'example.com/oauth cannot be aligned: the plugin links v0.1.0, below the server\'s v0.3.0, because go mod tidy removed the requirement on example.com/oauth v0.3.0 ' +
        'that alignment added (tidy keeps only what the plugin\'s imports, tests included, need), so it falls back to the v0.1.0 that example.com/containers@v1.0.0 requires'
    )
    expect(c.message).not.toMatch(/needs a release that works with/)
  })

  test('below with nothing in go.mod to explain it says so instead of naming a chain', () => {
    const c = explain(shared('example.com/oauth', 'v0.1.0', 'v0.3.0'))
    expect(c.message).toBe(
      'example.com/oauth cannot be aligned: the plugin links v0.1.0, below the server\'s v0.3.0, and go did not raise it to v0.3.0; no exclude or replace in the plugin\'s go.mod explains why: run go get example.com/oauth@v0.3.0 in the plugin to see go\'s reason'
    )
  })

  test('a replace', () => {
    const c = explain(shared('example.com/rep', 'v1.0.0', 'v1.0.0', { replace: '../rep' }))
    expect(c.message).toBe('example.com/rep is replaced by ../rep in the plugin\'s go.mod, so the plugin cannot link the server\'s example.com/rep v1.0.0; remove the replace directive')
    expect(c.location).toEqual({ file: '/w/go.mod', line: 9 })
  })
})
