import { StepError } from '../errors.js'
import { ensureImage, runContainer } from '../container/docker.js'
import { mapConcurrent } from '../concurrency.js'
import type { Platform } from '../platform.js'
import { goReleaseNameOf, sameGoRelease } from '../go-version.js'

/**
 * The Go an image reports must be the server's: a plugin built with another Go
 * never loads. Versions, not strings: gotify's GO_VERSION `1.16.0` is the Go
 * that calls itself `go1.16`.
 */
export function imageGoProblem(image: string, reported: string, serverGoVersion: string): string | undefined {
  const got = reported.trim()
  if (got !== '' && sameGoRelease(got, serverGoVersion)) return undefined
  const want = goReleaseNameOf(serverGoVersion)
  return `build image ${image} has ${got || 'no Go'} but the server was built with ${want}; a plugin built with another Go version never loads: use an image with ${want} (build-image)`
}

/** `go version` output ("go version go1.12.17 linux/amd64"): `go env GOVERSION` only exists since Go 1.16. */
export function goVersionOfOutput(stdout: string): string {
  return /\bgo version (go\S+)/.exec(stdout)?.[1] ?? ''
}

/** What is wrong with an image: it cannot be had (`missing`), or it has another Go than the server's. */
export interface ImageProblem {
  image: string
  missing: boolean
  message: string
}

/** Every platform's image pulled if needed, and checked to hold the server's Go: the problems found. */
export async function imageProblems(targets: Array<{ platform: Platform; image: string }>, serverGoVersion: string, concurrency: number): Promise<ImageProblem[]> {
  const byImage = new Map<string, Platform[]>()
  for (const t of targets) {
    const known = byImage.get(t.image) ?? []
    if (!known.some(p => p.id === t.platform.id)) byImage.set(t.image, [...known, t.platform])
  }
  const problems = await mapConcurrent([...byImage.entries()], concurrency, async ([image, platforms]): Promise<ImageProblem | undefined> => {
    const ids = platforms.map(p => p.id).join(', ')
    const present = await ensureImage(image)
    if (!present.ok) {
      return { image, missing: true, message: `build image ${image} for ${ids} cannot be found or pulled (${present.detail}); check that the server publishes an image for this Go version and platform, or set build-image` }
    }
    const r = await runContainer({ image, command: ['go', 'version'], env: { GOTOOLCHAIN: 'local', HOME: '/tmp' } })
    if (r.code !== 0) return { image, missing: false, message: `build image ${image} for ${ids} cannot run go (${r.output.trim().split('\n').pop()}); set build-image to an image with Go ${serverGoVersion}` }
    const wrong = imageGoProblem(image, goVersionOfOutput(r.stdout), serverGoVersion)
    return wrong ? { image, missing: false, message: wrong } : undefined
  })
  return problems.filter((p): p is ImageProblem => p !== undefined)
}

/** Makes sure every platform's image is there (pulling it if needed) and has the server's Go. */
export async function checkImages(targets: Array<{ platform: Platform; image: string }>, serverGoVersion: string, concurrency: number): Promise<void> {
  const found = await imageProblems(targets, serverGoVersion, concurrency)
  if (found.length > 0) throw new StepError(found.map(p => p.message).join('; '))
}
