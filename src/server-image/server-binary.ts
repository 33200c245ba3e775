/**
 * The server binary inside a server image: the program its ENTRYPOINT (or
 * CMD) starts, resolved like the engine does (relative to WORKDIR, bare names
 * through the image's PATH), else the executable of its file system that
 * exports package fingerprints (a Go program that can load plugins). Copying
 * files out of a created container runs nothing, so any platform works.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type BinaryFacts, readBinaryFactsFromFile } from '../binary/facts.js'
import { isElfExecutable } from '../binary/executable.js'
import { readContainerFileSystem, tryDocker } from './engine.js'
import { type TarEntry, listTar } from './tar-listing.js'

/** The parts of an image's config this step reads. */
export interface ImageConfig {
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  WorkingDir?: string
  Env?: string[] | null
  ExposedPorts?: Record<string, unknown> | null
  Volumes?: Record<string, unknown> | null
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
// Programs that start another one: the server is a later word.
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh'])
const WRAPPERS = new Set(['tini', 'tini-static', 'dumb-init', 'catatonit', 'env', 'exec', 'gosu', 'su-exec', 'setpriv', 'runuser'])
const MAX_SEARCHED = 10
const MIN_SEARCH_SIZE = 1 << 20

/** Paths the ENTRYPOINT and CMD start, in the order the engine would look. Pure. */
export function commandCandidates(config: ImageConfig): string[] {
  const words = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])]
  const programs: string[] = []
  for (let i = 0; i < words.length && programs.length < 6; i++) {
    const word = words[i]
    const base = path.posix.basename(word)
    if (SHELLS.has(base) && words[i + 1] === '-c' && words[i + 2] !== undefined) {
      // The first command of the script, e.g. `sh -c "exec ./server --flag"`.
      const script = words[i + 2].split(/[\s;&|]+/).filter(w => w !== '' && w !== 'exec' && !w.includes('='))
      if (script[0]) programs.push(script[0].replace(/^["']|["']$/g, ''))
      break
    }
    if (word.startsWith('-') || word.includes('=')) continue
    programs.push(word)
    if (!WRAPPERS.has(base)) break
  }
  const workdir = config.WorkingDir || '/'
  const pathVar = (config.Env ?? []).find(e => e.startsWith('PATH='))?.slice(5) || DEFAULT_PATH
  const out: string[] = []
  for (const p of programs) {
    if (p.startsWith('/')) out.push(path.posix.normalize(p))
    else if (p.includes('/')) out.push(path.posix.join(workdir, p))
    else for (const dir of pathVar.split(':').filter(d => d.startsWith('/'))) out.push(path.posix.join(dir, p))
  }
  return [...new Set(out)]
}

/** Executable regular files of a listing big enough to be a Go server, biggest first. Pure. */
export function searchCandidates(entries: TarEntry[]): string[] {
  return entries
    .filter(e => e.type === 'file' && (e.mode & 0o111) !== 0 && e.size >= MIN_SEARCH_SIZE && !/^\/(proc|sys|dev)\//.test(e.path) && !/\.so(\.\d+)*$/.test(e.path))
    .sort((a, b) => b.size - a.size)
    .slice(0, MAX_SEARCHED)
    .map(e => e.path)
}

export type FoundBinary = { found: true; path: string; facts: BinaryFacts; how: 'entrypoint' | 'search' } | { found: false; why: string }

export interface FindOptions {
  container: string
  config: ImageConfig
  /** A folder of the runner to copy candidates into. */
  dir: string
  /** Among several programs that load plugins, the one sharing the most packages with this .so wins. */
  plugin?: BinaryFacts
  /** What the image is called to a user, in messages. */
  imageName: string
  log: (line: string) => void
}

export async function findServerBinary(o: FindOptions): Promise<FoundBinary> {
  fs.mkdirSync(o.dir, { recursive: true })
  const tried = new Set<string>()
  const fromCommand = commandCandidates(o.config)
  for (const p of fromCommand) {
    tried.add(p)
    const facts = await loaderFacts(o, p, tried.size)
    if (facts) return { found: true, path: p, facts, how: 'entrypoint' }
  }
  const started = fromCommand.length > 0 ? `its ENTRYPOINT/CMD (${fromCommand.slice(0, 3).join(', ')}${fromCommand.length > 3 ? ', ...' : ''}) is no Go program that loads plugins` : 'it has no ENTRYPOINT or CMD'
  o.log(`${o.imageName}: ${started}; searching its files`)
  const entries = await readContainerFileSystem(o.container, listTar, `reading the files of ${o.imageName}`)
  const found: Array<{ path: string; facts: BinaryFacts }> = []
  for (const p of searchCandidates(entries).filter(c => !tried.has(c))) {
    tried.add(p)
    const facts = await loaderFacts(o, p, tried.size)
    if (facts) found.push({ path: p, facts })
  }
  if (found.length === 0) {
    return { found: false, why: `${started}, and none of its executables exports package fingerprints (a Go program that imports plugin): it cannot load plugins` }
  }
  const shared = (f: BinaryFacts): number => (o.plugin ? [...o.plugin.fingerprints.keys()].filter(k => f.fingerprints.has(k)).length : 0)
  found.sort((a, b) => shared(b.facts) - shared(a.facts))
  if (found.length > 1) o.log(`${o.imageName}: programs that load plugins: ${found.map(f => f.path).join(', ')}; taking ${found[0].path}`)
  return { found: true, ...found[0], how: 'search' }
}

/** The facts of a file in the container when it is an ELF executable exporting package fingerprints. */
async function loaderFacts(o: FindOptions, inImage: string, n: number): Promise<BinaryFacts | undefined> {
  const local = path.join(o.dir, `candidate-${n}`)
  fs.rmSync(local, { recursive: true, force: true })
  const r = await tryDocker(['cp', '-L', `${o.container}:${inImage}`, local])
  try {
    if (!r.ok || !fs.statSync(local).isFile() || !isElfExecutable(local)) return undefined
    const facts = await readBinaryFactsFromFile(local, inImage).catch(() => undefined)
    return facts && facts.fingerprints.size > 0 ? facts : undefined
  } catch {
    return undefined
  } finally {
    fs.rmSync(local, { recursive: true, force: true })
  }
}
