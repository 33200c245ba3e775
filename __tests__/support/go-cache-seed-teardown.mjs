// jest globalTeardown: removes the test run's GOCACHE folder (go-cache-seed.mjs).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { SEED_VARIABLE } from './go-cache-seed.mjs'

export default async function tearDown() {
  const dir = process.env[SEED_VARIABLE]
  if (dir && path.basename(dir).startsWith('gocache-seed-')) fs.rmSync(dir, { recursive: true, force: true })
}
