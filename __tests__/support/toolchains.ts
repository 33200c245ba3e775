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
