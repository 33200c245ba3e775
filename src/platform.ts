import { InputError } from './errors.js'

/** A target of the server's build images: `<os>-<arch>[-<variant>]`, e.g. linux-arm-7. */
export interface Platform {
  readonly os: string
  readonly arch: string
  readonly variant?: string
  /** The canonical spelling, used in image tags and file names. */
  readonly id: string
}

export const DEFAULT_PLATFORMS = 'linux-amd64,linux-arm-7,linux-arm64,linux-386'

// GOOS/GOARCH pairs that can build `-buildmode=plugin` (go help buildmode, cmd/internal/sys).
const PLUGIN_TARGETS: Record<string, string[]> = {
  linux: ['amd64', '386', 'arm', 'arm64', 'riscv64', 's390x', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le'],
  darwin: ['amd64', 'arm64'],
  freebsd: ['amd64'],
  android: ['amd64', 'arm', 'arm64', '386']
}
const VARIANTS: Record<string, string[]> = { arm: ['5', '6', '7'], amd64: ['v1', 'v2', 'v3', 'v4'], '386': ['sse2', 'softfloat'] }

const ACCEPTED =
  'linux-amd64, linux-arm-7, linux-arm64, linux-386, linux-riscv64 or another <os>-<arch>[-<variant>] that can build Go plugins'

export function parsePlatform(text: string, input = 'platforms'): Platform {
  const parts = text.trim().split('-')
  const [os, arch, variant, ...rest] = parts
  const known = PLUGIN_TARGETS[os ?? '']
  if (!os || !arch || rest.length > 0 || !known || !known.includes(arch)) {
    throw new InputError(input, `unknown platform "${text.trim()}"`, ACCEPTED)
  }
  if (variant !== undefined && !(VARIANTS[arch] ?? []).includes(variant)) {
    throw new InputError(input, `unknown variant "${variant}" of ${os}-${arch}`, ACCEPTED)
  }
  return { os, arch, variant, id: variant ? `${os}-${arch}-${variant}` : `${os}-${arch}` }
}

/** Comma or newline separated list; duplicates are an error, order is kept. */
export function parsePlatforms(text: string, input = 'platforms'): Platform[] {
  const items = text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(s => s !== '')
  if (items.length === 0) throw new InputError(input, 'no platform given', ACCEPTED)
  const platforms = items.map(s => parsePlatform(s, input))
  const seen = new Set<string>()
  for (const p of platforms) {
    if (seen.has(p.id)) throw new InputError(input, `platform "${p.id}" is listed twice`, ACCEPTED)
    seen.add(p.id)
  }
  return platforms
}

/** The Go environment of a platform, as the server's build images set it. */
export function platformGoEnv(p: Platform): Record<string, string> {
  const env: Record<string, string> = { GOOS: p.os, GOARCH: p.arch }
  if (p.variant) {
    const key = { arm: 'GOARM', amd64: 'GOAMD64', '386': 'GO386' }[p.arch]
    if (key) env[key] = p.variant
  }
  return env
}

/** The platform the runner can execute natively (`process.arch` in Go's words). */
export function nativeArch(nodeArch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', riscv64: 'riscv64' } as Record<string, string>)[nodeArch] ?? nodeArch
}
