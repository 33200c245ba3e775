/**
 * A Go download site on 127.0.0.1, like go.dev/dl or a mirror of it, serving
 * a release archive made from this machine's own toolchain:
 *
 *   const site = await serveGoRelease({ checksums: ['list'] })
 *   // site.url + '/go1.26.8.linux-amd64.tar.gz', site.url + '/?mode=json&include=all'
 *
 * The archive (`go/...`, ~75 MB) is made once per Go version and kept in the
 * temp folder, so test files and runs share it. `checksums` says how the site
 * publishes the sha256: go.dev's JSON list, `.sha256` files beside the
 * archives (dl.google.com, file mirrors), both, or none; `corrupt` serves the
 * archive with one byte changed, as a broken mirror or proxy would.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { createGzip } from 'node:zlib'
import { goArchiveName } from '../../src/go-runner/go-download.js'
import { nativeArch } from '../../src/platform.js'
import { hostGoVersion } from './fixture-binaries.js'

export interface GoReleaseSite {
  /** The go-download-base-url input. */
  url: string
  goVersion: string
  archive: { name: string; path: string; sha256: string; size: number }
  /** Request paths (with query), in order. */
  log: string[]
  close(): Promise<void>
}

export interface GoReleaseSiteOptions {
  checksums?: Array<'list' | 'file'>
  corrupt?: boolean
}

const CACHE_ROOT = path.join(os.tmpdir(), 'go-plugin-build-fixtures')

async function goroot(): Promise<string> {
  const out = await new Promise<string>((resolve, reject) => {
    let s = ''
    const c = spawn('go', ['env', 'GOROOT'], { env: { ...process.env, GOTOOLCHAIN: 'local' } })
    c.stdout.on('data', (d: Buffer) => (s += d.toString()))
    c.on('error', reject)
    c.on('close', code => (code === 0 ? resolve(s.trim()) : reject(new Error(`go env GOROOT exited ${code}`))))
  })
  return out
}

/** `go<version>.linux-<arch>.tar.gz` of this machine's Go, made once: the top folder is `go`, like Go's own. */
export async function goReleaseArchive(): Promise<GoReleaseSite['archive'] & { goVersion: string }> {
  const goVersion = await hostGoVersion()
  const name = goArchiveName(goVersion, nativeArch())
  const dir = path.join(CACHE_ROOT, `go-release-${goVersion}`)
  const file = path.join(dir, name)
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true })
    const root = await goroot()
    const tmp = `${file}.${process.pid}.tmp`
    // GNU tar names the top folder `go` whatever GOROOT's own name is.
    const tar = spawn('tar', ['-C', path.dirname(root), `--transform=s,^${path.basename(root)},go,`, '-cf', '-', path.basename(root)], { stdio: ['ignore', 'pipe', 'inherit'] })
    const out = fs.createWriteStream(tmp)
    tar.stdout.pipe(createGzip({ level: 1 })).pipe(out)
    const [code] = await Promise.all([
      new Promise<number | null>((resolve, reject) => tar.on('error', reject).on('close', resolve)),
      new Promise<void>((resolve, reject) => out.on('error', reject).on('close', () => resolve()))
    ])
    if (code !== 0) throw new Error(`tar of ${root} exited with ${code}`)
    fs.renameSync(tmp, file)
  }
  const sha256 = await new Promise<string>((resolve, reject) => {
    const h = createHash('sha256')
    fs.createReadStream(file).on('data', d => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')))
  })
  return { goVersion, name, path: file, sha256, size: fs.statSync(file).size }
}

/** The checksum list as go.dev/dl/?mode=json&include=all has it: releases, each with its files. */
function checksumList(goVersion: string, archive: GoReleaseSite['archive']): string {
  const file = (filename: string, sha256: string, arch: string) => ({ filename, os: 'linux', arch, version: `go${goVersion}`, sha256, size: 1, kind: 'archive' })
  return JSON.stringify([
    { version: `go${goVersion}`, stable: true, files: [file(archive.name.replace(/linux-\w+/, 'linux-s390x'), '0'.repeat(64), 's390x'), file(archive.name, archive.sha256, nativeArch())] },
    { version: 'go1.12.17', stable: false, files: [file('go1.12.17.linux-amd64.tar.gz', 'f'.repeat(64), 'amd64')] }
  ])
}

export async function serveGoRelease(opts: GoReleaseSiteOptions = {}): Promise<GoReleaseSite> {
  const { goVersion, ...archive } = await goReleaseArchive()
  const checksums = opts.checksums ?? ['list']
  const log: string[] = []
  const server = http.createServer((req, res) => {
    const url = req.url ?? ''
    log.push(url)
    const u = new URL(url, 'http://x')
    if (u.pathname === '/dl/' && u.searchParams.get('mode') === 'json' && checksums.includes('list')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(checksumList(goVersion, archive))
    } else if (u.pathname === `/dl/${archive.name}.sha256` && checksums.includes('file')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${archive.sha256}\n`)
    } else if (u.pathname === `/dl/${archive.name}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': archive.size })
      const stream = fs.createReadStream(archive.path)
      if (!opts.corrupt) return void stream.pipe(res)
      // One byte changed in the middle: the size is right, the bytes are not.
      let at = 0
      stream.on('data', (chunk: Buffer | string) => {
        const b = Buffer.from(chunk)
        const mid = Math.floor(archive.size / 2) - at
        if (mid >= 0 && mid < b.length) b[mid] ^= 0xff
        at += b.length
        res.write(b)
      })
      stream.on('end', () => res.end())
    } else {
      res.writeHead(404).end('not found')
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/dl`,
    goVersion,
    archive,
    log,
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}
