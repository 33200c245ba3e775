/**
 * The server to build for: its release (tag, GO_VERSION, go.mod), its release
 * binaries per platform (the witnesses of verification) and what they say
 * about its build.
 */
import { type BinaryFacts, readBinaryFactsFromFile } from '../binary/facts.js'
import { StepError } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import type { Platform } from '../platform.js'
import type { ServerBinarySetting } from './binary-asset.js'
import { type BinaryLookup, type ServerBinary, fetchServerBinaries } from './binary-download.js'
import { fileBinaryLookups } from './binary-file.js'
import { describeOrigin } from './candidate.js'
import { type ServerBinaryFacts, type ServerBuild, serverBuildOf } from './build-facts.js'
import type { ServerRelease } from './release.js'

export type { ServerBuild } from './build-facts.js'
export type { ServerRelease } from './release.js'

export type PlatformBinary = ({ found: true; binary: ServerBinary } & ServerBinaryFacts) | { found: false; why: string }

export interface Server {
  release: ServerRelease
  /** Per platform id: the release binary and its facts, or why there is none (the stand-in loader is then the witness). */
  binaries: Map<string, PlatformBinary>
  build: ServerBuild
}

export interface ServerOptions {
  binary: ServerBinarySetting
  platforms: Platform[]
  token: string
  /** asset-name placeholders per platform, once the release is known. */
  valuesFor: (release: ServerRelease, p: Platform) => Record<string, string>
  log: (line: string) => void
}

/** The server at a release already resolved: its release binaries and what they say about its build. */
export async function serverAt(api: GitHubApi, release: ServerRelease, o: ServerOptions): Promise<Server> {
  const { lookups, fileFacts } = await binaryLookups(api, release, o)
  const binaries = new Map<string, PlatformBinary>()
  const started = Date.now()
  for (const p of o.platforms) {
    const lookup = lookups.get(p.id) ?? { found: false, why: 'not looked up' }
    if (!lookup.found) {
      binaries.set(p.id, lookup)
      continue
    }
    const { binary } = lookup
    let facts
    try {
      // A binary file was read already, to learn its platform.
      facts = fileFacts ?? (await readBinaryFactsFromFile(binary.path, binary.assetName))
    } catch (e) {
      throw new StepError(`server-binary: ${binary.assetName} cannot be read as a Go program (${(e as Error).message}); set server-binary to the asset of the server's binary, or none`)
    }
    binaries.set(p.id, { found: true, binary, platform: p.id, assetName: binary.assetName, facts })
  }
  const found = [...binaries.values()].filter((b): b is Extract<PlatformBinary, { found: true }> => b.found)
  if (found.length > 0) o.log(`${found.length} server binaries read in ${Date.now() - started} ms`)
  return { release, binaries, build: serverBuildOf(release, found) }
}

/** Where each platform's witness comes from: a binary file the workflow built, a release's asset, or nowhere (a candidate has no release binaries). */
async function binaryLookups(api: GitHubApi, release: ServerRelease, o: ServerOptions): Promise<{ lookups: Map<string, BinaryLookup>; fileFacts?: BinaryFacts }> {
  const setting = o.binary
  if (setting.kind === 'file') {
    const { lookups, facts } = await fileBinaryLookups(setting, o.platforms)
    o.log(`server-binary ${setting.shown} is the server's binary for ${[...lookups.entries()].filter(([, l]) => l.found).map(([id]) => id).join(', ')}`)
    return { lookups, fileFacts: facts }
  }
  if (release.origin.kind !== 'release') {
    const why = `${release.tag} is ${describeOrigin(release.origin, release.tag)}, not a release: no release binaries`
    return { lookups: new Map(o.platforms.map(p => [p.id, { found: false, why }])) }
  }
  const lookups = await fetchServerBinaries(o.platforms, {
    api,
    token: o.token,
    server: { owner: release.owner, name: release.name, tag: release.tag },
    setting,
    valuesFor: p => o.valuesFor(release, p),
    log: o.log
  })
  return { lookups }
}
