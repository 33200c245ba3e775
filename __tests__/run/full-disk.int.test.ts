// A full disk (issue 27) on a real, small file system (tmpfs): each place that writes names the full disk and its
// folder, never a connection, the token or a corrupt asset.
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { DiskFullError, diskFull, namedFolder } from '../../src/errors.js'
import { DEFAULT_LIMITS, downloadFile } from '../../src/http/download.js'
import { extractServerBinary } from '../../src/server/archive-binary.js'
import { failureMessage } from '../../src/run/annotations.js'
import { makeZip } from '../support/zip.js'
import { type SmallDisk, mountSmallDisk } from '../support/small-disk.js'

let disk: SmallDisk
beforeEach(() => {
  disk = mountSmallDisk(256 * 1024)
})
afterEach(() => disk.close())

test('a download onto a full disk is a full disk, tried once: not a connection failure to retry', async () => {
  let requests = 0
  const server = http.createServer((_, res) => {
    requests++
    res.end(Buffer.alloc(1024 * 1024, 1))
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/asset`
    const dest = path.join(disk.dir, 'download')
    const e = await downloadFile({ url, dest, limits: { ...DEFAULT_LIMITS, retryDelayMs: 10 } }).catch((x: unknown) => x)
    expect(diskFull(e)).toMatchObject({ code: 'ENOSPC' })
    expect(requests).toBe(1)
    expect(fs.existsSync(dest)).toBe(false)
  } finally {
    server.close()
  }
})

test("a server binary extracted onto a full disk is named as such with the folder, not as a corrupt asset", async () => {
  const binary = fs.readFileSync(process.execPath).subarray(0, 1024 * 1024)
  const zip = path.join(path.dirname(disk.dir), `${path.basename(disk.dir)}.zip`)
  fs.writeFileSync(zip, makeZip([{ name: 'gotify-linux-amd64', data: binary }]))
  try {
    const dest = path.join(disk.dir, 'server')
    const e = await extractServerBinary(zip, 'zip', 'gotify-linux-amd64', 'gotify-linux-amd64.zip', dest).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(DiskFullError)
    expect((e as Error).message).toBe(
      `server-binary: extracting the binary of gotify-linux-amd64.zip: the disk is full: no space left in ${disk.dir} (ENOSPC); free space on the runner (or give it a larger disk) and re-run`
    )
    expect(fs.existsSync(dest)).toBe(false)
  } finally {
    fs.rmSync(zip, { force: true })
  }
})

test('any other write onto a full disk fails the run with a full disk, not an unexpected error', () => {
  disk.fill()
  let e: unknown
  try {
    fs.writeFileSync(path.join(disk.dir, 'report.json'), 'x'.repeat(65536))
  } catch (x) {
    e = x
  }
  expect(failureMessage(e)).toBe(
    'writing a file: the disk is full: no space left in a folder of the run (RUNNER_TEMP, the output folder or the tool cache) (ENOSPC); free space on the runner (or give it a larger disk) and re-run'
  )
  // What programs say (tar of the cache, go, docker) counts too.
  expect(diskFull('/usr/bin/tar: go/pkg/mod/x.go: Cannot write: No space left on device')).toEqual({ code: 'ENOSPC' })
  expect(diskFull('write /out/x.so: disk quota exceeded')).toEqual({ code: 'EDQUOT' })
  expect(diskFull('connection reset by peer')).toBeUndefined()
  expect(namedFolder('/r/temp/x', { RUNNER_TEMP: '/r/temp' })).toBe('RUNNER_TEMP (/r/temp/x)')
  expect(namedFolder('/r/tempx', { RUNNER_TEMP: '/r/temp' })).toBe('/r/tempx')
})
