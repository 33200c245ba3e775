import { jest } from '@jest/globals'
import { annotateVerification, failureMessage, repoPath } from '../../src/run/annotations.js'
import type { VerifyResult } from '../../src/verify/witness.js'
import { StepError } from '../../src/errors.js'
import { GitHubApiError } from '../../src/github/api.js'

test('annotation paths are relative to the repository root', () => {
  expect(repoPath('/home/runner/work/p/p/plugin/go.mod', '/home/runner/work/p/p')).toBe('plugin/go.mod')
  expect(repoPath('plugin/go.mod', '/ws')).toBe('plugin/go.mod')
  expect(repoPath('/elsewhere/go.mod', '/ws')).toBe('/elsewhere/go.mod')
  expect(repoPath(undefined, '/ws')).toBeUndefined()
})

test('every failure is one line; an unknown one says how to see its stack', () => {
  expect(failureMessage(new StepError('go build failed\nfor linux-amd64'))).toBe('go build failed; for linux-amd64')
  const unknown = Object.assign(new Error("EISDIR: illegal operation on a directory, read"), { code: 'EISDIR' })
  expect(failureMessage(unknown)).toBe('unexpected error: EISDIR: illegal operation on a directory, read; re-run the job with debug logging on (ACTIONS_STEP_DEBUG) to see where it happened')
  const refused = new GitHubApiError('GET', '/repos/o/r/releases/latest', { kind: 'network', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, undefined, 'connection failed (ECONNREFUSED), gave up after 5 tries', 'http://127.0.0.1:1')
  expect(failureMessage(refused)).toBe(
    'GitHub request GET /repos/o/r/releases/latest failed: connection failed (ECONNREFUSED), gave up after 5 tries; the GitHub API at http://127.0.0.1:1 could not be reached; re-run the job later (on GitHub Enterprise, check GITHUB_API_URL)'
  )
})

test('a plugin that does not load is named as the plugin, never as a server version; a plugin not required only warns', () => {
  const lines: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => (lines.push(String(chunk)), true))
  const refused: VerifyResult = { platform: 'linux-amd64', status: 'failed', witness: 'release binary a.zip', method: 'static', detail: 'refused', glibc: {}, warnings: [] }
  try {
    annotateVerification([refused], { plugin: 'webhook' }, 'warning')
    annotateVerification([refused], { server: 'v2.9.1', plugin: 'webhook' })
    annotateVerification([refused])
  } finally {
    spy.mockRestore()
  }
  expect(lines.map(l => l.trim())).toEqual([
    '::warning title=plugin does not load (linux-amd64%2C plugin webhook)::linux-amd64 (plugin webhook): refused',
    '::error title=plugin does not load (linux-amd64%2C server v2.9.1%2C plugin webhook)::linux-amd64 (server v2.9.1, plugin webhook): refused',
    '::error title=plugin does not load (linux-amd64)::linux-amd64: refused'
  ])
})
