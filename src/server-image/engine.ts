/**
 * The Docker CLI calls of the server image step: plain ones through
 * src/container/docker.ts, and the two that stream an archive between programs
 * (`tar | docker cp -`, `docker export | reader`). Argument arrays only; the
 * CLI uses the engine's configured credentials (docker/login-action's), which
 * the action never reads or prints.
 */
import type { Readable } from 'node:stream'
import { runDocker } from '../container/docker.js'
import { startChild } from '../container/child-process.js'
import { StepError } from '../errors.js'

// `docker manifest` was experimental before client 20.10; the variable is ignored by newer clients.
const MANIFEST_ENV = { DOCKER_CLI_EXPERIMENTAL: 'enabled' }

/** The last non-empty line of a program's error output, for one-line failures. */
export const lastLine = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '' && !/^WARNING: The requested image's platform/.test(l))
    .pop() ?? ''

/** Runs docker; on failure throws a StepError saying what was being done and docker's last line. */
export async function docker(args: string[], doing: string): Promise<string> {
  const r = await runDocker(args, undefined, args[0] === 'manifest' ? MANIFEST_ENV : undefined)
  if (r.code !== 0) throw new StepError(`${doing}: docker ${args[0]} failed: ${lastLine(r.stderr) || lastLine(r.stdout) || `exit ${r.code}`}`)
  return r.stdout
}

/** Runs docker and reports instead of throwing (probes such as "is this image local?"). */
export async function tryDocker(args: string[]): Promise<{ ok: boolean; stdout: string; error: string }> {
  const r = await runDocker(args, undefined, args[0] === 'manifest' ? MANIFEST_ENV : undefined)
  return { ok: r.code === 0, stdout: r.stdout, error: lastLine(r.stderr) || lastLine(r.stdout) }
}

function collect(stdout: Readable | null, stderr: Readable | null, child: ReturnType<typeof startChild>): Promise<{ code: number; stdout: string; stderr: string }> {
  let out = ''
  let err = ''
  stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')))
  stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve({ code: code ?? 1, stdout: out, stderr: err }))
  })
}

/**
 * `tar -c` of files (one archive, however many), extracted at `/` of a
 * container: the engine creates missing parent folders (root, 0755) and
 * leaves existing ones as they are, owner and mode included, since the
 * archive holds no folder entries.
 */
export async function copyFileIntoContainer(container: string, hostRoot: string, relativePath: string | string[], doing: string): Promise<void> {
  const files = typeof relativePath === 'string' ? [relativePath] : relativePath
  const tar = startChild('tar', ['-c', '-C', hostRoot, '--owner=0', '--group=0', '--numeric-owner', '--', ...files])
  const cp = startChild('docker', ['cp', '-', `${container}:/`], { stdio: ['pipe', 'pipe', 'pipe'] })
  // docker failing first must not crash the action on the broken pipe: its exit code tells.
  cp.stdin!.on('error', () => undefined)
  tar.stdout!.pipe(cp.stdin!)
  const [t, d] = await Promise.all([collect(null, tar.stderr, tar).catch(programMissing('tar')), collect(cp.stdout, cp.stderr, cp).catch(programMissing('docker'))])
  if (t.code !== 0) throw new StepError(`${doing}: tar failed: ${lastLine(t.stderr)}`)
  if (d.code !== 0) throw new StepError(`${doing}: docker cp failed: ${lastLine(d.stderr)}`)
}

/** Streams a container's file system (`docker export`) into `read`, which must consume it to the end. */
export async function readContainerFileSystem<T>(container: string, read: (stream: Readable) => Promise<T>, doing: string): Promise<T> {
  const child = startChild('docker', ['export', container])
  const [result, r] = await Promise.all([read(child.stdout!), collect(null, child.stderr, child).catch(programMissing('docker'))])
  if (r.code !== 0) throw new StepError(`${doing}: docker export failed: ${lastLine(r.stderr)}`)
  return result
}

const programMissing =
  (name: string) =>
  (e: NodeJS.ErrnoException): never => {
    throw e.code === 'ENOENT' ? new StepError(`the ${name} command was not found; the server image step needs it on the runner`) : e
  }
