// nektos/act, the Actions runner the README workflow tests run (__tests__/readme-workflows.int.test.ts):
// its pinned version and where the set-up puts it (scripts/ci/setup-act.sh), in one place.
//   node scripts/ci/act.mjs   prints "<version> <path of the binary>"
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ACT_VERSION = 'v0.2.89'

/** Outside the repository (a fresh clone keeps it), one folder per version. */
export function actBinary(env = process.env) {
  const cache = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache')
  return path.join(cache, 'go-plugin-build', `act-${ACT_VERSION}`, 'act')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`${ACT_VERSION} ${actBinary()}`)
