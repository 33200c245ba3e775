/**
 * Stand-in server images, like gotify/server's: per platform a FROM scratch
 * image holding the stand-in server (__tests__/fixtures/image-server, built
 * like a release in the local gotify-style build images) at /app/gotify-app,
 * the C library it is linked against (taken from that platform's build
 * image), WORKDIR /app, port 80, ENTRYPOINT ["./gotify-app"]. Each is built
 * with the classic builder's --platform (FROM scratch needs no base of that
 * platform, and COPY runs nothing), pushed, and joined into one index.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES } from './action-harness.js'
import { serverReleaseAssets } from './fixture-server.js'

const run = promisify(execFile)
const docker = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run('docker', args, { env: { ...process.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 64 << 20 })

/** Where each platform's C library lives in its build image, and where the image's programs expect it. */
const LIBC: Record<string, { from: string; triplet: string; interpreter: string }> = {
  'linux-amd64': { from: '/lib/x86_64-linux-gnu', triplet: 'x86_64-linux-gnu', interpreter: '/lib64/ld-linux-x86-64.so.2' },
  'linux-arm64': { from: '/usr/aarch64-linux-gnu/lib', triplet: 'aarch64-linux-gnu', interpreter: '/lib/ld-linux-aarch64.so.1' }
}

export interface StandInOptions {
  /** Full name of the index to push, e.g. 127.0.0.1:5000/gotify/server:2.9.1. */
  name: string
  platforms: string[]
  goVersion: string
  goproxy: string
  /** Extra `go build` flags of the server inside, e.g. -trimpath (fixture-server.ts). */
  flags?: string[]
}

/** Builds the stand-in image of each platform, pushes each as `<name>-<platform>`, and pushes the index `name` over them. */
export async function pushStandInServerImage(o: StandInOptions): Promise<void> {
  const repo = o.name.slice(0, o.name.lastIndexOf(':'))
  const digests: string[] = []
  for (const platform of o.platforms) {
    const tag = `${o.name}-${platform}`
    await buildStandInServerImage({ tag, platform, goVersion: o.goVersion, goproxy: o.goproxy, flags: o.flags })
    const pushed = (await docker('push', tag)).stdout
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)?.[1]
    if (!digest) throw new Error(`push ${tag}: no digest in ${pushed}`)
    digests.push(`${repo}@${digest}`)
    await docker('image', 'rm', tag)
  }
  await docker('manifest', 'create', '--amend', '--insecure', o.name, ...digests)
  await docker('manifest', 'push', '--purge', '--insecure', o.name)
}

/** One platform's stand-in image, in the local engine as `tag`. */
export async function buildStandInServerImage(o: { tag: string; platform: string; goVersion: string; goproxy: string; flags?: string[] }): Promise<void> {
  const [asset] = await serverReleaseAssets([o.platform], { goVersion: o.goVersion, source: path.join(FIXTURES, 'image-server'), flags: o.flags }, o.goproxy)
  const libc = LIBC[o.platform]
  if (!libc) throw new Error(`no stand-in image recipe for ${o.platform}`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stand-in-image-'))
  try {
    const root = path.join(dir, 'root')
    fs.mkdirSync(path.join(root, 'app'), { recursive: true })
    fs.mkdirSync(path.join(root, 'lib', libc.triplet), { recursive: true })
    fs.mkdirSync(path.join(root, path.dirname(libc.interpreter)), { recursive: true })
    fs.copyFileSync(asset.binaryPath, path.join(root, 'app', 'gotify-app'))
    const build = (await docker('create', `gotify/build:${o.goVersion}-${o.platform}`, 'true')).stdout.trim()
    try {
      await docker('cp', '-L', `${build}:${libc.from}/libc.so.6`, path.join(root, 'lib', libc.triplet, 'libc.so.6'))
      await docker('cp', '-L', `${build}:${libc.from}/${path.basename(libc.interpreter)}`, path.join(root, libc.interpreter))
    } finally {
      await docker('rm', build)
    }
    fs.writeFileSync(path.join(dir, 'Dockerfile'), ['FROM scratch', 'COPY root/ /', 'ENV GOTIFY_SERVER_PORT=80', 'WORKDIR /app', 'EXPOSE 80', 'ENTRYPOINT ["./gotify-app"]', ''].join('\n'))
    await docker('build', '--quiet', '--platform', o.platform.replace(/-/g, '/'), '-t', o.tag, dir)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
