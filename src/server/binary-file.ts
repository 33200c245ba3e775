/**
 * server-binary as a file: a server binary the workflow built (a server's
 * own pull request, a nightly against a branch), the witness of the static
 * proof for the one platform it was built for. Which platform that is comes
 * from its bytes: the ELF machine, and GOOS/GOARM/GOAMD64 of its Go build info.
 */
import { readBinaryFactsFromFile, type BinaryFacts } from '../binary/facts.js'
import { buildSetting } from '../binary/go-buildinfo.js'
import { StepError } from '../errors.js'
import type { Platform } from '../platform.js'
import type { BinaryLookup } from './binary-download.js'
import type { ServerBinarySetting } from './binary-asset.js'

const VARIANT_SETTING: Record<string, string> = { arm: 'GOARM', amd64: 'GOAMD64', '386': 'GO386' }

/** `linux-arm64`, `linux-arm-7`: the binary's platform as platforms spells it. Pure. */
export function platformOfBinary(facts: Pick<BinaryFacts, 'goarch' | 'buildInfo'>): { os: string; arch: string; variant?: string; id: string } {
  const info = facts.buildInfo
  const os = (info && buildSetting(info, 'GOOS')) ?? 'linux'
  const key = VARIANT_SETTING[facts.goarch]
  // GOARM may read "7,softfloat"; the variant is its number.
  const variant = key && info ? buildSetting(info, key)?.split(',')[0] : undefined
  const base = `${os}-${facts.goarch}`
  return { os, arch: facts.goarch, ...(variant ? { variant } : {}), id: variant && facts.goarch === 'arm' ? `${base}-${variant}` : base }
}

/** The run's platform the binary was built for: same OS and arch, and the same variant when the platform names one. Pure. */
export function matchingPlatform(facts: Pick<BinaryFacts, 'goarch' | 'buildInfo'>, platforms: Platform[]): Platform | undefined {
  const b = platformOfBinary(facts)
  return platforms.find(p => p.os === b.os && p.arch === b.arch && (p.variant === undefined || b.variant === undefined || p.variant === b.variant))
}

/** The binary's lookup for every platform of the run: found for its own, the stand-in loader for the others. */
export async function fileBinaryLookups(setting: Extract<ServerBinarySetting, { kind: 'file' }>, platforms: Platform[]): Promise<{ lookups: Map<string, BinaryLookup>; facts: BinaryFacts }> {
  let facts: BinaryFacts
  try {
    facts = await readBinaryFactsFromFile(setting.path, setting.shown)
  } catch (e) {
    throw new StepError(`server-binary: ${setting.shown} cannot be read as a Go program (${(e as Error).message}); set server-binary to the server binary this workflow built, or none`)
  }
  if (facts.kind !== 'executable' && facts.fingerprints.size === 0) throw new StepError(`server-binary: ${setting.shown} is a ${facts.kind}, not a server program; set server-binary to the server binary this workflow built, or none`)
  const own = matchingPlatform(facts, platforms)
  if (!own) {
    throw new StepError(
      `server-binary: ${setting.shown} is a ${platformOfBinary(facts).id} program, and platforms is ${platforms.map(p => p.id).join(', ')}; build the server for one of them, add ${platformOfBinary(facts).id} to platforms, or set server-binary: none`
    )
  }
  const lookups = new Map<string, BinaryLookup>()
  for (const p of platforms) {
    lookups.set(p.id, p === own ? { found: true, binary: { platform: p, assetName: setting.shown, path: setting.path, downloaded: false } } : { found: false, why: `server-binary ${setting.shown} is a ${own.id} program` })
  }
  return { lookups, facts }
}
