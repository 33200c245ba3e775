import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * A /go of the tests' own. The native builder makes /go/pkg/mod, as on a fresh GitHub runner; a machine that ran
 * the action natively has one already, which the tests must neither need gone nor change. So the action's
 * processes run in a private mount namespace (root, as CI) where a folder of the test is bind-mounted at /go: the
 * machine's /go is never written. Without a /go on the machine, an empty one is made as the mount point, and
 * removed again by `close` (only if still empty, and only if made here).
 */
export interface PrivateGo {
  /** The folder the action sees at /go (root's, 0755, empty at first: as / is on a runner). */
  dir: string
  close(): void
}

const MOUNT_POINT = '/go'

export function privateGo(root: string): PrivateGo {
  if (process.getuid?.() !== 0) throw new Error('a private /go needs a mount namespace: run these tests as root, as CI does')
  const dir = path.join(root, 'go')
  fs.mkdirSync(dir, { mode: 0o755 })
  const madeMountPoint = !fs.existsSync(MOUNT_POINT)
  if (madeMountPoint) fs.mkdirSync(MOUNT_POINT, { mode: 0o755 })
  return {
    dir,
    close() {
      if (madeMountPoint && fs.existsSync(MOUNT_POINT) && fs.readdirSync(MOUNT_POINT).length === 0) fs.rmdirSync(MOUNT_POINT)
    }
  }
}

/** The command that runs `command` with `goDir` at /go, in a mount namespace of its own; `command` itself without one. */
export function inPrivateGo(goDir: string | undefined, command: string[]): string[] {
  if (goDir === undefined) return command
  // bash, not sh: dash drops variables whose names are no shell names, such as INPUT_SERVER-REPOSITORY.
  return ['unshare', '--mount', '--propagation', 'private', '--', 'bash', '-c', `mount --bind "$0" ${MOUNT_POINT} && exec "$@"`, goDir, ...command]
}
