// A full disk, end to end (issue 27), on real small file systems (tmpfs, as root like CI): RUNNER_TEMP full when the
// server's binary is downloaded, and an output folder too small for the .so. Each run fails in one line that names the
// full disk and the folder, never a connection, the token or a corrupt asset.
import * as path from 'node:path'
import { type World, checkoutPlugin, expectNoStack, runAction, startWorld } from './support/action-harness.js'
import { mountSmallDisk } from './support/small-disk.js'

let world: World
beforeAll(async () => {
  world = await startWorld()
}, 600_000)
afterAll(async () => world?.close())

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'plugin-path': 'plugin',
  token: 't',
  'go-env': world.goEnv,
  platforms: 'linux-amd64',
  ...extra
})

test('RUNNER_TEMP full while the server binary downloads: the full disk and RUNNER_TEMP are named', async () => {
  const temp = mountSmallDisk(64 * 1024)
  try {
    const run = await runAction({ inputs: inputs(), workspace: checkoutPlugin('basic'), runnerTemp: temp.dir, apiUrl: world.github.url })
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([expect.stringMatching(new RegExp(`^::error::server-binary: downloading gotify-linux-amd64\\.zip: the disk is full: no space left in RUNNER_TEMP \\(${temp.dir}\\) \\(ENOSPC\\)`))])
    expect(run.log).not.toMatch(/connection failed|check that the token|may be corrupt|unexpected error/)
    expectNoStack(run.log)
  } finally {
    temp.close()
  }
}, 600_000)

test('an output folder too small for the .so: the build fails naming the full disk and the output folder', async () => {
  const workspace = checkoutPlugin('basic')
  const out = mountSmallDisk(256 * 1024, path.join(workspace, 'out'))
  try {
    const run = await runAction({ inputs: inputs({ 'output-dir': 'out' }), workspace, apiUrl: world.github.url })
    expect(run.code).toBe(1)
    const full = run.errors.filter(l => l.includes('the disk is full'))
    expect(full).toEqual([expect.stringMatching(new RegExp(`linux-amd64 \\(server v2\\.9\\.1\\): the disk is full \\(go build: .*no space left on device.*\\); free space in .* and the output folder ${out.dir}`, 'i'))])
    expect(run.log).not.toMatch(/connection failed|check that the token|may be corrupt|unexpected error/)
    expectNoStack(run.log)
  } finally {
    out.close()
  }
}, 600_000)
