import { buildFlagsOf, isStdPackage, planWarmUps, stdPackagesToWarm, warmUpArgs, warmUpCounts } from '../../src/compile/warm-up-plan.js'
import { planBuilds } from '../../src/compile/plan.js'
import { parsePlatform } from '../../src/platform.js'

const PLATFORMS = ['linux-amd64', 'linux-arm-7'].map(id => parsePlatform(id))
const jobs = (buildArgs: string[] = []): ReturnType<typeof planBuilds> =>
  planBuilds({
    inputs: { platforms: PLATFORMS, buildImage: 'gotify/build:{go-version}-{platform}', assetName: '{plugin}-{platform}.so', outputDir: '/tmp/out', ldflags: '-w -s', buildArgs, goEnv: {}, package: '.' },
    server: { owner: 'gotify', name: 'server', tag: 'v3.0.0', goVersion: '1.26.8' },
    pluginName: 'p',
    pluginWorkdir: '/proj'
  })

test('standard library packages are those a binary names without a dot in the first element, less main and vendored copies', () => {
  expect(['runtime', 'net/http', 'internal/abi', 'crypto/internal/fips140/v1.0.0'].filter(isStdPackage)).toHaveLength(4)
  expect(['github.com/gin-gonic/gin', 'main', 'vendor/golang.org/x/net/idna', 'command-line-arguments', 'example.com/x', '-toolexec=x', 'a b'].filter(isStdPackage)).toEqual([])
  expect(stdPackagesToWarm(['net/http', 'github.com/x/y', 'fmt', 'fmt'])).toEqual(['fmt', 'net/http', 'runtime', 'runtime/cgo'])
  // No release binary: what every plugin links.
  expect(stdPackagesToWarm([])).toEqual(['runtime', 'runtime/cgo'])
})

test('the warm-up uses the build\'s own flags (so its cache keys), without -v, -o and the package; with -a it cannot help', () => {
  const [job] = jobs(['-tags', 'netgo'])
  expect(buildFlagsOf(job.goArgs)).toEqual(['-buildmode=plugin', '-ldflags=-w -s', '-tags', 'netgo'])
  expect(warmUpArgs(['-buildmode=plugin'], ['fmt'])).toEqual(['list', '-e', '-export', '-deps', '-f', '{{if .Error}}{{.ImportPath}}: {{.Error}}{{else}}ok{{end}}', '-buildmode=plugin', 'fmt'])
  expect(buildFlagsOf(jobs(['-a'])[0].goArgs)).toBeUndefined()
  expect(buildFlagsOf(jobs(['-a=true'])[0].goArgs)).toBeUndefined()
  expect(buildFlagsOf(['vet', '.'])).toBeUndefined()
})

test('one warm-up per build cache in the build pool\'s order; none for a cache that came back or a build with -a', () => {
  const v1 = jobs()
  const builds = [...v1.map(job => ({ job, goCache: `/c/${job.platform.id}` })), ...v1.map(job => ({ job, goCache: `/c/${job.platform.id}` }))]
  const plan = planWarmUps({ builds, serverPackages: c => (c.endsWith('amd64') ? ['net/http', 'github.com/gin-gonic/gin'] : []), hasContent: () => false })
  expect(plan.warmUps.map(w => [w.platform.id, w.goCache, w.packages])).toEqual([
    ['linux-amd64', '/c/linux-amd64', ['net/http', 'runtime', 'runtime/cgo']],
    ['linux-arm-7', '/c/linux-arm-7', ['runtime', 'runtime/cgo']]
  ])
  expect(plan.warmUps[0].goArgs.slice(-3)).toEqual(['net/http', 'runtime', 'runtime/cgo'])
  expect(plan.skipped).toEqual([])

  const restored = planWarmUps({ builds, serverPackages: () => [], hasContent: c => c.endsWith('amd64') })
  expect(restored.warmUps.map(w => w.platform.id)).toEqual(['linux-arm-7'])
  expect(restored.skipped).toEqual([{ platform: PLATFORMS[0], why: 'its build cache came back' }])

  const all = planWarmUps({ builds: jobs(['-a']).map(job => ({ job, goCache: `/c/${job.platform.id}` })), serverPackages: () => [], hasContent: () => false })
  expect(all.warmUps).toEqual([])
  expect(all.skipped.map(s => s.why)).toEqual(['the build compiles every package again (-a)', 'the build compiles every package again (-a)'])
})

test('go list\'s lines count packages ready and those this Go lacks', () => {
  expect(warmUpCounts('ok\nok\nnosuch/pkg: package nosuch/pkg is not in std\nok\n')).toEqual({ ready: 3, failed: 1 })
  expect(warmUpCounts('')).toEqual({ ready: 0, failed: 0 })
})
