import { parseInputs, INPUT_DEFAULTS } from '../../src/run/inputs.js'
import { parseGoEnv } from '../../src/run/go-env.js'
import { InputError } from '../../src/errors.js'
import { cacheBudget } from '../../src/cache/transfer.js'
import { hasControl } from '../../src/outside-text.js'

const env = { workspace: '/ws', runnerTemp: '/tmp/rt' }
const parse = (given: Record<string, string>) => parseInputs(name => given[name], env)

test('defaults give the four linux platforms, the gotify image scheme and full alignment', () => {
  const i = parse({ 'server-repository': 'gotify/server', token: 't' })
  expect(i.server).toEqual({ owner: 'gotify', name: 'server' })
  expect(i.serverVersion).toEqual({ text: 'latest', terms: [{ kind: 'latest', text: 'latest' }] })
  expect(i).toMatchObject({ includePrereleases: false, resolveOnly: false, skipExisting: 'auto' })
  expect(i.platforms.map(p => p.id)).toEqual(['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386'])
  expect(i.pluginPath).toBe('/ws')
  expect(i.outputDir).toBe('/ws/build')
  expect(i.goModCache).toBe('/tmp/rt/go-plugin-build/gomodcache')
  expect(i.align).toBe('full')
  expect(i.verify).toBe(true)
  expect(i.verifySymbols).toEqual(['GetGotifyPluginInfo', 'NewGotifyPluginInstance'])
  expect(i.upload).toBe('auto')
  expect(i.ldflags).toBe(INPUT_DEFAULTS.ldflags)
})

test('verify-symbols set to empty skips the symbol check; unset means the default', () => {
  expect(parse({ 'server-repository': 'a/b', 'verify-symbols': '' }).verifySymbols).toEqual([])
  expect(parse({ 'server-repository': 'a/b' }).verifySymbols).toHaveLength(2)
})

test('build-args are split like a shell would, quotes kept together, nothing expanded', () => {
  const i = parse({ 'server-repository': 'a/b', 'build-args': `-tags "netgo osusergo" -gcflags='all=-N -l' $HOME` })
  expect(i.buildArgs).toEqual(['-tags', 'netgo osusergo', '-gcflags=all=-N -l', '$HOME'])
})

test.each([
  [{ 'server-repository': 'nope' }, "Input 'server-repository'"],
  [{ 'server-repository': 'a/b/c' }, "Input 'server-repository'"],
  [{ 'server-repository': 'a/b', 'server-version': 'v1 rm' }, "Input 'server-version': \"v1 rm\" is not a tag name: it contains a space"],
  [{ 'server-repository': 'a/b', 'server-version': 'v2.9.1/../../x' }, "Input 'server-version'"],
  [{ 'server-repository': 'a/b', 'release-tag': '../../../../gotify/server/releases/tags/v2.9.1' }, "Input 'release-tag': \"../../../../gotify/server/releases/tags/v2.9.1\" is not a tag name: it contains \"..\""],
  [{ 'server-repository': 'a/b', 'release-tag': 'v1\nv2' }, "Input 'release-tag': \"v1\\nv2\" contains a control character (\\n at position 3); accepted: printable text on one line"],
  [{ 'server-repository': 'a/b', 'plugin-path': '../elsewhere' }, "Input 'plugin-path': \"../elsewhere\" is outside the workspace /ws"],
  [{ 'server-repository': 'a/b', 'plugin-path': '/srv/plugin' }, "Input 'plugin-path'"],
  [{ 'server-repository': 'a/b', 'output-dir': '../out' }, "Input 'output-dir': \"../out\" is outside the workspace /ws;"],
  [{ 'server-repository': 'a/b', 'output-dir': '../tmp/rt/out' }, "Input 'output-dir'"],
  [{ 'server-repository': 'a/b', 'output-dir': '/etc' }, "Input 'output-dir': \"/etc\" is outside the workspace /ws and RUNNER_TEMP /tmp/rt"],
  [{ 'server-repository': 'a/b', platforms: 'windows-amd64' }, "Input 'platforms': unknown platform"],
  [{ 'server-repository': 'a/b', platforms: 'linux-amd64,linux-amd64' }, 'listed twice'],
  [{ 'server-repository': 'a/b', platforms: 'linux-arm-9' }, 'unknown variant'],
  [{ 'server-repository': 'a/b', 'asset-name': '{plugin}.so' }, 'the same name'],
  [{ 'server-repository': 'a/b', 'asset-name': 'x/{platform}.so' }, 'path separator'],
  [{ 'server-repository': 'a/b', 'asset-name': '{platform}-{nope}.so' }, 'unknown placeholder {nope}'],
  [{ 'server-repository': 'a/b', 'build-image': 'x:{plugin}' }, "Input 'build-image': unknown placeholder {plugin}"],
  [{ 'server-repository': 'a/b', 'build-args': '-o out.so' }, '-o is set by the action'],
  [{ 'server-repository': 'a/b', 'build-args': '"unterminated' }, "Input 'build-args'"],
  [{ 'server-repository': 'a/b', package: '../other' }, "Input 'package'"],
  [{ 'server-repository': 'a/b', align: 'some' }, "Input 'align': \"some\" is not a choice; accepted: full, cap, off"],
  [{ 'server-repository': 'a/b', verify: 'yes' }, "Input 'verify'"],
  [{ 'server-repository': 'a/b', upload: 'maybe' }, "Input 'upload'"],
  [{ 'server-repository': 'a/b', 'plugin-name': 'a b' }, "Input 'plugin-name'"],
  [{ 'server-repository': 'a/b', 'verify-symbols': 'Get-Info' }, "Input 'verify-symbols'"]
])('bad input %j is one line naming it', (given, message) => {
  let error: unknown
  try {
    parse(given)
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(InputError)
  expect((error as Error).message).toContain(message)
  expect((error as Error).message).toContain('accepted:')
  expect((error as Error).message).not.toContain('\n')
})

test('plugin-path and output-dir stay in the workspace; an absolute output-dir may also be under RUNNER_TEMP', () => {
  const i = parse({ 'server-repository': 'a/b', 'plugin-path': '/ws/sub/../plugin', 'output-dir': '/tmp/rt/out' })
  expect(i.pluginPath).toBe('/ws/plugin')
  expect(i.outputDir).toBe('/tmp/rt/out')
  expect(parse({ 'server-repository': 'a/b', 'output-dir': '.' }).outputDir).toBe('/ws')
  expect(parse({ 'server-repository': 'a/b', 'release-tag': 'release/v1.0' }).releaseTag).toBe('release/v1.0')
})

test('go-env takes KEY=VALUE lines, skips blanks and comments, refuses what would break loading', () => {
  expect(parseGoEnv('GOPROXY=http://p,direct\n\n# private\nGOPRIVATE=github.com/me/*\nGOFLAGS=-mod=mod')).toEqual({
    GOPROXY: 'http://p,direct',
    GOPRIVATE: 'github.com/me/*',
    GOFLAGS: '-mod=mod'
  })
  expect(() => parseGoEnv('GOTOOLCHAIN=go1.99.0')).toThrow(/GOTOOLCHAIN cannot be set/)
  expect(() => parseGoEnv('GOMODCACHE=/elsewhere')).toThrow(/module cache must sit at \/go\/pkg\/mod/)
  expect(() => parseGoEnv('export GOPROXY=x')).toThrow(/cannot read line/)
})

test('cache-timeout: seconds of the cache steps, 300 by default; a lookup gets 30 s of them at most', () => {
  expect(parse({ 'server-repository': 'a/b' }).cacheTimeout).toBe(300)
  expect(parse({ 'server-repository': 'a/b', 'cache-timeout': '12.5' }).cacheTimeout).toBe(12.5)
  for (const bad of ['0', '-5', '5m', 'never', '100000']) {
    expect(() => parse({ 'server-repository': 'a/b', 'cache-timeout': bad })).toThrow(InputError)
    expect(() => parse({ 'server-repository': 'a/b', 'cache-timeout': bad })).toThrow(/cache-timeout.*a number of seconds from 1 to 86400/)
  }
  expect(cacheBudget(300)).toEqual({ lookupMs: 30_000, totalMs: 300_000 })
  expect(cacheBudget(3)).toEqual({ lookupMs: 3000, totalMs: 3000 })
})

test('server-image with several plugins: one image holds them all, so image-tags cannot name one with {plugin}', () => {
  const several = { 'server-repository': 'gotify/server', 'plugin-path': 'a\nb\nc', 'server-image': 'gotify/server:{server-version-bare}' }
  expect(parse({ ...several, 'image-tags': 'ghcr.io/me/server-with-plugins:{server-version-bare}' }).serverImage).toMatchObject({ image: 'gotify/server:{server-version-bare}', tags: ['ghcr.io/me/server-with-plugins:{server-version-bare}'] })
  expect(() => parse({ ...several, 'image-tags': 'ghcr.io/me/x:latest\nghcr.io/me/{plugin}-server:latest' })).toThrow(
    "Input 'image-tags': \"ghcr.io/me/{plugin}-server:latest\" has {plugin}, and the image holds all 3 plugins of plugin-path; accepted: with several plugins, tags without {plugin}, such as ghcr.io/owner/server-with-plugins:{server-version-bare}"
  )
  // One plugin: {plugin} is its name, as before.
  expect(parse({ 'server-repository': 'gotify/server', 'server-image': 'gotify/server:1', 'image-tags': 'ghcr.io/me/{plugin}-server:latest' }).serverImage.tags).toHaveLength(1)
})

test('matrix-split: version by default; a job of a platform split refuses server-image, a run with one platform on purpose keeps it', () => {
  expect(parse({ 'server-repository': 'gotify/server' }).matrixSplit).toBe('version')
  expect(parse({ 'server-repository': 'gotify/server', 'matrix-split': 'both' }).matrixSplit).toBe('both')
  expect(() => parse({ 'server-repository': 'gotify/server', 'matrix-split': 'platforms' })).toThrow("Input 'matrix-split': \"platforms\" is not a choice; accepted: version, platform, both")
  const image = { 'server-repository': 'gotify/server', 'server-image': 'gotify/server:{server-version-bare}', platforms: 'linux-arm64' }
  for (const split of ['platform', 'both']) {
    expect(() => parse({ ...image, 'matrix-split': split })).toThrow(
      `Input 'server-image': a job of a matrix split by platform (matrix-split: ${split}) builds only some of the platforms (here linux-arm64), and the server image joins every platform into one; accepted: server-image in a job that builds every platform: matrix-split: version, or a job of its own outside the platform matrix`
    )
  }
  expect(parse(image).serverImage.image).toBe('gotify/server:{server-version-bare}')
  expect(parse({ ...image, 'matrix-split': 'version' }).platforms.map(p => p.id)).toEqual(['linux-arm64'])
})

// A control character in a name would split SHA256SUMS, reach the log raw or end in a file or image name (issue 18).
test.each([
  ['asset-name', '{plugin}-{platform}.so\nevil.so'],
  ['asset-name', '{plugin}-{platform}\r.so'],
  ['plugin-name', 'plug\u001bin'],
  ['release-tag', 'v1.0.0\u0085'],
  ['server-repository', 'gotify/server\u0000'],
  ['server-version', 'v2.9.1\u001b[31m'],
  ['image-tags', 'ghcr.io/me/x:{server-version}\u0007'],
  ['server-image', 'gotify/server\u2028:{server-version}'],
  ['server-binary', 'gotify-{platform}\u0000.zip'],
  ['output-dir', 'build\u0001'],
  ['plugin-path', 'plug\tin'],
  ['package', './cmd\u007f'],
  ['build-image', 'gotify/build:{go-version}\u0008'],
  ['go-env', 'GOPROXY=https://proxy.example\u001b,direct'],
  ['server-image-plugin-dir', '/app/data\u000b/plugins'],
  ['ldflags', '-w -s\u0000'],
  ['token', 'ghs_abc\u0000def']
])('a control character in %s is refused, naming the input and what is accepted', (name, value) => {
  const given: Record<string, string> = { 'server-repository': 'a/b', token: 't', [name]: value }
  let error: unknown
  try {
    parse(given)
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(InputError)
  const message = (error as Error).message
  expect(message).toMatch(new RegExp(`^Input '${name}': .* contains a control character \\((\\\\[nrt]|\\\\x[0-9a-f]{2}|\\\\u[0-9a-f]{4}) at position \\d+\\); accepted: printable text`))
  expect(hasControl(message)).toBe(false)
  if (name === 'token') expect(message).not.toContain('ghs_abc')
})

test('lists keep line breaks and tabs between their items', () => {
  const i = parse({ 'server-repository': 'a/b', 'server-version': 'v2.8.0\r\nv2.9.1', platforms: 'linux-amd64\n\tlinux-arm64', 'go-env': 'GOPROXY=off\nGOFLAGS=-mod=mod' })
  expect(i.serverVersion.terms.map(t => t.text)).toEqual(['v2.8.0', 'v2.9.1'])
  expect(i.platforms.map(p => p.id)).toEqual(['linux-amd64', 'linux-arm64'])
  expect(i.goEnv).toEqual({ GOPROXY: 'off', GOFLAGS: '-mod=mod' })
})

test('several plugins and their neighbours are lists too: line breaks between folders, names and files, but no tab inside one', () => {
  const i = parse({ 'server-repository': 'a/b', 'plugin-path': 'a\r\nb\nc', package: '.\n./cmd\n.', 'plugin-name': 'one\ntwo\nthree', 'with-plugins': 'x/*.so\ny/*.so' })
  expect(i.plugins.map(p => [p.pluginPath, p.pluginName])).toEqual([['/ws/a', 'one'], ['/ws/b', 'two'], ['/ws/c', 'three']])
  expect(i.withPlugins).toHaveLength(2)
  expect(() => parse({ 'server-repository': 'a/b', 'plugin-path': 'a\nb\tc' })).toThrow("Input 'plugin-path': \"a\\nb\\tc\" contains a control character (\\t at position 4)")
})
