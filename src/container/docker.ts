import { randomUUID } from 'node:crypto'
import * as path from 'node:path'
import { StepError } from '../errors.js'
import { type ProgramResult, runProgram } from './program.js'

/** A host folder seen inside a container. */
export interface Mount {
  host: string
  container: string
  readOnly?: boolean
}

/** One `docker run`: everything is an argument array, nothing goes through a shell. */
export interface ContainerSpec {
  image: string
  command: string[]
  env?: Record<string, string>
  mounts?: Mount[]
  workdir?: string
  /** `uid:gid`, so files written to mounts belong to the runner's user. */
  user?: string
}

/** What a container (or any docker command) did. */
export type ContainerResult = ProgramResult

/** The runner's user, for `--user`: output files must not end up owned by root. */
export function runnerUser(): string | undefined {
  return typeof process.getuid === 'function' && typeof process.getgid === 'function' ? `${process.getuid()}:${process.getgid()}` : undefined
}

export function dockerRunArgs(spec: ContainerSpec): string[] {
  // Host networking: a GOPROXY or GitHub Enterprise on the runner's loopback stays reachable.
  const args = ['run', '--rm', '--network', 'host']
  if (spec.user) args.push('--user', spec.user)
  for (const m of spec.mounts ?? []) {
    args.push('--volume', `${path.resolve(m.host)}:${m.container}${m.readOnly ? ':ro' : ''}`)
  }
  for (const [k, v] of Object.entries(spec.env ?? {})) args.push('--env', `${k}=${v}`)
  if (spec.workdir) args.push('--workdir', spec.workdir)
  args.push(spec.image, ...spec.command)
  return args
}

export async function runContainer(spec: ContainerSpec, onLine?: (line: string) => void, limit?: { timeoutMs?: number; signal?: AbortSignal }): Promise<ContainerResult> {
  return runDocker(dockerRunArgs(spec), onLine, undefined, limit)
}

/**
 * The label every container the run creates carries, with this run's id as its value: a cancelled run removes
 * them by it (`docker rm -f`) even when the CLI that started one is gone.
 */
export const RUN_LABEL = 'go-plugin-build.run'
export const RUN_ID = randomUUID()
let containersMade = false

/** `docker run` and `docker create` get the run's label; other commands are passed as they are. Pure. */
export function labelled(args: string[], runId: string = RUN_ID): string[] {
  const at = args[0] === 'container' ? 1 : 0
  if (args[at] !== 'run' && args[at] !== 'create') return args
  return [...args.slice(0, at + 1), '--label', `${RUN_LABEL}=${runId}`, ...args.slice(at + 1)]
}

/** `env`: variables for the docker CLI itself, over the allow-listed runner environment (DOCKER_HOST, DOCKER_CONFIG, ...). */
export async function runDocker(
  args: string[],
  onLine?: (line: string) => void,
  env?: Record<string, string>,
  limit?: { timeoutMs?: number; signal?: AbortSignal; cleanUp?: boolean }
): Promise<ContainerResult> {
  const withLabel = labelled(args)
  if (withLabel !== args) containersMade = true
  const r = await runProgram('docker', withLabel, { onLine, env, ...limit })
  if (r.notStarted === 'ENOENT') {
    throw new StepError('docker: the docker command was not found; this action needs a Docker engine (GitHub-hosted Ubuntu runners have one; on a self-hosted runner install Docker and give the runner user access)')
  }
  if (r.notStarted) throw new Error(r.stderr.trim())
  return r
}

/** Removes every container of this run (a cancelled run), within `timeoutMs`; how many there were. */
export async function removeRunContainers(timeoutMs: number): Promise<number> {
  if (!containersMade) return 0
  const deadline = Date.now() + timeoutMs
  const listed = await runDocker(['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}=${RUN_ID}`], undefined, undefined, { timeoutMs, cleanUp: true }).catch(() => undefined)
  const ids = (listed?.stdout ?? '').split('\n').map(x => x.trim()).filter(x => /^[0-9a-f]{6,64}$/.test(x))
  if (ids.length === 0) return 0
  await runDocker(['rm', '--force', ...ids], undefined, undefined, { timeoutMs: Math.max(500, deadline - Date.now()), cleanUp: true }).catch(() => undefined)
  return ids.length
}

/** Fails with what to do when no engine answers. */
export async function checkDockerEngine(): Promise<void> {
  const r = await runDocker(['version', '--format', '{{.Server.Version}}'])
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n').pop() ?? ''
    throw new StepError(
      `docker: no Docker engine reachable (${why}); run on a runner with Docker (ubuntu-latest has it), start the engine, or set DOCKER_HOST`
    )
  }
}

/** The image's id (`sha256:...`), which changes whenever its content does; undefined when it is not here. */
export async function imageId(image: string): Promise<string | undefined> {
  const r = await runDocker(['image', 'inspect', '--format', '{{.Id}}', image])
  return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined
}

export async function imageExists(image: string): Promise<boolean> {
  return (await imageId(image)) !== undefined
}

/** Pulls an image unless it is already there; returns false when it cannot be had. */
export async function ensureImage(image: string): Promise<{ ok: boolean; detail: string }> {
  if (await imageExists(image)) return { ok: true, detail: 'present' }
  const r = await runDocker(['pull', '--quiet', image])
  return { ok: r.code === 0, detail: r.code === 0 ? 'pulled' : r.stderr.trim().split('\n').pop() ?? '' }
}
