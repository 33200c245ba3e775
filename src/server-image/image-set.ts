/**
 * What one platform's image will hold in its plugin folder, proven against
 * the server binary inside the image: one plugin alone (the one-plugin proof,
 * file `{plugin}.so`), or a set (several plugins of the run, with-plugins
 * neighbours) under the names the set step proved them by (asset names,
 * neighbours' file names), in the server's load order (verify/plugin-set.ts).
 * In an image any refusal stops the server, so a neighbour marked (warn)
 * refuses the image too.
 */
import * as path from 'node:path'
import { type BinaryFacts, readBinaryFactsFromFile } from '../binary/facts.js'
import type { Platform } from '../platform.js'
import { pluginSetDetails, provePluginSet } from '../verify/plugin-set.js'
import { type SetDifference, type SetMemberVerdict, type SetNeighbour, setOutcomeOf } from '../verify/set-step.js'
import { type PackageDifference, proofDetails, proveStatically } from '../verify/static-proof.js'

/** A built .so of this run, with the plugin it is of and its name in the plugin folder (its asset name). */
export interface ImageArtifact {
  platform: Platform
  path: string
  /** Its name in the plugin folder when the image holds a set. */
  name: string
  plugin: { name: string; modulePath: string }
}

/** A file going into the plugin folder: on the runner, in the image, and what the started server may list it by. */
export interface ImageFile {
  /** On the runner. */
  path: string
  /** In the image. */
  inImage: string
  own: boolean
  modulePath?: string
}

export interface ImageProof {
  passed: boolean
  /** One line: the proof's summary, or why it could not be made. */
  summary: string
  lines: string[]
  /** In the server's load order. */
  files: ImageFile[]
  differing?: PackageDifference[]
  /** A set: each file's verdict, and every package two files (or a file and the server) disagree on. */
  members?: SetMemberVerdict[]
  conflicts?: SetDifference[]
  warnings: string[]
}

/** A set is several plugins of the run, or any neighbour on any platform: then files keep their set names. Pure. */
export function holdsSet(artifacts: ImageArtifact[], neighbours: SetNeighbour[]): boolean {
  return new Set(artifacts.map(a => a.plugin.name)).size > 1 || neighbours.length > 0
}

export interface ProveImageInput {
  server: BinaryFacts
  /** e.g. `/app/gotify-app of gotify/server:2.9.1 (linux/amd64)`. */
  witness: string
  /** This run's .so files of the platform. */
  artifacts: ImageArtifact[]
  /** Neighbours of the platform; undefined: the image holds one plugin alone. */
  neighbours?: SetNeighbour[]
  pluginDir: string
  /** The one plugin's path in the image (`{plugin}.so`). */
  pluginFile: string
  symbols: string[]
}

export async function proveImageFiles(i: ProveImageInput): Promise<ImageProof> {
  const read = async (file: string, name: string): Promise<BinaryFacts | string> => readBinaryFactsFromFile(file, name).catch((e: unknown) => `cannot read ${file}: ${(e as Error).message}`)
  if (!i.neighbours) {
    const [a] = i.artifacts
    const plugin = await read(a.path, path.basename(a.path))
    const files = [{ path: a.path, inImage: i.pluginFile, own: true, modulePath: a.plugin.modulePath }]
    if (typeof plugin === 'string') return { passed: false, summary: plugin, lines: [], files, warnings: [] }
    const proof = proveStatically({ server: i.server, plugin, symbols: i.symbols, witness: i.witness })
    return { passed: proof.passed, summary: proof.summary, lines: proofDetails(proof), files, differing: proof.differing, warnings: proof.warnings }
  }
  const members = [
    ...i.artifacts.map(a => ({ name: a.name, path: a.path, own: true, modulePath: a.plugin.modulePath as string | undefined })),
    ...i.neighbours.map(n => ({ name: n.name, path: n.path, own: false, modulePath: undefined as string | undefined }))
  ]
  const plugins: Array<{ name: string; facts: BinaryFacts }> = []
  for (const m of members) {
    const facts = await read(m.path, m.name)
    if (typeof facts === 'string') return { passed: false, summary: facts, lines: [], files: [], warnings: [] }
    plugins.push({ name: m.name, facts })
    // A neighbour's module path (the API's listing) is what its build info says.
    m.modulePath ??= facts.buildInfo?.main?.path
  }
  const proof = provePluginSet({ server: i.server, witness: i.witness, plugins, symbols: i.symbols })
  const outcome = setOutcomeOf(proof, { serverVersion: '', platform: '', neighbours: i.neighbours })
  const files = proof.members.map(pm => {
    const m = members.find(x => x.name === pm.file)!
    return { path: m.path, inImage: path.posix.join(i.pluginDir, m.name), own: m.own, ...(m.modulePath ? { modulePath: m.modulePath } : {}) }
  })
  return { passed: proof.passed, summary: proof.summary, lines: pluginSetDetails(proof), files, members: outcome.members, conflicts: outcome.differing, warnings: outcome.warnings }
}
