// jest globalSetup: one GOCACHE folder for the whole test run, which the action harness
// (support/action-harness.ts, withGoCacheSeed) hard-links into each run's RUNNER_TEMP and
// back. Made here so that the workers inherit its path; go-cache-seed-teardown.mjs removes it.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export const SEED_VARIABLE = 'GO_PLUGIN_BUILD_TEST_GOCACHE_SEED'

export default async function setUp() {
  if (!process.env[SEED_VARIABLE]) process.env[SEED_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), 'gocache-seed-'))
}
