import { listingEnvs, modulesLinked, tagFlagsOf } from '../../src/alignment/linked.js'
import { parsePlatforms } from '../../src/platform.js'
import { parseGoListDeps } from '../../src/verify/loader.js'

test('the modules of linked packages, without the standard library and the plugin\'s own module', () => {
  const packages = parseGoListDeps([
    'errors\terrors\ttrue\t',
    'example.com/dep/sub\tsub\tfalse\texample.com/dep\tfalse',
    'example.com/dep\tdep\tfalse\texample.com/dep\tfalse',
    'example.com/lib\tlib\tfalse\texample.com/lib\tfalse',
    'example.com/plugin/util\tutil\tfalse\texample.com/plugin\ttrue',
    'example.com/plugin\tmain\tfalse\texample.com/plugin\ttrue'
  ].join('\n'))
  expect([...modulesLinked(packages)].sort()).toEqual(['example.com/dep', 'example.com/lib'])
})

test('one listing per distinct target, with cgo on as in the build images', () => {
  expect(listingEnvs(parsePlatforms('linux-amd64,linux-arm-7,linux-arm64'))).toEqual([
    { GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '1' },
    { GOOS: 'linux', GOARCH: 'arm', GOARM: '7', CGO_ENABLED: '1' },
    { GOOS: 'linux', GOARCH: 'arm64', CGO_ENABLED: '1' }
  ])
})

test('the -tags of build-args reach the listing, in every spelling go accepts', () => {
  expect(tagFlagsOf(['-tags', 'netgo osusergo', '-v', '--tags=jsoniter', '-trimpath=false'])).toEqual(['-tags=netgo osusergo', '-tags=jsoniter'])
  expect(tagFlagsOf(['-ldflags=-X a=b'])).toEqual([])
})
