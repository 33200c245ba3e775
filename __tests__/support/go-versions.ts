import { execFile } from 'node:child_process'
import * as os from 'node:os'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Another patch of the machine's Go minor: CI_GO_OTHER_VERSION (set by .ci/run), else the patch below (x.y.1 for x.y.0). */
export function otherPatch(goVersion: string): string {
  if (process.env.CI_GO_OTHER_VERSION) return process.env.CI_GO_OTHER_VERSION
  const [maj, min, patch] = goVersion.split('.').map(Number)
  return `${maj}.${min}.${patch > 0 ? patch - 1 : 1}`
}

/** The newest release of the Go minor before the machine's (e.g. 1.25.14 for 1.26.x), as the toolchain module lists it. */
export async function newestOfPreviousMinor(goVersion: string): Promise<string> {
  const [maj, min] = goVersion.split('.').map(Number)
  const line = `${maj}.${min - 1}`
  const { stdout } = await run('go', ['list', '-m', '-versions', 'golang.org/toolchain'], { cwd: os.tmpdir(), env: { ...process.env, GOFLAGS: '', GOTOOLCHAIN: 'local' } })
  const patches = [...stdout.matchAll(/v0\.0\.1-go(\d+\.\d+)\.(\d+)\.linux-amd64/g)].filter(m => m[1] === line).map(m => Number(m[2]))
  if (patches.length === 0) throw new Error(`the Go module proxy lists no go${line}.x toolchain`)
  return `${line}.${Math.max(...patches)}`
}
