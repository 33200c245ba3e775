// The Go versions the tests use besides the machine's own, in one place: the
// set-up builds images and fetches toolchains for them, the tests look them up
// here. Deterministic (no network): the newest patch below the host's of the
// same minor (x.y.1 when the host is x.y.0), x.(y-1).0 for a minor mismatch,
// and an old server's Go: gotify v2.4.0's 1.21.1, too old to read today's
// module graphs (its go get fails on a newer latest version's retractions).
//   node scripts/ci/test-toolchains.mjs   prints "<host> <other patch> <other minor> <old>"
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const OLD_SERVER_GO = '1.21.1'

export function testToolchains(hostGo) {
  const m = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?/.exec(hostGo.trim())
  if (!m) throw new Error(`cannot read the Go version "${hostGo}"`)
  const [maj, min, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]
  return {
    host: `${maj}.${min}.${patch}`,
    otherPatch: patch > 0 ? `${maj}.${min}.${patch - 1}` : `${maj}.${min}.1`,
    otherMinor: `${maj}.${min - 1}.0`,
    old: OLD_SERVER_GO
  }
}

export function hostGoVersion() {
  return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim().replace(/^go/, '')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t = testToolchains(hostGoVersion())
  console.log(`${t.host} ${t.otherPatch} ${t.otherMinor} ${t.old}`)
}
