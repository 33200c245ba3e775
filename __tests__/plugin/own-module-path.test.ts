import { ownModulePath, planModulePaths, renamedImport, renamedLdflags } from '../../src/plugin/own-module-path.js'

const TEMPLATE = 'github.com/gotify/plugin-template'
const p = (name: string, modulePath: string, pkg = '.') => ({ name, modulePath, package: pkg, pluginPath: pkg === '.' ? modulePath : `${modulePath}/${pkg.replace(/^\.\//, '')}` })

test('auto: only plugins whose plugin path another plugin or a neighbour has; each gets <module>~<name>, deterministic and free', () => {
  const plugins = [p('webhook', TEMPLATE), p('ntfy', TEMPLATE), p('matrix', 'github.com/me/matrix'), p('own', 'github.com/me/own'), p('sub', TEMPLATE, './cmd/x')]
  const plan = planModulePaths({ plugins, neighbourPaths: ['github.com/me/own', `${TEMPLATE}~ntfy`], mode: 'auto' })
  expect([...plan.keys()]).toEqual(['webhook', 'ntfy', 'own'])
  expect(plan.get('webhook')).toEqual({ from: TEMPLATE, to: `${TEMPLATE}~webhook`, pluginPath: `${TEMPLATE}~webhook`, why: `ntfy has its plugin path ${TEMPLATE} too` })
  // A neighbour built that way already has <module>~ntfy: the next free one.
  expect(plan.get('ntfy')?.to).toBe(`${TEMPLATE}~ntfy-2`)
  expect(plan.get('own')).toMatchObject({ to: 'github.com/me/own~own', why: 'a with-plugins neighbour has its plugin path github.com/me/own too' })
  expect(planModulePaths({ plugins, neighbourPaths: [], mode: 'auto' })).toEqual(planModulePaths({ plugins, neighbourPaths: [], mode: 'auto' }))
})

test('always renames every plugin, never none; the main package keeps its folder below the new module path', () => {
  const plugins = [p('a', TEMPLATE), p('b', 'example.com/m', './cmd/b')]
  expect([...planModulePaths({ plugins, neighbourPaths: [], mode: 'always' }).values()].map(r => r.pluginPath)).toEqual([`${TEMPLATE}~a`, 'example.com/m~b/cmd/b'])
  expect(planModulePaths({ plugins: [p('a', TEMPLATE), p('b', TEMPLATE)], neighbourPaths: [], mode: 'never' }).size).toBe(0)
})

test('the new path is a valid module path element: dots and digit-only tags avoided', () => {
  expect(ownModulePath('example.com/x/v2', 'my.plugin')).toBe('example.com/x/v2~my-plugin')
  expect(ownModulePath('example.com/x', '2')).toBe('example.com/x~p2')
  expect(ownModulePath('example.com/x', 'a', c => c !== 'example.com/x~a')).toBe('example.com/x~a-2')
})

test('imports of the module and its packages map; other modules and nested modules do not', () => {
  const r = { from: TEMPLATE, to: `${TEMPLATE}~a` }
  expect(renamedImport(TEMPLATE, r)).toBe(`${TEMPLATE}~a`)
  expect(renamedImport(`${TEMPLATE}/config`, r)).toBe(`${TEMPLATE}~a/config`)
  expect(renamedImport(`${TEMPLATE}-other`, r)).toBeUndefined()
  expect(renamedImport(`${TEMPLATE}/tools/x`, r, ['tools'])).toBeUndefined()
  expect(renamedLdflags(`-w -s -X ${TEMPLATE}/version.Version=1.0 -X=main.Mode=prod -X 'example.com/o.V=x'`, r)).toBe(`-w -s -X ${TEMPLATE}~a/version.Version=1.0 -X=main.Mode=prod -X 'example.com/o.V=x'`)
})
