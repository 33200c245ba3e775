import { parseVersionRequest, looksLikeRange, needsReleaseList } from '../../src/server-versions/request.js'

test('a list, comma or newline separated: tags, latest, latest-N and ranges, each read once', () => {
  const r = parseVersionRequest('v2.8.0, v2.9.1,\nlatest\n>=2.7.0 <3\nlatest-2')
  expect(r.text).toBe('v2.8.0, v2.9.1, latest, >=2.7.0 <3, latest-2')
  expect(r.terms).toEqual([
    { kind: 'tag', tag: 'v2.8.0', text: 'v2.8.0' },
    { kind: 'tag', tag: 'v2.9.1', text: 'v2.9.1' },
    { kind: 'latest', text: 'latest' },
    { kind: 'range', range: '>=2.7.0 <3.0.0-0', text: '>=2.7.0 <3' },
    { kind: 'latest-n', n: 2, text: 'latest-2' }
  ])
  expect(needsReleaseList(r)).toBe(true)
  expect(needsReleaseList(parseVersionRequest('v2.9.1, latest'))).toBe(false)
})

test('empty means latest', () => {
  expect(parseVersionRequest(' , \n').terms).toEqual([{ kind: 'latest', text: 'latest' }])
})

test.each([
  ['>=2.7.0', true],
  ['^2.8', true],
  ['~2.9', true],
  ['2.x', true],
  ['v2.9.*', true],
  ['2.7.0 - 2.9.0', true],
  ['>=2.7.0 <3', true],
  ['1.x || >=2.5.0', true],
  ['v2.9.1', false],
  ['2.9.1', false],
  ['release-2024', false],
  ['v1 rm', false]
])('%s is a range: %s', (term, range) => {
  expect(looksLikeRange(term)).toBe(range)
})

test('a plain version is a tag, never "versions equal to it"', () => {
  expect(parseVersionRequest('2.9.1').terms).toEqual([{ kind: 'tag', tag: '2.9.1', text: '2.9.1' }])
})

test.each([
  ['>=2.x.y', /^Input 'server-version': ">=2\.x\.y" is not a semver range; accepted: latest, latest-N/],
  ['latest-0', /^Input 'server-version': "latest-0" asks for 0 releases; accepted: latest-N with N from 1 to 100$/],
  ['latest-101', /asks for 101 releases/],
  ['v1 rm', /^Input 'server-version': "v1 rm" is not a tag name: it contains a space; accepted: /],
  ['v2.9.1, ../../x', /^Input 'server-version': "\.\.\/\.\.\/x" is not a tag name: it contains "\.\."/]
])('%s is refused in one line naming the input', (text, message) => {
  expect(() => parseVersionRequest(text)).toThrow(message)
})
