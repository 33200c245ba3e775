import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { type TestToolchains, hostGoVersion, testToolchains } from '../../scripts/ci/test-toolchains.mjs'

export type { TestToolchains }

/** The Go versions the tests use; scripts/ci/setup.sh prepared images and toolchains for them. */
export const TOOLCHAINS: TestToolchains = testToolchains(hostGoVersion())

/** The local build image of a Go version, or an error that says to run the set-up. */
export async function requireImage(image: string): Promise<string> {
  await promisify(execFile)('docker', ['image', 'inspect', image]).catch(() => {
    throw new Error(`missing image ${image}: run bash scripts/ci/setup.sh (README, Development)`)
  })
  return image
}

/** The GOROOT of a Go the set-up fetched through the module proxy (GOTOOLCHAIN finds it in the module cache, no network). */
export async function fetchedGoroot(version: string): Promise<string> {
  const { stdout } = await promisify(execFile)('go', ['env', 'GOROOT'], { env: { ...process.env, GOTOOLCHAIN: `go${version}`, GOFLAGS: '' } })
  return stdout.trim()
}
