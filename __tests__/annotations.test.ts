import { repoPath } from '../src/annotations.js'

test('annotation paths are relative to the repository root', () => {
  expect(repoPath('/home/runner/work/p/p/plugin/go.mod', '/home/runner/work/p/p')).toBe('plugin/go.mod')
  expect(repoPath('plugin/go.mod', '/ws')).toBe('plugin/go.mod')
  expect(repoPath('/elsewhere/go.mod', '/ws')).toBe('/elsewhere/go.mod')
  expect(repoPath(undefined, '/ws')).toBeUndefined()
})
