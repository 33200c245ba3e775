import { planBuilds, defaultPluginName, imageFor } from '../../src/compile/plan.js'
import { parsePlatforms } from '../../src/platform.js'
import { InputError } from '../../src/errors.js'

const inputs = {
  platforms: parsePlatforms('linux-amd64,linux-arm-7'),
  buildImage: '{server-owner}/build:{go-version}-{platform}',
  assetName: '{plugin}-{platform}-for-{server-owner}-{server-version}.so',
  outputDir: '/ws/build',
  ldflags: '-w -s',
  buildArgs: ['-tags', 'netgo'],
  goEnv: { GOPROXY: 'http://p' },
  package: '.'
}
const server = { owner: 'Gotify', name: 'server', tag: 'v2.9.1', goVersion: '1.26.0' }

test('one job per platform, in the server image, with the server build flags and no -trimpath', () => {
  const jobs = planBuilds({ inputs, server, pluginName: 'echo', pluginWorkdir: '/proj/plugin' })
  expect(jobs.map(j => j.image)).toEqual(['gotify/build:1.26.0-linux-amd64', 'gotify/build:1.26.0-linux-arm-7'])
  expect(jobs[1].assetName).toBe('echo-linux-arm-7-for-gotify-v2.9.1.so')
  expect(jobs[1].outputPath).toBe('/ws/build/echo-linux-arm-7-for-gotify-v2.9.1.so')
  expect(jobs[0].goArgs).toEqual(['build', '-v', '-buildmode=plugin', '-ldflags=-w -s', '-tags', 'netgo', '-o', '/out/echo-linux-amd64-for-gotify-v2.9.1.so', '.'])
  expect(jobs[0].goArgs).not.toContain('-trimpath')
  expect(jobs[1].env).toMatchObject({ GOARCH: 'arm', GOARM: '7', GOTOOLCHAIN: 'local', GOMODCACHE: '/go/pkg/mod', GOPROXY: 'http://p', CGO_ENABLED: '1', GOFLAGS: '-modcacherw' })
  const withFlags = planBuilds({ inputs: { ...inputs, goEnv: { GOFLAGS: '-tags=x' } }, server, pluginName: 'echo', pluginWorkdir: '/proj' })
  expect(withFlags[0].env.GOFLAGS).toBe('-tags=x -modcacherw')
})

test('the compiler collects garbage less often (GOGC 400) unless go-env says otherwise', () => {
  expect(planBuilds({ inputs, server, pluginName: 'echo', pluginWorkdir: '/proj' }).map(j => j.env.GOGC)).toEqual(['400', '400'])
  const own = planBuilds({ inputs: { ...inputs, goEnv: { GOGC: '100' } }, server, pluginName: 'echo', pluginWorkdir: '/proj' })
  expect(own.map(j => j.env.GOGC)).toEqual(['100', '100'])
})

test('a server tag that would put a slash in a file name is refused before anything is written', () => {
  expect(() => planBuilds({ inputs, server: { ...server, tag: 'release/2.9' }, pluginName: 'echo', pluginWorkdir: '/proj' })).toThrow(InputError)
})

test('a server tag with a control character never reaches a file name: the rendered name is refused (issue 18)', () => {
  expect(() => planBuilds({ inputs, server: { ...server, tag: 'v2.9.1\nevil' }, pluginName: 'echo', pluginWorkdir: '/proj' })).toThrow(
    /^Input 'asset-name': ".*v2\.9\.1\\nevil.*" \(rendered for linux-amd64\) holds a control character; accepted:/
  )
})

test.each(['SHA256SUMS', 'sha256sums', 'compat-report.json', '.go-plugin-build.json'])('an asset named %s, like a file of the action, is refused', name => {
  const one = { ...inputs, platforms: parsePlatforms('linux-amd64'), assetName: name }
  expect(() => planBuilds({ inputs: one, server, pluginName: 'echo', pluginWorkdir: '/proj' })).toThrow(/Input 'asset-name': .* the action's own/)
})

test('the plugin name is the last element of the module path, /vN dropped', () => {
  expect(defaultPluginName('github.com/gotify/server/v2')).toBe('server')
  expect(defaultPluginName('github.com/me/gotify-broadcast')).toBe('gotify-broadcast')
  expect(defaultPluginName('example.com/v2')).toBe('example.com')
})

test('image references are checked after rendering', () => {
  expect(imageFor('ghcr.io/me/build:{go-version}', { 'go-version': '1.26.0' })).toBe('ghcr.io/me/build:1.26.0')
  expect(() => imageFor('build:{go-version} --privileged', { 'go-version': '1.26.0' })).toThrow(/not a valid image reference/)
})

test('an old server Go gets no flag it would reject', () => {
  const [job] = planBuilds({ inputs, server: { ...server, goVersion: '1.12.0' }, pluginName: 'echo', pluginWorkdir: '/proj' })
  expect(job.env.GOFLAGS).toBe('')
})
