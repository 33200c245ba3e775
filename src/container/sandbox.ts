/**
 * The one way the action runs a program that executes plugin code (a stand-in
 * loader, the Info host): a plugin's `init()` and its info function are a pull
 * request's code. The program sees a fresh read-only folder holding copies of
 * only the files it needs, a private scratch (tmpfs), no network, no caches,
 * no workspace, no output folder, no environment but what it is given, and
 * runs as nobody (65534, never the runner's uid) with a time and process limit.
 *
 * In a container (the Docker builder): the platform's build image, read-only,
 * `--network none --cap-drop ALL --security-opt no-new-privileges`, pids and
 * memory limits. On the runner (the native builder): `unshare` for new
 * network, pid, mount, ipc and uts namespaces (as root: directly; otherwise
 * through passwordless `sudo -n`, as GitHub's runners have), tmpfs over the
 * world-writable folders, then `setpriv` to nobody without capabilities or new
 * privileges. Without root or sudo (or where namespaces are refused) there is
 * no sandbox: the program is not run, and the caller reports not-verified.
 */
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { runDocker } from './docker.js'
import { type ProgramResult, runProgram } from './program.js'

/** Where the sandbox is made: the build image of the platform, or the runner itself. */
export type SandboxHost = { kind: 'container'; image: string } | { kind: 'runner' }

export interface SandboxedProgram {
  /** Host files copied into the sandbox's read-only folder under these names (no `/`). */
  files: Array<{ name: string; from: string; executable?: boolean }>
  /** Host files read where they are (an emulator): mounted read-only at their own path in a container. */
  hostFiles?: string[]
  /** Run in the sandbox folder, so `./name` is a copied file. */
  command: string[]
  /** The whole environment of the program. */
  env?: Record<string, string>
  timeoutSeconds: number
  /** A folder of the action's own: the sandbox folder is made below it and removed afterwards. */
  scratch: string
  onLine?: (line: string) => void
}

export type SandboxRun = ({ ran: true } & ProgramResult) | { ran: false; why: string }

/** nobody:nogroup on Debian and Ubuntu; any uid but the runner's would do. */
export const SANDBOX_UID = 65534
export const SANDBOX_LIMITS = { pids: 256, memory: '2g', tmpfs: '64m', killAfterSeconds: 5 }
/** Where the sandbox folder is seen inside a container. */
export const CONTAINER_SANDBOX = '/sandbox'

const PATH_INSIDE = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** The program's own command: a time limit (killed after it), a clean environment. */
function limited(p: Pick<SandboxedProgram, 'command' | 'env' | 'timeoutSeconds'>): string[] {
  const env = Object.entries({ PATH: PATH_INSIDE, HOME: '/tmp', ...p.env }).map(([k, v]) => `${k}=${v}`)
  return ['timeout', '-k', String(SANDBOX_LIMITS.killAfterSeconds), String(p.timeoutSeconds), 'env', '-i', ...env, ...p.command]
}

/** `docker run` of a sandbox container. Pure. */
export function containerSandboxArgs(image: string, dir: string, name: string, p: Pick<SandboxedProgram, 'command' | 'env' | 'timeoutSeconds' | 'hostFiles'>): string[] {
  const args = ['run', '--rm', '--name', name, '--network', 'none', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only']
  args.push('--tmpfs', `/tmp:rw,nosuid,nodev,size=${SANDBOX_LIMITS.tmpfs}`, '--user', `${SANDBOX_UID}:${SANDBOX_UID}`)
  args.push('--pids-limit', String(SANDBOX_LIMITS.pids), '--memory', SANDBOX_LIMITS.memory, '--memory-swap', SANDBOX_LIMITS.memory)
  args.push('--volume', `${path.resolve(dir)}:${CONTAINER_SANDBOX}:ro`)
  for (const f of p.hostFiles ?? []) args.push('--volume', `${f}:${f}:ro`)
  // An image's entrypoint would run first, as the image's author wished: not here.
  args.push('--workdir', CONTAINER_SANDBOX, '--entrypoint', 'timeout', image, ...limited(p).slice(1))
  return args
}

/**
 * Runs as root in the new namespaces, then drops to nobody: the sandbox
 * folder bound read-only at /mnt/sandbox (before /tmp is hidden, where it may
 * lie), tmpfs over every world-writable folder, a process limit.
 * Arguments: the sandbox folder, then the command. Constant text: nothing
 * from the run is ever part of it.
 */
export const NAMESPACE_SCRIPT = `set -eu
src=$1; shift
mount -t tmpfs -o mode=0755,size=1m,nosuid,nodev tmpfs /mnt
mkdir /mnt/sandbox
mount --bind "$src" /mnt/sandbox
mount -o remount,bind,ro,nosuid,nodev /mnt/sandbox
for d in /tmp /var/tmp /dev/shm /run/lock; do
  if [ -d "$d" ] && [ ! -L "$d" ]; then mount -t tmpfs -o mode=1777,size=${SANDBOX_LIMITS.tmpfs},nosuid,nodev tmpfs "$d"; fi
done
cd /mnt/sandbox
exec setpriv --reuid=${SANDBOX_UID} --regid=${SANDBOX_UID} --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- prlimit --nproc=${SANDBOX_LIMITS.pids} -- "$@"
`

const UNSHARE = ['unshare', '--net', '--pid', '--fork', '--mount', '--mount-proc', '--ipc', '--uts', '--', '/bin/sh', '-c', NAMESPACE_SCRIPT, 'sandbox']

/** The runner's sandbox command: [program, ...args]. `asRoot`: no sudo needed. Pure. */
export function runnerSandboxCommand(dir: string, asRoot: boolean, p: Pick<SandboxedProgram, 'command' | 'env' | 'timeoutSeconds'>): string[] {
  return [...(asRoot ? [] : ['sudo', '-n']), ...UNSHARE, path.resolve(dir), ...limited(p)]
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0
// sudo and unshare need nothing of the action's environment (and must not see its token).
const SPAWN_ENV = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? PATH_INSIDE })
const tail = (text: string): string => text.trim().split('\n').slice(-3).join(' | ')

let runnerProbe: Promise<string | undefined> | undefined

/** Undefined when this runner can make the sandbox; else why not. Asked once per run. */
export function runnerSandboxProblem(scratch: string): Promise<string | undefined> {
  runnerProbe ??= (async () => {
    if (process.platform !== 'linux') return `the runner is ${process.platform}; the sandbox needs Linux namespaces`
    const dir = fs.mkdtempSync(path.join(scratch, 'sandbox-probe-'))
    try {
      fs.chmodSync(dir, 0o755)
      const [cmd, ...args] = runnerSandboxCommand(dir, isRoot(), { command: ['true'], timeoutSeconds: 30 })
      const r = await runProgram(cmd, args, { env: SPAWN_ENV(), timeoutMs: 60_000 })
      if (r.code === 0) return undefined
      const how = isRoot() ? 'unshare and setpriv (util-linux) as root' : 'passwordless sudo with unshare and setpriv (util-linux)'
      return `it needs ${how}, and that failed here (${r.notStarted ? `${cmd} not found` : tail(r.output) || `exit code ${r.code}`})`
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })()
  return runnerProbe
}

/** Tests only: ask the runner again. */
export function forgetRunnerProbe(): void {
  runnerProbe = undefined
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/** Copies the files into a fresh folder nobody can read and no one else writes; removed by the caller. */
function sandboxFolder(p: SandboxedProgram): string {
  fs.mkdirSync(p.scratch, { recursive: true })
  const dir = fs.mkdtempSync(path.join(p.scratch, 'sandbox-'))
  for (const f of p.files) {
    if (!SAFE_NAME.test(f.name)) throw new Error(`internal: sandbox file name ${JSON.stringify(f.name)}`)
    const to = path.join(dir, f.name)
    fs.copyFileSync(f.from, to)
    fs.chmodSync(to, f.executable ? 0o755 : 0o644)
  }
  // Readable by nobody; written by no one once made.
  fs.chmodSync(dir, 0o755)
  return dir
}

/** Runs the program in the sandbox of `host`; `ran: false` (never unsandboxed) when the runner cannot make one. */
export async function runSandboxed(host: SandboxHost, p: SandboxedProgram): Promise<SandboxRun> {
  if (host.kind === 'runner') {
    const problem = await runnerSandboxProblem(p.scratch)
    if (problem) return { ran: false, why: problem }
  }
  const dir = sandboxFolder(p)
  // A backstop past the inner time limit: docker, sudo or unshare themselves stuck.
  const limit = { timeoutMs: (p.timeoutSeconds + SANDBOX_LIMITS.killAfterSeconds + 30) * 1000 }
  try {
    if (host.kind === 'container') {
      const name = `gopluginbuild-sandbox-${randomBytes(6).toString('hex')}`
      const r = await runDocker(containerSandboxArgs(host.image, dir, name, p), p.onLine, undefined, limit)
      if (r.timedOut) await runDocker(['rm', '--force', name]).catch(() => undefined)
      return { ran: true, ...r }
    }
    const [cmd, ...args] = runnerSandboxCommand(dir, isRoot(), p)
    return { ran: true, ...(await runProgram(cmd, args, { env: SPAWN_ENV(), onLine: p.onLine, ...limit })) }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
