/**
 * What the server's release build really was. When the release publishes its
 * binaries, their Go build info is the truth: the Go version, the modules it
 * linked (replacements applied), the flags that change package fingerprints.
 * GO_VERSION and go.mod are the fallback (and GO_VERSION names the build
 * images). The binary inside the server image adds the flags it was built
 * with (withBinaryFlags). Pure.
 */
import type { BinaryFacts } from '../binary/facts.js'
import { type GoBuildInfo, buildSetting } from '../binary/go-buildinfo.js'
import type { GoModule } from '../binary/go-modinfo.js'
import type { ServerBuildFlags } from '../compile/fingerprint-flags.js'
import { SERVER_BUILD_FLAGS_UNKNOWN } from '../compile/fingerprint-flags.js'
import { parseGoVersion, sameGoRelease } from '../go-version.js'
import { binaryWitness } from './binary-asset.js'
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
    goVersionSource = binaryWitness(first.assetName)
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
  return { goVersion, goVersionSource, modules, flags: buildFlagsOf(info), notes }
}

/** The flags that change package fingerprints, as a binary's build info records them. */
export function buildFlagsOf(info: Pick<GoBuildInfo, 'settings'>): ServerBuildFlags {
  const flag = (key: string): boolean => ['true', '1'].includes(buildSetting(info, key) ?? '')
  return { trimpath: flag('-trimpath'), race: flag('-race'), msan: flag('-msan'), asan: flag('-asan'), gcflags: buildSetting(info, '-gcflags') ?? '' }
}

const BOOLEAN_FLAGS = ['trimpath', 'race', 'msan', 'asan'] as const

/**
 * The server's build with the flags of another of its binaries (the one in
 * its server image): a flag either used is the server's, so the plugin may
 * use it; a flag one used and the other did not is noted (no plugin build
 * loads in both). `binary` names the other binary in the note.
 */
export function withBinaryFlags(build: ServerBuild, flags: ServerBuildFlags, binary: string): ServerBuild {
  const merged: ServerBuildFlags = { ...build.flags }
  const notes = [...build.notes]
  // Known flags on this side come from the release binaries, or the server binary the workflow built (unknown without either).
  const ours = build.goVersionSource.startsWith('server binary ') ? `the ${build.goVersionSource} (built by the workflow)` : 'the release binaries'
  for (const k of BOOLEAN_FLAGS) {
    const [a, b] = [build.flags[k] ?? 'unknown', flags[k] ?? 'unknown']
    merged[k] = a === true || b === true ? true : a === false || b === false ? false : 'unknown'
    if (a !== b && a !== 'unknown' && b !== 'unknown') {
      notes.push(`${binary} was built ${b ? 'with' : 'without'} -${k}, ${ours} ${a ? 'with' : 'without'}: no plugin build loads in both`)
    }
  }
  const [g, h] = [build.flags.gcflags, flags.gcflags]
  const known = (v: string | undefined): v is string => v !== undefined && v !== 'unknown'
  if (!known(g) || (g === '' && known(h))) merged.gcflags = h
  else if (known(h) && h !== '' && h !== g) notes.push(`${binary} was built with -gcflags=${h}, ${ours} with ${g ? `-gcflags=${g}` : 'none'}: no plugin build loads in both`)
  return { ...build, flags: merged, notes }
}
