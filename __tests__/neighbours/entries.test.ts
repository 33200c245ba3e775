import { parseWithPlugins } from '../../src/neighbours/entries.js'

const WS = '/home/runner/work/repo/repo'
const parse = (text: string) => parseWithPlugins(text, WS)
const error = (text: string): string => {
  try {
    parse(text)
  } catch (e) {
    return (e as Error).message
  }
  throw new Error(`no error for ${JSON.stringify(text)}`)
}

test('one entry per line or comma, each of the three kinds, in the order given', () => {
  const entries = parse(`
    plugins/*.so, ./vendor/a-{platform}.so
    https://plugins.example/b/{server-version}/b-{platform}.so
    gotify/plugin-c@v1.2.0:plugin-c-*.so
  `)
  expect(entries).toEqual([
    { kind: 'path', pattern: 'plugins/*.so', text: 'plugins/*.so', onConflict: 'fail' },
    { kind: 'path', pattern: 'vendor/a-{platform}.so', text: './vendor/a-{platform}.so', onConflict: 'fail' },
    { kind: 'url', url: 'https://plugins.example/b/{server-version}/b-{platform}.so', text: 'https://plugins.example/b/{server-version}/b-{platform}.so', onConflict: 'fail' },
    { kind: 'release', owner: 'gotify', repo: 'plugin-c', tag: 'v1.2.0', assetGlob: 'plugin-c-*.so', text: 'gotify/plugin-c@v1.2.0:plugin-c-*.so', onConflict: 'fail' }
  ])
  expect(parse('')).toEqual([])
})

test('a trailing (warn) lets a conflict with that neighbour only warn', () => {
  const [a, b] = parse('acme/b@v0.3.0:*.so (warn)\nhttps://x.example/c.so')
  expect(a).toMatchObject({ kind: 'release', owner: 'acme', repo: 'b', assetGlob: '*.so', onConflict: 'warn', text: 'acme/b@v0.3.0:*.so' })
  expect(b).toMatchObject({ kind: 'url', onConflict: 'fail' })
  expect(error('plugins/a.so (warning)')).toContain('unknown marker (warning)')
})

test('placeholders in the tag and the asset glob; the tag is checked as a git tag', () => {
  expect(parse('acme/b@{server-version}:b-{platform}.so')[0]).toMatchObject({ tag: '{server-version}', assetGlob: 'b-{platform}.so' })
  expect(error('acme/b@v1..2:b.so')).toBe(
    `Input 'with-plugins': entry "acme/b@v1..2:b.so" has a tag that is not a git tag name: it contains ".."; accepted: ${error('x/y@v1:{nope}').split('; accepted: ')[1]}`
  )
  expect(error('acme/b@v1:{plugin}.so')).toContain('unknown placeholder {plugin}')
  expect(error('acme/b@v1:dir/b.so')).toContain('path separator in the asset name glob')
})

test('bad entries: one line naming with-plugins, the entry and what is accepted', () => {
  const cases: Array<[string, string]> = [
    ['../other/a.so', 'is outside the workspace'],
    ['/etc/a.so', 'is outside the workspace'],
    ['plugins/{server-version}/../../../a.so', 'is outside the workspace'],
    ['http://plugins.example/a.so', 'is plain http'],
    ['ftp://plugins.example/a.so', 'uses ftp://'],
    ['https://user:pw@plugins.example/a.so', 'carries credentials'],
    ['https://{server-owner}.example/a.so', 'placeholder in the host'],
    ['https://plugins.example/a.zip', 'does not name a .so file'],
    ['https://plugins.example/a.so#x', 'has a fragment'],
    ['plugins/a\tb.so', 'control character'],
    ['plugins\\a.so', 'write paths with /'],
    ['!plugins/a.so', 'starts with ! or #'],
    ['plugins/{arch.so', 'unmatched { or }'],
    ['plugins/a.so\nplugins/a.so (warn)', 'is listed twice']
  ]
  for (const [text, problem] of cases) {
    const message = error(text)
    expect(message).toContain(problem)
    expect(message).toMatch(/^Input 'with-plugins': entry ".*"[^\n]*; accepted: one entry per line or comma: /)
  }
})

test('http only to the runner itself; an absolute path inside the workspace is kept relative', () => {
  expect(parse('http://127.0.0.1:8080/a.so, http://localhost/b-{platform}.so')).toHaveLength(2)
  expect(parse(`${WS}/plugins/a.so`)[0]).toMatchObject({ kind: 'path', pattern: 'plugins/a.so' })
  // A path that looks like owner/repo@tag:glob is written with ./ in front.
  expect(parse('plugins/x@v1:y.so')[0]).toMatchObject({ kind: 'release', owner: 'plugins' })
  expect(parse('./plugins/x@v1:y.so')[0]).toMatchObject({ kind: 'path', pattern: 'plugins/x@v1:y.so' })
})
