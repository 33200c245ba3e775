/**
 * A real image registry on 127.0.0.1 (Debian's docker-registry, the
 * distribution project's registry) with its own config and storage, for the
 * server image tests. The engine talks plain HTTP to it: 127.0.0.0/8 is an
 * insecure registry range by default.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'

export interface Registry {
  /** host:port, the prefix of image names in it. */
  host: string
  /** Repositories it holds. */
  catalog(): Promise<string[]>
  /** Tags of a repository ([] when it has none). */
  tags(repository: string): Promise<string[]>
  /** A manifest or index, as the registry serves it (index types first). */
  manifest(repository: string, reference: string): Promise<{ mediaType: string; digest: string; body: Record<string, unknown> }>
  blob(repository: string, digest: string): Promise<Buffer>
  close(): Promise<void>
}

/** Removes the engine's images that came from this registry (the action keeps the server images it pulled). */
export async function removeImagesFrom(registry: Registry): Promise<void> {
  const run = promisify(execFile)
  const listed = (await run('docker', ['images', '--format', '{{.Repository}} {{.ID}}'], { maxBuffer: 64 << 20 })).stdout
  const ids = listed.split('\n').filter(l => l.startsWith(`${registry.host}/`)).map(l => l.split(' ')[1])
  if (ids.length > 0) await run('docker', ['image', 'rm', '--force', ...new Set(ids)])
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

export async function startRegistry(): Promise<Registry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'))
  const port = await freePort()
  const config = path.join(dir, 'config.yml')
  fs.writeFileSync(
    config,
    ['version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/data`, '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${port}`, '  secret: test-registry', ''].join('\n')
  )
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
  const base = `http://127.0.0.1:${port}/v2`
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`)
    const up = await fetch(`${base}/`).then(
      r => r.ok,
      () => false
    )
    if (up) break
    if (i > 100) throw new Error(`docker-registry did not answer on ${port}: ${stderr}`)
    await new Promise(r => setTimeout(r, 100))
  }
  const json = async (url: string): Promise<Record<string, unknown>> => {
    const r = await fetch(url)
    return r.ok ? ((await r.json()) as Record<string, unknown>) : {}
  }
  return {
    host: `127.0.0.1:${port}`,
    catalog: async () => ((await json(`${base}/_catalog`)).repositories as string[] | undefined) ?? [],
    tags: async repo => ((await json(`${base}/${repo}/tags/list`)).tags as string[] | null | undefined) ?? [],
    manifest: async (repo, ref) => {
      const r = await fetch(`${base}/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT } })
      if (!r.ok) throw new Error(`manifest ${repo}:${ref}: HTTP ${r.status}`)
      return { mediaType: r.headers.get('content-type') ?? '', digest: r.headers.get('docker-content-digest') ?? '', body: (await r.json()) as Record<string, unknown> }
    },
    blob: async (repo, digest) => {
      const r = await fetch(`${base}/${repo}/blobs/${digest}`)
      if (!r.ok) throw new Error(`blob ${repo}@${digest}: HTTP ${r.status}`)
      return Buffer.from(await r.arrayBuffer())
    },
    close: async () => {
      if (child.exitCode === null) {
        child.kill()
        await new Promise(resolve => child.once('exit', resolve))
      }
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
