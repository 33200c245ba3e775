/**
 * What each neighbour's file says about itself in its Go build info, read
 * from its bytes (never run): its plugin path (the main package's import
 * path), and every module it links at its version. The run's plugins are
 * built under module paths of their own where a neighbour has their plugin
 * path (rewrite-module-paths), and follow the versions a neighbour links
 * where the server links none (alignment/align-across.ts): the neighbour is
 * never rebuilt, so only this side can move.
 */
import { readBinaryFactsFromFile } from '../binary/facts.js'
import type { GoModule } from '../binary/go-modinfo.js'
import type { SetNeighbour } from '../verify/set-step.js'

export interface NeighbourLinks {
  /** Its file name in the server's plugin folder (it differs per platform). */
  name: string
  platform: string
  /** Its main package's import path, when its build info or symbols name it. */
  pluginPath?: string
  /** The modules it links, as `go list -m` names them (a replacement after `=>`). */
  linked: Array<{ path: string; version: string; replace?: string }>
}

const replacement = (r: GoModule): string => (r.version && r.version !== '(devel)' ? `${r.path} ${r.version}` : r.path)

/** Per server version, each neighbour file's links; a file whose facts cannot be read is left out (the set proof says why). */
export async function readNeighbourLinks(neighbours: Map<string, SetNeighbour[]>, log: (line: string) => void): Promise<Map<string, NeighbourLinks[]>> {
  const out = new Map<string, NeighbourLinks[]>()
  const read = new Map<string, NeighbourLinks | undefined>()
  for (const [tag, files] of neighbours) {
    const links: NeighbourLinks[] = []
    for (const n of files) {
      if (!read.has(n.path)) {
        try {
          const facts = await readBinaryFactsFromFile(n.path, n.name)
          const linked = (facts.buildInfo?.deps ?? []).map(d => ({ path: d.path, version: d.version, ...(d.replace ? { replace: replacement(d.replace) } : {}) }))
          read.set(n.path, { name: n.name, platform: n.platform, ...(facts.symbolPath ? { pluginPath: facts.symbolPath } : {}), linked })
        } catch (e) {
          log(`${n.name}: its build info is not read (${(e as Error).message}); the set proof judges it`)
          read.set(n.path, undefined)
        }
      }
      const l = read.get(n.path)
      if (l) links.push({ ...l, name: n.name, platform: n.platform })
    }
    out.set(tag, links)
  }
  return out
}
