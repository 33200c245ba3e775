// The native builder's Go, for real: @actions/tool-cache downloads a release
// archive made from this machine's own toolchain from a Go download site on
// 127.0.0.1, checks its sha256 against what the site publishes, extracts and
// caches it; a corrupted archive, or one without a published checksum, is refused.
import * as tc from '@actions/tool-cache'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { goVersionAt, installGo } from '../../src/go-runner/go-install.js'
import { goToolCacheVersion } from '../../src/go-runner/go-download.js'
import { type GoReleaseSite, serveGoRelease } from '../support/go-release.js'
import { chmodWritable } from '../support/host-go-runner.js'

let root: string
const sites: GoReleaseSite[] = []
const site = async (opts: Parameters<typeof serveGoRelease>[0]): Promise<GoReleaseSite> => {
  const s = await serveGoRelease(opts)
  sites.push(s)
  return s
}

/** A fresh tool cache and temp folder, as a new runner has. */
function freshRunner(name: string): { toolCache: string; temp: string } {
  const toolCache = path.join(root, name, 'tool-cache')
  const temp = path.join(root, name, 'temp')
  fs.mkdirSync(toolCache, { recursive: true })
  fs.mkdirSync(temp, { recursive: true })
  process.env.RUNNER_TOOL_CACHE = toolCache
  process.env.RUNNER_TEMP = temp
  return { toolCache, temp }
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'go-install-'))
})
afterAll(async () => {
  for (const s of sites) await s.close()
  chmodWritable(root)
  fs.rmSync(root, { recursive: true, force: true })
})

test('Go from a go.dev-like site: checked against its checksum list, extracted, cached; the next run takes it from the tool cache', async () => {
  const s = await site({ checksums: ['list'] })
  const { toolCache, temp } = freshRunner('list')
  const lines: string[] = []
  const t0 = Date.now()
  const first = await installGo({ goVersion: s.goVersion, baseUrl: s.url, log: l => lines.push(l) })
  const seconds = (Date.now() - t0) / 1000
  expect(first.downloaded).toBe(true)
  expect(first.goroot).toBe(path.join(toolCache, 'go', goToolCacheVersion(s.goVersion), os.arch()))
  expect(await goVersionAt(first.goroot)).toBe(`go${s.goVersion}`)
  expect(s.log).toEqual(['/dl/?mode=json&include=all', `/dl/${s.archive.name}`])
  expect(lines.join('\n')).toContain(`downloading ${s.url}/${s.archive.name} (sha256 ${s.archive.sha256} from ${s.url}/?mode=json&include=all)`)
  // The archive is not left behind in RUNNER_TEMP (the extracted copy is, until the runner empties it).
  expect(fs.readdirSync(temp).filter(f => fs.statSync(path.join(temp, f)).isFile())).toEqual([])

  const again = await installGo({ goVersion: s.goVersion, baseUrl: s.url, log: l => lines.push(l) })
  expect(again).toEqual({ goroot: first.goroot, downloaded: false })
  expect(s.log).toHaveLength(2)
  console.log(`Go ${s.goVersion}: ${(s.archive.size / 1e6).toFixed(0)} MB downloaded, checked, extracted and cached in ${seconds.toFixed(1)} s`)
})

test('a corrupted archive is refused, and nothing is installed', async () => {
  const s = await site({ checksums: ['list'], corrupt: true })
  const { temp } = freshRunner('corrupt')
  await expect(installGo({ goVersion: s.goVersion, baseUrl: s.url, log: () => undefined })).rejects.toThrow(
    new RegExp(`^go-download-base-url: ${s.url}/${s.archive.name} has sha256 [0-9a-f]{64}, but ${s.url.replace(/\./g, '\\.')}/\\?mode=json&include=all says ${s.archive.sha256}: refused, nothing installed`)
  )
  expect(tc.find('go', goToolCacheVersion(s.goVersion))).toBe('')
  expect(fs.readdirSync(temp)).toEqual([])
})

test('a mirror with .sha256 files beside the archives: that checksum is the one checked', async () => {
  const s = await site({ checksums: ['file'], corrupt: true })
  freshRunner('file')
  await expect(installGo({ goVersion: s.goVersion, baseUrl: s.url, log: () => undefined })).rejects.toThrow(`but ${s.url}/${s.archive.name}.sha256 says ${s.archive.sha256}: refused`)
  expect(s.log).toEqual(['/dl/?mode=json&include=all', `/dl/${s.archive.name}.sha256`, `/dl/${s.archive.name}`])
})

test('a site that publishes no checksum: nothing is downloaded', async () => {
  const s = await site({ checksums: [] })
  freshRunner('none')
  await expect(installGo({ goVersion: s.goVersion, baseUrl: s.url, log: () => undefined })).rejects.toThrow(
    `go-download-base-url: no published sha256 for ${s.archive.name}: ${s.url}/?mode=json&include=all HTTP 404, and ${s.url}/${s.archive.name}.sha256: HTTP 404; a mirror must serve`
  )
  expect(s.log).not.toContain(`/dl/${s.archive.name}`)
})
