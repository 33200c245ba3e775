import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseVersionRequest } from '../../src/server-versions/request.js'
import { candidateLabel, checkoutCommit } from '../../src/server/candidate.js'
import { checkCandidateInputs, parseBinaryPath, parseServerSource } from '../../src/server-versions/source.js'
import { decideUpload, withholdCandidates } from '../../src/release/decide.js'
import { matchingPlatform, platformOfBinary } from '../../src/server/binary-file.js'
import { parsePlatforms } from '../../src/platform.js'
import { parseInputs } from '../../src/run/inputs.js'

const SHA = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d'

test('ref:<branch or SHA> is a term of its own, never a tag or a range, and combines with the others', () => {
  expect(parseVersionRequest('latest, ref:master').terms).toEqual([
    { kind: 'latest', text: 'latest' },
    { kind: 'ref', ref: 'master', text: 'ref:master' }
  ])
  expect(parseVersionRequest(`ref:${SHA}\nref:feature/next`).terms.map(t => (t.kind === 'ref' ? t.ref : t.kind))).toEqual([SHA, 'feature/next'])
  expect(parseVersionRequest('ref:1a2b3c4').terms).toEqual([{ kind: 'ref', ref: '1a2b3c4', text: 'ref:1a2b3c4' }])
})

test.each([
  ['ref:', 'names no branch or commit'],
  ['ref:master..x', 'is not a branch name or commit SHA: it contains ".."'],
  ['ref:a b', 'it contains a space'],
  ['ref:-x', 'it starts with "-"'],
  ['ref:HEAD', 'it is not a branch name'],
  ['ref:x.lock', 'ending with ".lock"'],
  [`ref:${SHA}00`, 'is longer than a commit SHA'],
  ['ref:../../contents', 'contains ".."']
])('%s is refused in one line naming server-version', (text, problem) => {
  let message = ''
  try {
    parseVersionRequest(text)
  } catch (e) {
    message = (e as Error).message
  }
  expect(message).toContain(problem)
  expect(message).toMatch(/^Input 'server-version': .*; accepted: .*ref:<branch or commit SHA>|^Input 'server-version': .*; accepted: ref: followed by a branch name/)
  expect(message).not.toContain('\n')
})

test('a candidate is named by its short SHA: <branch>-<sha> for a branch, the SHA alone for a SHA, fit for file names and image tags', () => {
  expect(candidateLabel({ kind: 'ref', ref: 'master', sha: SHA })).toBe('master-1a2b3c4')
  expect(candidateLabel({ kind: 'ref', ref: 'feature/plugins@2', sha: SHA })).toBe('feature-plugins-2-1a2b3c4')
  expect(candidateLabel({ kind: 'ref', ref: '1a2b3c4d', sha: SHA })).toBe('1a2b3c4')
  expect(candidateLabel({ kind: 'ref', ref: SHA.toUpperCase(), sha: SHA })).toBe('1a2b3c4')
  expect(candidateLabel({ kind: 'local', dir: '.', sha: SHA })).toBe('1a2b3c4')
  expect(candidateLabel({ kind: 'local', dir: 'server' })).toBe('local')
  expect(candidateLabel({ kind: 'local', dir: 'server', sha: SHA, dirty: true })).toBe('1a2b3c4-dirty')
})

test("a local checkout's commit, and -dirty only when a tracked file below the folder changed (real git)", async () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'checkout-'))
  const server = path.join(repo, 'server')
  fs.mkdirSync(server)
  fs.writeFileSync(path.join(server, 'go.mod'), 'module example.com/server\n\ngo 1.21\n')
  fs.writeFileSync(path.join(repo, 'README'), 'x\n')
  const git = (...args: string[]): string => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' })
  expect(await checkoutCommit(server)).toBeUndefined() // not a git repository yet (os.tmpdir() is none)
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'one')
  const sha = git('rev-parse', 'HEAD').trim()
  expect(await checkoutCommit(server)).toEqual({ sha, dirty: false })
  // Untracked files (a server binary the workflow built), a file only touched, a change outside the folder: still clean.
  fs.writeFileSync(path.join(server, 'gotify'), 'binary')
  const later = new Date(Date.now() + 5000)
  fs.utimesSync(path.join(server, 'go.mod'), later, later)
  fs.writeFileSync(path.join(repo, 'README'), 'changed\n')
  expect(await checkoutCommit(server)).toEqual({ sha, dirty: false })
  fs.appendFileSync(path.join(server, 'go.mod'), 'require example.com/x v1.0.0\n')
  expect(await checkoutCommit(server)).toEqual({ sha, dirty: true })
  expect(candidateLabel({ kind: 'local', dir: 'server', sha, dirty: true })).toBe(`${sha.slice(0, 7)}-dirty`)
  fs.rmSync(repo, { recursive: true, force: true })
})

test('a release event uploads its published versions; a candidate only to an explicit release-tag', () => {
  const event = decideUpload({ upload: 'auto', eventName: 'release', payloadReleaseTag: 'v1.0.0' })
  const held = withholdCandidates(event, undefined, ['master-1a2b3c4'])
  expect(held.withheld).toEqual(['master-1a2b3c4'])
  expect(held.note).toMatch(/^not uploading the files of master-1a2b3c4: .*release-tag is not set$/)
  const explicit = decideUpload({ upload: 'auto', releaseTag: 'nightly', eventName: 'schedule' })
  expect(withholdCandidates(explicit, 'nightly', ['master-1a2b3c4']).withheld).toEqual([])
  expect(withholdCandidates(event, undefined, []).withheld).toEqual([])
})

describe('server-source and server-binary paths, checked against the workspace', () => {
  let ws: string
  beforeAll(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-'))
    fs.mkdirSync(path.join(ws, 'server'))
    fs.writeFileSync(path.join(ws, 'server', 'go.mod'), 'module example.com/server\n')
    fs.mkdirSync(path.join(ws, 'empty'))
    fs.writeFileSync(path.join(ws, 'gotify'), 'binary')
    fs.symlinkSync(os.tmpdir(), path.join(ws, 'out'))
  })
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }))

  test('github, local (the root) or a folder with go.mod inside the workspace', () => {
    expect(parseServerSource('github', ws)).toEqual({ kind: 'github' })
    expect(parseServerSource('server', ws)).toMatchObject({ kind: 'local', shownDir: 'server' })
    expect(() => parseServerSource('local', ws)).toThrow(/^Input 'server-source': "local" has no go\.mod; accepted: github \(the default\), local/)
    expect(() => parseServerSource('empty', ws)).toThrow("Input 'server-source': \"empty\" has no go.mod")
    expect(() => parseServerSource('../x', ws)).toThrow(/^Input 'server-source': "\.\.\/x" is outside the workspace/)
    expect(() => parseServerSource('nope', ws)).toThrow(/^Input 'server-source': "nope" does not exist in the workspace/)
    expect(() => parseServerSource('out', ws)).toThrow(/leads outside the workspace/)
  })

  test('server-binary with a / is a file inside the workspace; without one an asset name', () => {
    expect(parseBinaryPath('./gotify', ws)).toEqual({ kind: 'file', path: fs.realpathSync(path.join(ws, 'gotify')), shown: './gotify' })
    expect(() => parseBinaryPath('./missing', ws)).toThrow(/^Input 'server-binary': "\.\/missing" does not exist in the workspace; accepted: a path with a \//)
    expect(() => parseBinaryPath('./server', ws)).toThrow('is not a file')
    expect(() => parseBinaryPath('/etc/passwd', ws)).toThrow('is outside the workspace')
    expect(() => parseBinaryPath('./{platform}', ws)).toThrow('a path with a placeholder')
    const inputs = parseInputs(n => ({ 'server-repository': 'a/b', 'server-binary': 'gotify-{platform}.zip' })[n], { workspace: ws, runnerTemp: '/tmp/rt' })
    expect(inputs.serverBinary).toEqual({ kind: 'template', template: 'gotify-{platform}.zip' })
  })

  test('how they combine: a checkout is the only version; a binary file witnesses one candidate; no server image for a candidate', () => {
    const local = parseServerSource('server', ws)
    const file = parseBinaryPath('./gotify', ws)
    const none = { kind: 'none' as const }
    expect(() => checkCandidateInputs({ source: local, request: parseVersionRequest('latest'), binary: file })).not.toThrow()
    expect(() => checkCandidateInputs({ source: local, request: parseVersionRequest('v2.9.1'), binary: none })).toThrow(
      /^Input 'server-version': "v2\.9\.1" with server-source server: the checkout is the only server version; accepted: /
    )
    expect(() => checkCandidateInputs({ source: { kind: 'github' }, request: parseVersionRequest('ref:master'), binary: file })).not.toThrow()
    expect(() => checkCandidateInputs({ source: { kind: 'github' }, request: parseVersionRequest('latest, ref:master'), binary: file })).toThrow(/^Input 'server-binary': the file "\.\/gotify" is a binary of one server build/)
    expect(() => checkCandidateInputs({ source: { kind: 'github' }, request: parseVersionRequest('latest'), binary: file })).toThrow(/^Input 'server-binary'/)
    expect(() => checkCandidateInputs({ source: { kind: 'github' }, request: parseVersionRequest('ref:master'), binary: none, serverImage: 'gotify/server:{server-version-bare}' })).toThrow(
      /^Input 'server-image': ref:master has no published server image/
    )
  })
})

test("a binary's platform from its ELF machine and Go build info; matched against the run's platforms", () => {
  const info = (settings: Record<string, string>) => ({ buildInfo: { goVersion: 'go1.26.0', path: 'x', main: { path: 'x', version: '' }, deps: [], settings: Object.entries(settings).map(([key, value]) => ({ key, value })) } })
  expect(platformOfBinary({ goarch: 'arm', ...info({ GOOS: 'linux', GOARM: '7' }) }).id).toBe('linux-arm-7')
  expect(platformOfBinary({ goarch: 'amd64', ...info({ GOOS: 'linux', GOAMD64: 'v1' }) }).id).toBe('linux-amd64')
  const run = parsePlatforms('linux-amd64,linux-arm-7')
  expect(matchingPlatform({ goarch: 'arm', ...info({ GOARM: '7' }) }, run)?.id).toBe('linux-arm-7')
  expect(matchingPlatform({ goarch: 'arm', ...info({ GOARM: '6' }) }, run)).toBeUndefined()
  expect(matchingPlatform({ goarch: 'arm64', buildInfo: undefined }, run)).toBeUndefined()
  expect(matchingPlatform({ goarch: 'amd64', buildInfo: undefined }, run)?.id).toBe('linux-amd64')
})
