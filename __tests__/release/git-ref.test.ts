import { tagNameProblem } from '../../src/release/git-ref.js'

test.each(['v2.9.1', 'v1.0.0-rc.1', 'release/v1', 'v1+build.5', 'v1;x', 'ünïcode', '@v1', '@', 'a.b'])('%s is a valid tag', tag => {
  expect(tagNameProblem(tag)).toBeUndefined()
})

// Each line matches a rule of git check-ref-format (and git tag's leading "-").
test.each([
  ['', 'is empty'],
  ['-v1', 'starts with "-"'],
  ['v1 2', 'a space'],
  ['v1\n2', 'control character'],
  ['v1\u007f', 'control character'],
  ['v1~1', '"~"'],
  ['v1^', '"^"'],
  ['v1:2', '":"'],
  ['v1?', '"?"'],
  ['v*', '"*"'],
  ['v[1]', '"["'],
  ['v1\\2', '"\\"'],
  ['v1..2', '".."'],
  ['../../../../gotify/server/releases/tags/v2.9.1', '".."'],
  ['v2.9.1/../../x', '".."'],
  ['v1@{u}', '"@{"'],
  ['v1.', 'ends with "."'],
  ['/v1', 'empty path component'],
  ['v1/', 'empty path component'],
  ['a//b', 'empty path component'],
  ['a/.hidden', 'starting with "."'],
  ['.v1', 'starting with "."'],
  ['v1.lock', 'ending with ".lock"'],
  ['a.lock/b', 'ending with ".lock"']
])('%j is refused: %s', (tag, problem) => {
  expect(tagNameProblem(tag)).toContain(problem)
})
