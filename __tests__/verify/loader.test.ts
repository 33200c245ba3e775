import { StepError } from '../../src/errors.js'
import {
  RESULT_MARKER,
  describeOutcome,
  goDirective,
  loaderBuildSide,
  goListDepsArgs,
  loaderGoMod,
  loaderImports,
  loaderMainGo,
  makeLoader,
  parseGoListDeps,
  parseLoaderOutput
} from '../../src/verify/loader.js'
import type { LoaderOutcome } from '../../src/verify/loader.js'
import type { BuildSide } from '../../src/verify/diagnosis.js'

const SERVER = [
  { path: 'example.com/server/v2', version: '' },
  { path: 'github.com/gin-gonic/gin', version: 'v1.9.1' },
  { path: 'github.com/gin-contrib/sse', version: 'v0.1.0' },
  { path: 'golang.org/x/sys', version: 'v0.15.0' }
]

// What `go list -deps -f <format>` prints for a plugin (tab separated).
const LIST = [
  'errors\terrors\ttrue\t',
  'internal/goarch\tgoarch\ttrue\t',
  'github.com/gin-contrib/sse\tsse\tfalse\tgithub.com/gin-contrib/sse\tfalse',
  'github.com/gin-gonic/gin/internal/json\tjson\tfalse\tgithub.com/gin-gonic/gin\tfalse',
  'github.com/gin-gonic/gin\tgin\tfalse\tgithub.com/gin-gonic/gin\tfalse',
  'golang.org/x/sys/unix\tunix\tfalse\tgolang.org/x/sys\tfalse',
  'example.com/only-plugin/x\tx\tfalse\texample.com/only-plugin\tfalse',
  'example.com/plugin/util\tutil\tfalse\texample.com/plugin\ttrue',
  'example.com/plugin\tmain\tfalse\texample.com/plugin\ttrue',
  ''
].join('\n')

test('go list arguments print one tab-separated line per linked package', () => {
  expect(goListDepsArgs('./cmd/p')).toEqual(['list', '-deps', '-f', expect.stringContaining('{{.ImportPath}}\t{{.Name}}'), './cmd/p'])
})

test('parses go list output, with and without a module', () => {
  const pkgs = parseGoListDeps(LIST)
  expect(pkgs).toHaveLength(9)
  expect(pkgs[0]).toEqual({ importPath: 'errors', name: 'errors', standard: true, module: undefined, mainModule: false })
  expect(pkgs[8]).toEqual({ importPath: 'example.com/plugin', name: 'main', standard: false, module: 'example.com/plugin', mainModule: true })
})

test('imports only packages of server modules: no std, internal, main, own module, or plugin-only modules', () => {
  expect(loaderImports(parseGoListDeps(LIST), SERVER)).toEqual(['github.com/gin-contrib/sse', 'github.com/gin-gonic/gin', 'golang.org/x/sys/unix'])
})

test("the plugin's own module is skipped even when the server's build list has it", () => {
  const pkgs = parseGoListDeps('example.com/server/v2/plugin/lib\tlib\tfalse\texample.com/server/v2\ttrue\n')
  expect(loaderImports(pkgs, [{ path: 'example.com/server/v2', version: 'v2.0.0' }])).toEqual([])
})

test('go.mod requires every versioned module of the server build list, sorted, once', () => {
  const mod = loaderGoMod([...SERVER, { path: 'github.com/gin-contrib/sse', version: 'v0.1.0' }], '1.26.8')
  expect(mod).toBe(
    '// Generated: stands for the server when loading the plugin.\nmodule gopluginbuild/loader\n\ngo 1.26\n\nrequire (\n' +
      '\tgithub.com/gin-contrib/sse v0.1.0\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgolang.org/x/sys v0.15.0\n)\n'
  )
})

test('go directive is major.minor, valid for old Go too', () => {
  expect(goDirective('1.12.0')).toBe('1.12')
  expect(goDirective('go1.26.8')).toBe('1.26')
  expect(goDirective('1.25rc1')).toBe('1.25')
  expect(() => goDirective('latest')).toThrow(StepError)
})

test('a server build list without modules gives a go.mod without require block', () => {
  expect(loaderGoMod([], '1.21.0')).not.toContain('require')
})

test('conflicting or malformed build list entries are refused, nothing is injected', () => {
  expect(() => loaderGoMod([{ path: 'a.com/x', version: 'v1.0.0' }, { path: 'a.com/x', version: 'v1.1.0' }], '1.22')).toThrow(/twice/)
  expect(() => loaderGoMod([{ path: 'a.com/x\nreplace a.com/x => ./evil', version: 'v1.0.0' }], '1.22')).toThrow(/not a valid Go import path/)
  expect(() => loaderGoMod([{ path: 'a.com/x', version: 'v1.0.0 // x' }], '1.22')).toThrow(/invalid version/)
  expect(() => loaderMainGo(['a.com/x"; import "os'])).toThrow(StepError)
  expect(() => loaderMainGo(['a.com/../x'])).toThrow(StepError)
})

test('main.go blank-imports the shared packages, opens each plugin given in order, looks up symbols and calls the info function', () => {
  const src = loaderMainGo(['example.com/dep', 'golang.org/x/sys/unix'])
  expect(src).toContain('\t_ "example.com/dep"\n\t_ "golang.org/x/sys/unix"\n')
  expect(src).toContain('for _, file := range flag.Args() {')
  expect(src).toContain('plugin.Open(file)')
  expect(src).toContain('p.Lookup(s)')
  // The info function through reflection, after the symbols; its panic is its result.
  expect(src.indexOf('r.Info = callInfo(sym)')).toBeGreaterThan(src.indexOf('p.Lookup(s)'))
  expect(src).toContain('recover()')
  expect(src).toContain(JSON.stringify(RESULT_MARKER))
  expect(loaderMainGo([])).toContain('"strings"\n)')
  expect(loaderMainGo([])).not.toContain('buildinfo')
  // Go 1.12 (gotify v2.0.0's) compiles it: no any, no generics.
  expect(loaderMainGo([])).not.toMatch(/\bany\b|\[T /)
})

test('from Go 1.18 on the loader also compares the Go version recorded in the .so with its own, and warns (plugin.Open decides)', () => {
  const src = makeLoader({ serverModules: [], serverGoVersion: '1.26.8', packages: [] }).mainGo
  expect(src).toContain('"debug/buildinfo"')
  expect(src).toContain('bi.GoVersion != runtime.Version()')
  // The check runs after plugin.Open, so Open's own error (more precise) wins; a patch mismatch plugin.Open accepts only warns.
  expect(src.indexOf('buildinfo.ReadFile(file)')).toBeGreaterThan(src.indexOf('plugin.Open(file)'))
  expect(src).toContain('r.Warning = fmt.Sprintf(')
  expect(makeLoader({ serverModules: [], serverGoVersion: '1.17.13', packages: [] }).mainGo).not.toContain('buildinfo')
})

test('makeLoader ties go.mod, main.go and the imports together', () => {
  const l = makeLoader({ serverModules: SERVER, serverGoVersion: '1.22.4', packages: parseGoListDeps(LIST) })
  expect(l.imports).toHaveLength(3)
  expect(l.goMod).toContain('go 1.22')
  expect(l.mainGo).toContain('_ "github.com/gin-contrib/sse"')
})

test('parses the last result line and ignores other output', () => {
  const out = `plugin says hi\n${RESULT_MARKER}{"loaded":false,"error":"first"}\n${RESULT_MARKER}{"loaded":true}\n`
  expect(parseLoaderOutput(out)).toEqual({ loaded: true })
  expect(parseLoaderOutput('panic: boom\n')).toBeUndefined()
  expect(parseLoaderOutput(`${RESULT_MARKER}{broken\n`)).toBeUndefined()
  expect(parseLoaderOutput(`${RESULT_MARKER}{"x":1}\n`)).toBeUndefined()
})

test('describes failures with their likely cause', () => {
  const err = 'plugin.Open("/scratch/p"): plugin was built with a different version of package example.com/dep'
  expect(describeOutcome({ loaded: false, error: err })).toMatch(/^plugin\.Open failed: .*example\.com\/dep \(the plugin links another build of example\.com\/dep: another module version/)
  // Without evidence, a standard package lists both causes: -trimpath changes them too (issue 7 §2).
  expect(describeOutcome({ loaded: false, error: 'plugin was built with a different version of package internal/goarch' })).toBe(
    'plugin.Open failed: plugin was built with a different version of package internal/goarch (internal/goarch is part of Go: another Go version than the server\'s, or -trimpath on one side only)'
  )
  expect(describeOutcome({ loaded: false, error: 'x', missing: ['NewGotifyPluginInstance'] })).toBe('plugin.Open succeeded but the plugin lacks NewGotifyPluginInstance')
  expect(describeOutcome({ loaded: false, error: 'cannot open' })).toBe('plugin.Open failed: cannot open')
  expect(describeOutcome({ loaded: true })).toMatch(/succeeded/)
})

describe('with the evidence of the build infos, the diagnosis names the cause', () => {
  const loader = loaderBuildSide([{ path: 'example.com/server/v2', version: '' }, { path: 'example.com/dep', version: 'v1.0.0' }], '1.26.8')
  const plugin = (over: Partial<BuildSide> = {}): BuildSide => ({
    goVersion: 'go1.26.8',
    main: { path: 'example.com/plug', version: '(devel)' },
    deps: [{ path: 'example.com/dep', version: 'v1.0.0' }],
    settings: [{ key: '-buildmode', value: 'plugin' }],
    ...over
  })
  const failed = (pkg: string): LoaderOutcome => ({ loaded: false, error: `plugin.Open("/scratch/p.so"): plugin was built with a different version of package ${pkg}` })

  test('the loader stands for a server built with its Go, its module versions and no -trimpath', () => {
    expect(loader).toEqual({ goVersion: 'go1.26.8', deps: [{ path: 'example.com/dep', version: 'v1.0.0' }], settings: [], partialSettings: true })
  })

  test('a loader built with -trimpath like its server: a plain plugin is told to set build-args: -trimpath; other settings are not compared', () => {
    const trimmedLoader = loaderBuildSide([{ path: 'example.com/dep', version: 'v1.0.0' }], '1.26.8', true)
    expect(describeOutcome(failed('example.com/dep'), { server: trimmedLoader, plugin: plugin() })).toMatch(
      /\(the server was built with -trimpath and the plugin without: build the plugin with it too, set build-args: -trimpath\)$/
    )
    const trimmed = plugin({ settings: [{ key: '-trimpath', value: 'true' }, { key: 'CGO_ENABLED', value: '1' }] })
    expect(describeOutcome(failed('example.com/dep'), { server: trimmedLoader, plugin: trimmed })).toMatch(/\(the module cache path or build flags differ/)
  })

  test('a standard package and -trimpath: -trimpath, not the Go version', () => {
    const trimmed = plugin({ settings: [{ key: '-trimpath', value: 'true' }] })
    expect(describeOutcome(failed('internal/goarch'), { server: loader, plugin: trimmed })).toMatch(
      /internal\/goarch \(the plugin was built with -trimpath and the server without: remove -trimpath from build-args and from go-env's GOFLAGS\)$/
    )
  })

  test('a standard package and another Go: the two Go versions', () => {
    expect(describeOutcome(failed('runtime'), { server: loader, plugin: plugin({ goVersion: 'go1.25.14' }) })).toMatch(
      /\(the Go versions differ: the plugin was built with go1\.25\.14, the server with go1\.26\.8; build the plugin with go1\.26\.8\)$/
    )
  })

  test('a module package: its versions, else the module cache path', () => {
    const newer = plugin({ deps: [{ path: 'example.com/dep', version: 'v1.1.0' }] })
    expect(describeOutcome(failed('example.com/dep'), { server: loader, plugin: newer })).toMatch(/\(module versions differ: example\.com\/dep v1\.1\.0 in the plugin, v1\.0\.0 in the server; build with the server's versions\)$/)
    expect(describeOutcome(failed('example.com/dep'), { server: loader, plugin: plugin() })).toMatch(/\(the module cache path or build flags differ \(the server's release build has the module cache at \/go\/pkg\/mod\)\)$/)
  })

  test('a .so without build info: said, not guessed', () => {
    expect(describeOutcome(failed('runtime'), { server: loader })).toMatch(/\(the plugin has no Go build info to tell why/)
  })
})
