/**
 * What the server's release build really was. When the release publishes its
 * binaries, their Go build info is the truth: the Go version, the modules it
 * linked (replacements applied), the flags that change package fingerprints.
 * GO_VERSION and go.mod are the fallback (and GO_VERSION names the build
 * images). Pure.
 */
import type { BinaryFacts } from '../binary/facts.js'
import { buildSetting } from '../binary/go-buildinfo.js'
import type { GoModule } from '../binary/go-modinfo.js'
import type { ServerBuildFlags } from '../compile/fingerprint-flags.js'
import { SERVER_BUILD_FLAGS_UNKNOWN } from '../compile/fingerprint-flags.js'
import { parseGoVersion, sameGoRelease } from '../go-version.js'
import type { ServerRelease } from './release.js'

export interface ModuleVersion {
  path: string
  version: string
}

/** A server release binary read for one platform. */
export interface ServerBinaryFacts {
  platform: string
  /** The release asset, e.g. gotify-linux-arm64.zip: how the witness is named. */
  assetName: string
  facts: BinaryFacts
}

export interface ServerBuild {
  /** The Go release the server was built with (x.y.z as GO_VERSION spells it when both agree). */
  goVersion: string
  /** Where that came from: `release binary <asset>`, GO_VERSION or go.mod's toolchain line. */
  goVersionSource: string
  /** The modules the server binary links, at the versions it links; undefined without a binary (go.mod decides). */
  modules?: ModuleVersion[]
  flags: ServerBuildFlags
  /** Disagreements and oddities the user should see in the summary. */
  notes: string[]
}

/** `go1.26.8`, `go1.16`, `go1.22.0 X:loopvar` -> the release, without `go`; undefined for `devel ...`. */
export function goVersionOfBuildInfo(text: string): string | undefined {
  const m = /^go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)(?:\s|$)/.exec(text.trim())
  return m && parseGoVersion(m[1]) ? m[1] : undefined
}

const describe = (m: GoModule): string => (m.version ? `${m.path} ${m.version}` : m.path)

/**
 * The server's build, from the first binary that has build info (all
 * platforms are built from one go.mod), else from the release's files.
 */
export function serverBuildOf(release: Pick<ServerRelease, 'goVersion' | 'goVersionSource'>, binaries: ServerBinaryFacts[]): ServerBuild {
  const fallback: ServerBuild = { goVersion: release.goVersion, goVersionSource: release.goVersionSource, flags: SERVER_BUILD_FLAGS_UNKNOWN, notes: [] }
  const withInfo = binaries.filter(b => b.facts.buildInfo)
  const first = withInfo[0]
  if (!first?.facts.buildInfo) {
    for (const b of binaries) fallback.notes.push(`${b.assetName} carries no Go build info (${b.facts.buildInfoError ?? 'unreadable'}); the server's Go and modules come from ${release.goVersionSource} and go.mod`)
    return fallback
  }
  const info = first.facts.buildInfo
  const notes: string[] = []
  const binaryGo = goVersionOfBuildInfo(info.goVersion)
  let goVersion = release.goVersion
  let goVersionSource: string = release.goVersionSource
  if (!binaryGo) {
    notes.push(`${first.assetName} was built with "${info.goVersion}", not a Go release; the Go version comes from ${release.goVersionSource}`)
  } else {
    goVersionSource = `release binary ${first.assetName}`
    if (!sameGoRelease(binaryGo, release.goVersion)) {
      notes.push(`${first.assetName} was built with go${binaryGo}, but the server's ${release.goVersionSource} says ${release.goVersion}: the binary is the truth (plugins must be built with go${binaryGo}; the build images are still named after ${release.goVersion})`)
      goVersion = binaryGo
    }
  }
  for (const b of withInfo.slice(1)) {
    const other = b.facts.buildInfo?.goVersion
    if (other !== info.goVersion) notes.push(`${b.assetName} was built with ${other}, ${first.assetName} with ${info.goVersion}`)
  }

  const modules: ModuleVersion[] = []
  for (const dep of info.deps) {
    const r = dep.replace
    if (!r) modules.push({ path: dep.path, version: dep.version })
    else if (r.path === dep.path && r.version) modules.push({ path: dep.path, version: r.version })
    else {
      // A fork or a local folder: no version of dep.path gives the plugin the same packages.
      modules.push({ path: dep.path, version: dep.version })
      notes.push(`the server replaces ${describe(dep)} with ${describe(r)}: a plugin linking ${dep.path} needs the same replace directive`)
    }
  }
  const flag = (key: string): boolean => ['true', '1'].includes(buildSetting(info, key) ?? '')
  const flags: ServerBuildFlags = { trimpath: flag('-trimpath'), race: flag('-race'), msan: flag('-msan'), asan: flag('-asan'), gcflags: buildSetting(info, '-gcflags') ?? '' }
  return { goVersion, goVersionSource, modules, flags, notes }
}
