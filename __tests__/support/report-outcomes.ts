/**
 * A run's outcome the size of a plugin collection's, for the job summary's
 * size tests: `plugins` plugins x `platforms` platforms x `versions` server
 * versions, with what real gotify plugins bring (measured on 20 public ones:
 * a gin-based plugin links about 45 modules the server links too, alignment
 * moves a dozen, its go.mod diff is tens of lines, a refusal lists tens of
 * packages, release assets and the server image list every file). Some
 * plugins fail (a conflict, a refusal), some plugins move to one version
 * across plugins, the sets warn, the image start warns. Real diffs
 * (unifiedDiff), realistic names and digests.
 */
import { createHash } from 'node:crypto'
import { unifiedDiff } from '../../src/go-mod.js'
import type { Alignment } from '../../src/alignment/align.js'
import type { BuildOutcome } from '../../src/compile/build.js'
import type { RunOutcome, VersionOutcome } from '../../src/report/outcome.js'
import type { CompatibilityRow } from '../../src/server-versions/compatibility.js'
import type { ServerImageResult } from '../../src/server-image/result.js'
import type { SetOutcome } from '../../src/verify/set-step.js'
import type { VerifyResult } from '../../src/verify/witness.js'

const PLATFORMS = ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386', 'linux-riscv64']
const MODULES = [
  'github.com/gin-gonic/gin', 'github.com/gin-contrib/sse', 'github.com/go-playground/validator/v10', 'github.com/go-playground/locales',
  'github.com/go-playground/universal-translator', 'github.com/leodido/go-urn', 'github.com/json-iterator/go', 'github.com/modern-go/reflect2',
  'github.com/modern-go/concurrent', 'github.com/mattn/go-isatty', 'github.com/pelletier/go-toml/v2', 'github.com/ugorji/go/codec',
  'github.com/gabriel-vasile/mimetype', 'github.com/bytedance/sonic', 'github.com/bytedance/sonic/loader', 'github.com/cloudwego/base64x',
  'github.com/klauspost/cpuid/v2', 'github.com/twitchyliquid64/golang-asm', 'github.com/goccy/go-json', 'github.com/quic-go/qpack',
  'golang.org/x/crypto', 'golang.org/x/net', 'golang.org/x/sys', 'golang.org/x/text', 'golang.org/x/arch', 'google.golang.org/protobuf',
  'gopkg.in/yaml.v3', 'github.com/gotify/plugin-api', 'github.com/stretchr/testify', 'github.com/davecgh/go-spew', 'github.com/pmezard/go-difflib',
  'github.com/gorilla/websocket', 'github.com/h2non/filetype', 'github.com/jinzhu/configor', 'github.com/BurntSushi/toml', 'github.com/robfig/cron/v3',
  'github.com/rs/zerolog', 'github.com/mattn/go-colorable', 'github.com/google/uuid', 'github.com/pkg/errors', 'github.com/sirupsen/logrus',
  'github.com/spf13/cast', 'github.com/tidwall/gjson', 'github.com/tidwall/match', 'github.com/tidwall/pretty'
]
const NOT_LINKED = ['github.com/testcontainers/testcontainers-go', 'github.com/docker/docker', 'github.com/containerd/containerd', 'golang.org/x/oauth2', 'github.com/opencontainers/image-spec', 'github.com/moby/term', 'github.com/Microsoft/go-winio', 'github.com/cenkalti/backoff/v4', 'github.com/klauspost/compress', 'github.com/magiconair/properties', 'go.opentelemetry.io/otel', 'go.opentelemetry.io/otel/trace', 'github.com/stretchr/objx', 'github.com/kr/text', 'gotest.tools/v3', 'github.com/morikuni/aec', 'github.com/distribution/reference', 'github.com/go-logr/logr', 'github.com/felixge/httpsnoop', 'github.com/moby/patternmatcher', 'github.com/shirou/gopsutil/v3', 'github.com/yusufpapurcu/wmi', 'github.com/tklauser/go-sysconf', 'github.com/power-devops/perfstat', 'github.com/lufia/plan9stats']

const sha = (s: string): string => createHash('sha256').update(s).digest('hex')
const version = (k: number, minor: number): string => `v${1 + (k % 3)}.${minor}.${k % 10}`

export interface OutcomeSize {
  plugins: number
  platforms: number
  versions: number
}

function alignmentOf(p: number, vi: number, workspace: boolean): Alignment {
  const shared = MODULES.map((path, k) => ({ path, plugin: version(k, 10 + vi), server: version(k, 10 + vi), linked: true }))
  const notLinked = NOT_LINKED.map((path, k) => ({ path, plugin: version(k, 3 + (p % 4)), server: k % 2 === 0 ? version(k, 9) : version(k, 3 + (p % 4)), linked: false }))
  const moved = MODULES.filter((_, k) => (k + p) % 4 === 0)
  const changes = moved.map((path, k) => ({ path, from: version(k, 12 + vi), to: version(k, 10 + vi) }))
  // Every third plugin moves to one version across plugins.
  if (p % 3 === 1) changes.push({ path: 'github.com/pkg/errors', from: 'v0.8.1', to: 'v0.9.1', reason: `one version across plugins: plugin-${p} v0.8.1, plugin-${p + 1} v0.9.1` } as (typeof changes)[number])
  const goMod = (m: typeof changes, side: 'from' | 'to'): string =>
    [`module github.com/owner${p}/gotify-plugin-${p}`, '', 'go 1.24.0', '', 'require (', ...MODULES.slice(0, 12).map((path, k) => `\t${path} ${m.find(c => c.path === path)?.[side] ?? version(k, 10 + vi)}`), ')', '', 'require (', ...MODULES.slice(12).map((path, k) => `\t${path} ${m.find(c => c.path === path)?.[side] ?? version(k, 10 + vi)} // indirect`), ')', ''].join('\n')
  const conflicts =
    p % 7 === 3 && vi === 2
      ? [{ path: 'golang.org/x/net', server: 'v0.25.0', plugin: 'v0.33.0', chain: [], message: `golang.org/x/net cannot be aligned: the plugin links v0.33.0, above the server's v0.25.0, because github.com/owner${p}/gotify-plugin-${p} → github.com/gorilla/websocket@v1.5.3 → golang.org/x/net@v0.33.0 requires it; lower github.com/gorilla/websocket to a version that requires golang.org/x/net v0.25.0 or below` }]
      : []
  return {
    mode: 'full',
    serverModules: [],
    shared: [...shared, ...notLinked],
    changes: conflicts.length > 0 ? [] : changes,
    conflicts,
    changed: conflicts.length === 0,
    diff: conflicts.length === 0 && workspace ? unifiedDiff(goMod(changes, 'from'), goMod(changes, 'to'), 'go.mod') : '',
    goModPath: `/home/runner/work/plugins/plugins/plugins/gotify-plugin-${p}/go.mod`
  }
}

function platformOutcome(name: string, p: number, tag: string, vi: number, platform: string, refused: boolean): { build: BuildOutcome; verification: VerifyResult } {
  const asset = `${name}-${platform}-for-gotify-${tag}.so`
  const artifact = { platform, path: `/home/runner/work/plugins/plugins/build/${asset}`, name: asset, size: 11_000_000 + p * 1000 + vi, sha256: sha(asset) }
  const [os, arch] = platform.split('-')
  const build: BuildOutcome = {
    job: { platform: { id: platform, os, arch }, serverVersion: tag, image: `gotify/build:1.25.${7 - vi}-${platform}`, assetName: asset, outputPath: artifact.path, goArgs: [], workdir: '/proj', env: {} },
    ok: true,
    seconds: 20 + p,
    log: '',
    errors: [],
    artifact
  }
  const witness = `release binary gotify-${platform}.zip`
  const differing = refused ? MODULES.slice(0, 30).map((m, k) => ({ package: `${m}/internal/pkg${k}`, module: m, server: { version: version(k, 10) }, plugin: { version: version(k, 12) } })) : undefined
  const verification: VerifyResult = {
    platform,
    status: refused ? 'failed' : 'loaded',
    witness,
    method: 'static',
    detail: refused ? `refused against gotify-${platform}.zip: 30 of 431 shared packages differ` : `proven against gotify-${platform}.zip: 431 shared packages, 0 different`,
    ...(differing ? { differing, goVersions: { server: '1.25.7', plugin: '1.25.7' } } : {}),
    glibc: { plugin: 'GLIBC_2.34', server: 'GLIBC_2.34' },
    warnings: p % 6 === 5 ? [`the plugin needs GLIBC_2.36, the server binary only GLIBC_2.34: it may not dlopen on the server's system`] : []
  }
  return { build, verification }
}

/** The outcome of one run: every plugin x version x platform, with its sets, compatibility table, server image and release. */
export function realisticRun(size: OutcomeSize): RunOutcome {
  const tags = ['v2.9.1', 'v2.9.0', 'v2.8.0', 'v2.7.0', 'v2.6.3'].slice(0, size.versions)
  const platforms = PLATFORMS.slice(0, size.platforms)
  const plugins = Array.from({ length: size.plugins }, (_, p) => ({ name: `plugin-${p}`, path: `plugins/gotify-plugin-${p}`, modulePath: `github.com/owner${p}/gotify-plugin-${p}`, pluginPath: `github.com/owner${p}/gotify-plugin-${p}` }))
  const versions: VersionOutcome[] = []
  for (const [p, plugin] of plugins.entries()) {
    for (const [vi, tag] of tags.entries()) {
      const alignment = alignmentOf(p, vi, vi === 0)
      const refused = p % 5 === 4 && vi === tags.length - 1
      const each = alignment.conflicts.length > 0 ? [] : platforms.map(pl => platformOutcome(plugin.name, p, tag, vi, pl, refused))
      versions.push({
        server: { owner: 'gotify', name: 'server', tag, origin: { kind: 'release' }, goVersion: `1.25.${7 - vi}`, goVersionSource: 'GO_VERSION', goMod: '' },
        plugin: plugin.name,
        serverBuild: { goVersion: `1.25.${7 - vi}`, goVersionSource: 'release binary gotify-linux-amd64.zip', flags: { trimpath: false, race: false, msan: false, asan: false, gcflags: '' }, notes: vi === 0 ? ['the server replaces github.com/ugorji/go v1.2.12 with github.com/ugorji/go/codec v1.2.12: a plugin linking github.com/ugorji/go needs the same replace directive'] : [] },
        alignsWorkspace: vi === 0,
        alignment,
        builds: each.map(x => x.build),
        verification: each.map(x => x.verification),
        artifacts: each.flatMap(x => (x.build.artifact ? [x.build.artifact] : []))
      })
    }
  }
  const artifacts = versions.flatMap(v => v.artifacts.map(a => ({ a, tag: v.server.tag })))
  const compatibility: CompatibilityRow[] = artifacts.map(({ a, tag }) => {
    const checks = tags.map(t => (t === tag ? { serverVersion: t, status: 'loads' as const, witness: `release binary gotify-${a.platform}.zip`, detail: '' } : { serverVersion: t, status: 'refused' as const, witness: `release binary gotify-${a.platform}.zip`, firstDifference: 'github.com/gin-gonic/gin', detail: 'refused' }))
    return { artifact: a.name, platform: a.platform, builtFor: tag, checks, alsoLoadsInto: [] }
  })
  const sets: SetOutcome[] = tags.flatMap(tag =>
    platforms.map(platform => {
      const files = artifacts.filter(x => x.tag === tag && x.a.platform === platform).map(x => x.a.name)
      return { serverVersion: tag, platform, status: 'loaded' as const, witness: `release binary gotify-${platform}.zip`, files, detail: `${files.length} plugin files load together into gotify-${platform}.zip`, differing: [], warnings: [`${files[0]}, ${files[1]} are built from one module (github.com/gotify/plugin-template): if their GetGotifyPluginInfo reports it as ModulePath, gotify refuses all but the first (\`present at least twice\`)`] }
    })
  )
  for (const tag of tags) {
    const first = versions.find(v => v.server.tag === tag)
    if (first) first.serverImage = imageOf(tag, platforms, sets.filter(s => s.serverVersion === tag))
  }
  const releaseAssets = [...artifacts.map(({ a }) => ({ name: a.name, url: `https://github.com/owner/plugins/releases/download/v1.4.0/${a.name}`, status: 'uploaded' })), { name: 'SHA256SUMS', url: 'https://github.com/owner/plugins/releases/download/v1.4.0/SHA256SUMS', status: 'uploaded' }]
  return { request: '>=2.7.0', versions, compatibility, plugins, sets, releaseUrl: 'https://github.com/owner/plugins/releases/tag/v1.4.0', releaseAssets }
}

function imageOf(tag: string, platforms: string[], sets: SetOutcome[]): ServerImageResult {
  const bare = tag.slice(1)
  return {
    image: `gotify/server:${bare}`,
    pluginFile: '',
    pluginDir: '/app/data/plugins',
    platforms: platforms.map(platform => ({
      platform,
      base: `gotify/server:${bare} (${platform.replace(/-/g, '/')})`,
      status: 'proven' as const,
      detail: `${sets.find(s => s.platform === platform)?.files.length ?? 0} plugin files load together into /app/gotify-app of gotify/server:${bare} (${platform.replace(/-/g, '/')})`,
      binary: '/app/gotify-app',
      files: (sets.find(s => s.platform === platform)?.files ?? []).map(f => `/app/data/plugins/${f}`),
      ...(platform === 'linux-amd64' ? { started: 'loaded' as const } : { notStarted: 'proven against its server binary, not started' }),
      pushed: [{ tag: `ghcr.io/owner/gotify-with-plugins:${bare}-${platform}`, digest: `sha256:${sha(platform + tag)}` }]
    })),
    start: {
      platform: 'linux-amd64',
      files: sets[0]?.files.length ?? 0,
      status: 'loaded',
      detail: `it answers on 80/tcp and GET /plugin lists all ${sets[0]?.files.length ?? 0}`,
      evidence: [],
      warnings: ['plugin-3-linux-amd64.so (github.com/owner3/gotify-plugin-3): loaded and listed by GET /plugin, but disabled by the server; its log: "WRN Plugin failed to initialize because it rejected the current config. It might be outdated."; the plugin says: "webhook url must be set"']
    },
    tags: [`ghcr.io/owner/gotify-with-plugins:${bare}`, 'ghcr.io/owner/gotify-with-plugins:latest'],
    pushed: [{ tag: `ghcr.io/owner/gotify-with-plugins:${bare}`, digest: `sha256:${sha(tag)}` }]
  }
}
