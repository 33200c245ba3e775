import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { StepError } from '../../src/errors.js'
import { GitHubApi } from '../../src/github/api.js'
import { releaseShape } from '../../src/github/shapes.js'
import { parseChecksums, sha256Hex } from '../../src/release/checksums.js'
import type { Artifact } from '../../src/release/plan.js'
import { type UploadOptions, uploadToRelease } from '../../src/release/upload.js'
import { createGitHubServer, type GitHubServer } from '../support/github-server.js'
import { artifactFile } from '../support/release-artifacts.js'

// Nothing lost, nothing half-done (issue 8): faults injected on the test GitHub
// server; after every failure the release holds each asset it had, or its
// replacement, and the error is one line that says what to do.
const REPO = 'me/plugin'
const TAG = 'v1.0.0'
const TOKEN = 'secret-token-1234'
let gh: GitHubServer
let api: GitHubApi
let dir: string

beforeEach(async () => {
  gh = await createGitHubServer({ token: TOKEN })
  api = new GitHubApi({ token: TOKEN, baseUrl: gh.url, retry: { attempts: 3, baseMs: 5, maxMs: 50 }, timeoutMs: 2000 })
  dir = await mkdtemp(path.join(tmpdir(), 'upload-safety-'))
})
afterEach(async () => {
  await gh.close()
  await rm(dir, { recursive: true, force: true })
})

const artifact = (name: string, content: string): Promise<Artifact> => artifactFile(dir, name, content)

function options(artifacts: Artifact[], extra: Partial<UploadOptions> = {}): UploadOptions {
  return { repository: { owner: 'me', name: 'plugin' }, tag: TAG, artifacts, overwrite: true, checksums: true, log: () => {}, checksumPauseMs: 20, ...extra }
}

/** name -> text of every asset on the release. */
const onRelease = (): Record<string, string> => Object.fromEntries([...gh.state.assets(REPO, TAG)].map(([n, b]) => [n, b.toString()]))

/** What the run threw (undefined when it did not fail). */
const caught = (run: Promise<unknown>): Promise<unknown> =>
  run.then(
    () => undefined,
    (x: unknown) => x
  )

/** The run's failure: a StepError of one line, never a raw API error or a stack. */
async function failure(run: Promise<unknown>): Promise<string> {
  return oneLine(await caught(run))
}

function oneLine(e: unknown): string {
  expect(e).toBeInstanceOf(StepError)
  const message = (e as Error).message
  expect(message).not.toContain('\n')
  return message
}

/** Each listed file's bytes on the server hash to its line, and every .so is listed. */
function expectChecksumsMatchServer(): void {
  const assets = gh.state.assets(REPO, TAG)
  const sums = parseChecksums(assets.get('SHA256SUMS')?.toString('utf8') ?? '')
  expect([...sums.keys()]).toEqual([...assets.keys()].filter(n => n.endsWith('.so')).sort())
  for (const [name, hex] of sums) expect(sha256Hex(assets.get(name)!)).toBe(hex)
}

/** A release with an old arm64 plugin and a SHA256SUMS listing it. */
function releaseWithOldAsset(): void {
  const rel = gh.state.addRelease(REPO, TAG)
  gh.state.addAsset(rel, 'p-linux-arm64.so', 'old arm64 bytes')
  gh.state.addAsset(rel, 'SHA256SUMS', `${sha256Hex('old arm64 bytes')}  p-linux-arm64.so\n`)
}
const OLD = { 'p-linux-arm64.so': 'old arm64 bytes', SHA256SUMS: `${sha256Hex('old arm64 bytes')}  p-linux-arm64.so\n` }
const isTemporary = (name: string): boolean => /\.go-plugin-build-[0-9a-f]{8}\.tmp$/.test(name)

describe('overwrite: the new bytes land before the old asset goes', () => {
  test('an upload that fails after every retry (502) leaves the old asset and SHA256SUMS', async () => {
    releaseWithOldAsset()
    gh.inject({ method: 'POST', path: /^\/uploads\//, status: 502, retryAfter: 0 })
    const e = await caught(uploadToRelease(api, options([await artifact('p-linux-arm64.so', 'new arm64 bytes')])))
    expect(onRelease()).toEqual(OLD)
    expect(oneLine(e)).toMatch(/^Could not upload p-linux-arm64\.so\S* on release v1\.0\.0 of me\/plugin \(POST \/uploads\/\S+: HTTP 502, gave up after 3 tries: injected 502\); GitHub kept failing; re-run the job later$/)
  })

  test('a 403 on the upload leaves the old asset and names the permission', async () => {
    releaseWithOldAsset()
    gh.inject({ method: 'POST', path: /^\/uploads\//, status: 403 })
    const e = await caught(uploadToRelease(api, options([await artifact('p-linux-arm64.so', 'new arm64 bytes')])))
    expect(onRelease()).toEqual(OLD)
    expect(oneLine(e)).toMatch(/give the job permissions: contents: write$/)
  })

  test('DELETE answering 500 every time leaves the old asset; the next run finishes and removes the leftover', async () => {
    releaseWithOldAsset()
    gh.inject({ method: 'DELETE', path: /\/releases\/assets\/\d+$/, status: 500, retryAfter: 0 })
    const arm64 = await artifact('p-linux-arm64.so', 'new arm64 bytes')
    const e = await caught(uploadToRelease(api, options([arm64])))
    expect(onRelease()).toMatchObject(OLD)
    expect(oneLine(e)).toMatch(/^Could not delete p-linux-arm64\.so on release v1\.0\.0 of me\/plugin \(DELETE \S+: HTTP 500, gave up after 3 tries: injected 500\); GitHub kept failing; re-run the job later; the release still has the old p-linux-arm64\.so$/)
    // The old asset and SHA256SUMS as they were; the new bytes wait under a temporary name (DELETE fails for it too).
    const after = onRelease()
    expect(Object.fromEntries(Object.entries(after).filter(([n]) => !isTemporary(n)))).toEqual(OLD)
    expect(Object.keys(after).filter(isTemporary)).toHaveLength(1)

    gh.clearFaults()
    const result = await uploadToRelease(api, options([arm64]))
    expect(result.assets.map(a => [a.name, a.status])).toEqual([['p-linux-arm64.so', 'replaced'], ['SHA256SUMS', 'replaced']])
    expect(Object.keys(onRelease()).sort()).toEqual(['SHA256SUMS', 'p-linux-arm64.so'])
    expect(onRelease()['p-linux-arm64.so']).toBe('new arm64 bytes')
    expectChecksumsMatchServer()
  })

  test('the old asset is deleted only after the new one is uploaded, and the new one is renamed into place', async () => {
    releaseWithOldAsset()
    await uploadToRelease(api, options([await artifact('p-linux-arm64.so', 'new arm64 bytes')]))
    const writes = gh.writes().map(w => `${w.method} ${w.method === 'POST' ? new URL(w.url, gh.url).searchParams.get('name') : w.path.replace(/\d+$/, 'ID')}`)
    expect(writes.slice(0, 3)).toEqual([expect.stringMatching(/^POST p-linux-arm64\.so\.go-plugin-build-[0-9a-f]{8}\.tmp$/), 'DELETE /repos/me/plugin/releases/assets/ID', 'PATCH /repos/me/plugin/releases/assets/ID'])
    expectChecksumsMatchServer()
  })

  test('a rename that keeps failing leaves the new bytes on the release under the temporary name; the next run finishes', async () => {
    releaseWithOldAsset()
    gh.inject({ method: 'PATCH', path: /\/releases\/assets\/\d+$/, status: 502, retryAfter: 0 })
    const arm64 = await artifact('p-linux-arm64.so', 'new arm64 bytes')
    const message = await failure(uploadToRelease(api, options([arm64])))
    expect(message).toMatch(/^Could not rename p-linux-arm64\.so\.go-plugin-build-[0-9a-f]{8}\.tmp to p-linux-arm64\.so .*re-run the job later; the new p-linux-arm64\.so is on the release as p-linux-arm64\.so\.go-plugin-build-[0-9a-f]{8}\.tmp until a run finishes the job$/)
    expect(Object.entries(onRelease()).filter(([n]) => isTemporary(n)).map(([, text]) => text)).toEqual(['new arm64 bytes'])
    gh.clearFaults()
    await uploadToRelease(api, options([arm64]))
    expect(onRelease()).toEqual({ 'p-linux-arm64.so': 'new arm64 bytes', SHA256SUMS: `${sha256Hex('new arm64 bytes')}  p-linux-arm64.so\n` })
  })

  test('SHA256SUMS too: a new one that cannot be uploaded leaves the old one', async () => {
    const rel = gh.state.addRelease(REPO, TAG)
    gh.state.addAsset(rel, 'p-old.so', 'old')
    gh.state.addAsset(rel, 'SHA256SUMS', `${sha256Hex('old')}  p-old.so\n`)
    gh.inject({ method: 'POST', path: /^\/uploads\//, query: /name=SHA256SUMS/, status: 503, retryAfter: 0 })
    const e = await caught(uploadToRelease(api, options([await artifact('p-new.so', 'new')])))
    expect(onRelease()).toEqual({ 'p-old.so': 'old', SHA256SUMS: `${sha256Hex('old')}  p-old.so\n`, 'p-new.so': 'new' })
    expect(oneLine(e)).toMatch(/^Could not upload SHA256SUMS\S* on release v1\.0\.0 .*re-run the job later$/)
  })

  test('temporaries an earlier failed run left are removed; a fresh one of another job, and everything else, is left', async () => {
    const rel = gh.state.addRelease(REPO, TAG)
    const hourAgo = new Date(Date.now() - 3600_000).toISOString()
    gh.state.addAsset(rel, 'p-linux-arm64.so.go-plugin-build-0000abcd.tmp', 'half done', { created_at: hourAgo })
    gh.state.addAsset(rel, 'SHA256SUMS.go-plugin-build-0000beef.tmp', 'stale', { created_at: hourAgo })
    gh.state.addAsset(rel, 'SHA256SUMS.go-plugin-build-0000cafe.tmp', 'another job, mid-swap')
    gh.state.addAsset(rel, 'other-job.so.go-plugin-build-0000f00d.tmp', 'another job', { created_at: hourAgo })
    gh.state.addAsset(rel, 'notes.tmp', 'mine')
    await uploadToRelease(api, options([await artifact('p-linux-arm64.so', 'arm64')]))
    expect(Object.keys(onRelease()).sort()).toEqual([
      'SHA256SUMS', 'SHA256SUMS.go-plugin-build-0000cafe.tmp', 'notes.tmp', 'other-job.so.go-plugin-build-0000f00d.tmp', 'p-linux-arm64.so'
    ])
    expectChecksumsMatchServer()
  })
})

describe('concurrent jobs: an asset that vanishes between listing and reading means read again', () => {
  test('a concurrent job deletes SHA256SUMS between the listing and its download', async () => {
    gh.state.digests = false
    const rel = gh.state.addRelease(REPO, TAG)
    gh.state.addAsset(rel, 'p-linux-amd64.so', 'amd64 bytes')
    const sums = gh.state.addAsset(rel, 'SHA256SUMS', `${sha256Hex('amd64 bytes')}  p-linux-amd64.so\n`)
    const concurrentJob = gh.inject({ method: 'GET', path: `/repos/me/plugin/releases/assets/${sums.id}`, times: 1, before: state => void state.deleteAsset(REPO, TAG, 'SHA256SUMS') })
    const result = await uploadToRelease(api, options([await artifact('p-linux-amd64.so', 'amd64 bytes')], { overwrite: false }))
    expect(concurrentJob.hits).toBe(1)
    expect(result.assets.map(a => [a.name, a.status])).toEqual([['p-linux-amd64.so', 'kept'], ['SHA256SUMS', 'uploaded']])
    expectChecksumsMatchServer()
  })

  test('a concurrent job replaces the asset being compared while it is downloaded', async () => {
    gh.state.digests = false
    const rel = gh.state.addRelease(REPO, TAG)
    const old = gh.state.addAsset(rel, 'p-linux-amd64.so', 'amd64 bytes')
    const concurrentJob = gh.inject({
      method: 'GET',
      path: `/repos/me/plugin/releases/assets/${old.id}`,
      times: 1,
      before: state => {
        state.deleteAsset(REPO, TAG, 'p-linux-amd64.so')
        state.addAsset(state.release(REPO, TAG)!, 'p-linux-amd64.so', 'amd64 bytes')
      }
    })
    const result = await uploadToRelease(api, options([await artifact('p-linux-amd64.so', 'amd64 bytes')], { overwrite: false }))
    expect(concurrentJob.hits).toBe(1)
    expect(result.assets[0]).toMatchObject({ name: 'p-linux-amd64.so', status: 'kept' })
    expectChecksumsMatchServer()
  })
})

describe('without a digest, a SHA256SUMS line is no proof: the bytes are read', () => {
  test('an asset whose bytes differ from its SHA256SUMS line is not kept as "same content"', async () => {
    gh.state.digests = false
    const rel = gh.state.addRelease(REPO, TAG)
    gh.state.addAsset(rel, 'p-linux-amd64.so', 'EVIL bytes!')
    gh.state.addAsset(rel, 'SHA256SUMS', `${sha256Hex('amd64 bytes')}  p-linux-amd64.so\n`)
    const amd64 = await artifact('p-linux-amd64.so', 'amd64 bytes')
    const message = await failure(uploadToRelease(api, options([amd64], { overwrite: false })))
    expect(message).toBe('Release v1.0.0 already has an asset p-linux-amd64.so with other content; nothing was uploaded; set overwrite: true to replace them, or change asset-name')
    expect(gh.writes()).toEqual([])
    const result = await uploadToRelease(api, options([amd64]))
    expect(result.assets[0]).toMatchObject({ status: 'replaced' })
    expect(onRelease()['p-linux-amd64.so']).toBe('amd64 bytes')
    expectChecksumsMatchServer()
  })

  test("other jobs' assets get lines from their bytes, not from a SHA256SUMS that lies", async () => {
    gh.state.digests = false
    const rel = gh.state.addRelease(REPO, TAG)
    gh.state.addAsset(rel, 'other.so', 'real bytes')
    gh.state.addAsset(rel, 'SHA256SUMS', `${sha256Hex('claimed bytes')}  other.so\n`)
    await uploadToRelease(api, options([await artifact('p.so', 'p')]))
    expectChecksumsMatchServer()
  })
})

describe('every failure is one line that says what to do', () => {
  test('401 on listing the assets: check the token', async () => {
    gh.state.addRelease(REPO, TAG)
    gh.inject({ method: 'GET', path: /\/releases\/\d+\/assets$/, status: 401 })
    expect(await failure(uploadToRelease(api, options([await artifact('p.so', 'p')])))).toMatch(/^Could not list the assets on release v1\.0\.0 of me\/plugin \(GET \S+: HTTP 401: injected 401\); GitHub refused the token; check the token input/)
  })

  test('403 on listing the assets: the permission the job needs', async () => {
    gh.state.addRelease(REPO, TAG)
    gh.inject({ method: 'GET', path: /\/releases\/\d+\/assets$/, status: 403 })
    expect(await failure(uploadToRelease(api, options([await artifact('p.so', 'p')])))).toMatch(/^Could not list the assets .*HTTP 403.*; give the job permissions: contents: write$/)
  })

  test('429 asking to wait an hour is not waited for: re-run later', async () => {
    gh.state.addRelease(REPO, TAG)
    const limit = gh.inject({ method: 'POST', path: /^\/uploads\//, status: 429, retryAfter: 3600 })
    const started = Date.now()
    expect(await failure(uploadToRelease(api, options([await artifact('p.so', 'p')])))).toMatch(/^Could not upload p\.so .*HTTP 429: injected 429\); GitHub rate-limited this job; re-run the job later \(GitHub asks to wait 60 min\)$/)
    expect(limit.hits).toBe(1)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(onRelease()).toEqual({})
  })

  test('connection refused: GitHub cannot be reached; re-run later', async () => {
    gh.state.addRelease(REPO, TAG)
    const release = await api.getJson('/repos/me/plugin/releases/tags/v1.0.0', releaseShape)
    const port = new URL(gh.url).port
    await gh.close()
    const message = await failure(uploadToRelease(api, options([await artifact('p.so', 'p')])))
    expect(release.id).toBeGreaterThan(0)
    expect(message).toMatch(new RegExp(`connection failed \\(ECONNREFUSED\\), gave up after 3 tries.*the GitHub API at http://127\\.0\\.0\\.1:${port} could not be reached; re-run the job later`))
    gh = await createGitHubServer()
  })

  test('a tag with ".." never reaches an API path, even past the input checks', async () => {
    gh.state.addRelease('other/repo', 'v1')
    gh.state.repo(REPO)
    const err = await uploadToRelease(api, options([await artifact('p.so', 'p')], { tag: '../../../../other/repo/releases/tags/v1' })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(gh.log).toEqual([])
    expect(gh.state.assets('other/repo', 'v1').size).toBe(0)
  })
})
