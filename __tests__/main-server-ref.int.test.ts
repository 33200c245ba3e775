import * as fs from 'node:fs'
import { type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'

// A plugin author's nightly (server-version: ref:<branch or SHA>): will the plugin still load when the server's
// next release is cut from master? The test GitHub's server has a release v2.9.1 linking example.com/dep v1.1.0,
// and a master branch whose go.mod moves dep back to v1.0.0. The fixture plugin links newlib, which needs dep
// v1.1.0: it cannot be aligned with master, and it can with the release.
const SERVER = 'gotify/server'
const PLUGIN_REPO = 'someone/plugin'
const goMod = (dep: string): string => `module example.com/server/v2\n\ngo 1.21\n\nrequire example.com/dep ${dep}\n`
let world: World
let master: string
let next: string
beforeAll(async () => {
  world = await startWorld({ serverGoMod: goMod('v1.1.0'), serverBinaries: false, tags: ['v2.9.1'] })
  const files = (dep: string) => ({ GO_VERSION: `${world.goVersion}\n`, 'go.mod': goMod(dep) })
  next = world.github.state.addCommit(SERVER, files('v1.1.0'))
  master = world.github.state.addCommit(SERVER, files('v1.0.0'), 'master')
})
afterAll(async () => world.close())

const inputs = (serverVersion: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'server-repository': SERVER,
  'server-version': serverVersion,
  'plugin-path': 'plugin',
  token: 'test-token',
  'go-env': world.goEnv,
  platforms: 'linux-amd64',
  ...extra
})
const contentsAsked = (): string[] => world.github.log.filter(e => e.path.includes('/contents/')).map(e => e.url)

test('ref:master is pinned to its commit and read there; the nightly refuses, naming the module master moves', async () => {
  const before = contentsAsked().length
  const run = await runAction({ inputs: inputs('ref:master'), workspace: checkoutPlugin('unresolvable'), apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.log).toContain(`Server version master-${master.slice(0, 7)} of ${SERVER}: ref:master at ${master}, a candidate: no release, no release binaries`)
  // GO_VERSION and go.mod come from the pinned commit, never from the moving branch.
  const asked = contentsAsked().slice(before)
  expect(asked).toHaveLength(2)
  for (const url of asked) expect(url).toContain(`ref=${master}`)
  const errors = run.errors.join('\n')
  expect(errors).toMatch(/example\.com\/dep/)
  expect(errors).toMatch(/v1\.0\.0/)
  expect(errors).toMatch(/example\.com\/newlib@v1\.0\.0/)
  expect(run.outputs.compatible).toBe('false')
})

test('ref:<SHA> of that commit refuses the same way', async () => {
  const run = await runAction({ inputs: inputs(`ref:${master.slice(0, 12)}`), workspace: checkoutPlugin('unresolvable'), apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.log).toContain(`Server version ${master.slice(0, 7)} of ${SERVER}: ref:${master.slice(0, 12)} at ${master}`)
  expect(run.errors.join('\n')).toMatch(/example\.com\/dep.*v1\.0\.0|v1\.0\.0.*example\.com\/dep/)
})

test('from a release event: the plugin passes at the release tag and at a commit; files carry the short SHA; only the release version is uploaded', async () => {
  world.github.state.addRelease(PLUGIN_REPO, 'v1.0.0')
  const short = next.slice(0, 7)
  const run = await runAction({
    inputs: inputs(`v2.9.1, ref:${next}`),
    workspace: checkoutPlugin('unresolvable'),
    apiUrl: world.github.url,
    repository: PLUGIN_REPO,
    event: { name: 'release', payload: { action: 'published', release: { tag_name: 'v1.0.0' } } }
  })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ name: string; serverVersion: string; upload?: string }>
  expect(artifacts.map(a => [a.serverVersion, a.name, a.upload])).toEqual([
    ['v2.9.1', 'unresolvable-linux-amd64-for-gotify-v2.9.1.so', 'uploaded'],
    [short, `unresolvable-linux-amd64-for-gotify-${short}.so`, undefined]
  ])
  expect([...world.github.state.assets(PLUGIN_REPO, 'v1.0.0').keys()].sort()).toEqual(['SHA256SUMS', 'unresolvable-linux-amd64-for-gotify-v2.9.1.so'])
  const note = `not uploading the files of ${short}: a candidate server version (ref: or a local checkout) is uploaded only to the release named by release-tag, and release-tag is not set`
  expect(run.log).toContain(note)
  expect(run.summary).toContain(note.replace(/^not uploading/, 'Not uploaded'))
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.versions.map((v: { server: { tag: string; origin: object } }) => [v.server.tag, v.server.origin])).toEqual([
    ['v2.9.1', undefined],
    [short, { kind: 'ref', ref: next, sha: next }]
  ])
  // The candidate's platform was judged by the stand-in loader: there are no release binaries for a commit.
  expect(report.versions[1].platforms[0].verification).toMatchObject({ status: 'loaded', witness: expect.stringMatching(/loader/) })
})

test('an unknown branch fails in one line', async () => {
  const run = await runAction({ inputs: inputs('ref:no-such-branch'), workspace: checkoutPlugin('basic'), apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([`::error::${SERVER} has no branch or commit "no-such-branch" (or the token cannot read it); set server-version to ref:<a branch or commit SHA of server-repository>`])
})
