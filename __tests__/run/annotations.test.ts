import { failureMessage, repoPath } from '../../src/run/annotations.js'
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
