/**
 * Starts the server image of the runner's own platform and confirms the
 * plugins loaded: the server must keep running and answer on its exposed
 * port, and for every plugin its API must list the module path (gotify's GET
 * /plugin, default user admin:admin) or its log must name the file (gotify
 * prints "Loading plugin data/plugins/x.so" and refuses to start when one
 * fails). Ports are published on 127.0.0.1 only, for seconds.
 */
import { runDocker } from '../container/docker.js'
import { docker, tryDocker } from './engine.js'
import type { ImageConfig } from './server-binary.js'

export interface StartObservation {
  /** The server stopped: its exit code. */
  exited?: number
  /** The port that answered HTTP, e.g. 80/tcp. */
  answered?: string
  /** No exposed port: it kept running this long after naming the plugin. */
  keptRunning?: boolean
  /** Neither answered nor exited: the limit it was given, in seconds (the elapsed time overshoots it by a poll). */
  timedOutAfter?: number
  seconds: number
  log: string
  /** The module paths gotify's GET /plugin lists, when it answered with a list. */
  apiModulePaths?: string[]
}

export interface StartCheck {
  status: 'loaded' | 'failed'
  /** One line: what confirmed it, or why not. */
  detail: string
  /** The log lines that name the plugin. */
  evidence: string[]
}

const FAILURE = /\b(error|fail(ed|ure)?|panic|cannot|can't|unable|refus\w*|invalid)\b/i

/** A file of the plugin folder: its path in the image, and the module path the server's API may list it by. */
export interface StartedPlugin {
  file: string
  modulePath?: string
}

const fileName = (p: StartedPlugin): string => p.file.split('/').pop() ?? p.file

/** The verdict from what was seen: every plugin must be listed by the API or named by the log. Pure. */
export function startVerdict(o: StartObservation, plugin: StartedPlugin | StartedPlugin[]): StartCheck {
  const plugins = Array.isArray(plugin) ? plugin : [plugin]
  const lines = o.log.split('\n').map(l => l.trim()).filter(l => l !== '')
  const names = (p: StartedPlugin) => (l: string) => l.includes(fileName(p)) || (p.modulePath !== undefined && l.includes(p.modulePath))
  const naming = lines.filter(l => plugins.some(p => names(p)(l)))
  const failing = naming.filter(l => FAILURE.test(l))
  const tail = (failing[0] ?? lines.filter(l => FAILURE.test(l)).pop() ?? lines.pop() ?? 'no output').slice(0, 300)
  const what = plugins.length === 1 ? 'the plugin' : `${plugins.length} plugins`
  if (o.exited !== undefined) return { status: 'failed', detail: `the server exited (code ${o.exited}) ${o.seconds.toFixed(0)} s after starting with ${what} in its folder: ${tail}`, evidence: naming }
  if (failing.length > 0) return { status: 'failed', detail: `the server's log reports a problem with ${plugins.length === 1 ? 'the plugin' : 'a plugin'}: ${tail}`, evidence: naming }
  if (!o.answered && !o.keptRunning) return { status: 'failed', detail: `the server did not answer within ${(o.timedOutAfter ?? o.seconds).toFixed(0)} s; its last line: ${tail}`, evidence: naming }
  const up = o.answered ? `it answers on ${o.answered}` : 'it keeps running'
  const listed = (p: StartedPlugin): boolean => p.modulePath !== undefined && (o.apiModulePaths?.includes(p.modulePath) ?? false)
  if (plugins.every(listed)) return { status: 'loaded', detail: `${up} and GET /plugin lists ${plugins.map(p => p.modulePath).join(', ')}`, evidence: naming }
  const api = o.apiModulePaths ? ` (GET /plugin lists ${o.apiModulePaths.join(', ') || 'nothing'})` : ''
  if (plugins.length === 1) {
    const [p] = plugins
    if (naming.length > 0) return { status: 'loaded', detail: `${up} and its log says: ${naming[0].slice(0, 200)}`, evidence: naming }
    return { status: 'failed', detail: `${up}, but neither its log nor its API names ${fileName(p)} or ${p.modulePath ?? 'its module path'}${api}`, evidence: naming }
  }
  // Several: each one listed by the API, or else named by the log.
  const unseen = plugins.filter(p => !listed(p) && !lines.some(names(p)))
  if (unseen.length > 0) {
    return { status: 'failed', detail: `${up}, but neither its log nor its API names ${unseen.map(p => `${fileName(p)}${p.modulePath ? ` (${p.modulePath})` : ''}`).join(', ')}${api}`, evidence: naming }
  }
  const byApi = plugins.filter(listed).map(p => p.modulePath)
  const byLog = plugins.filter(p => !listed(p)).map(fileName)
  return { status: 'loaded', detail: `${up}${byApi.length > 0 ? `, GET /plugin lists ${byApi.join(', ')}` : ''} and its log names ${byLog.join(', ')}`, evidence: naming }
}

export interface StartOptions {
  image: string
  config: ImageConfig
  /** One plugin, or every file of the plugin folder (several plugins, with-plugins). */
  plugin: StartedPlugin | StartedPlugin[]
  timeoutSeconds?: number
  log: (line: string) => void
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

/** Starts the image, watches it, and always removes the container. */
export async function startAndCheck(o: StartOptions): Promise<StartCheck> {
  const ports = Object.keys(o.config.ExposedPorts ?? {}).filter(p => p.endsWith('/tcp'))
  const publish = ports.flatMap(p => ['--publish', `127.0.0.1::${p}`])
  // Created, then started: a container that cannot start is still known, and removed.
  const container = (await docker(['create', ...publish, o.image], 'creating a container of the server image')).trim()
  try {
    const start = await tryDocker(['start', container])
    if (!start.ok) return { status: 'failed', detail: `the server could not be started: ${start.error}`, evidence: [] }
    const observation = await watch(container, ports, o)
    const verdict = startVerdict(observation, o.plugin)
    if (verdict.status === 'failed') for (const line of observation.log.trim().split('\n').slice(-20)) o.log(`  | ${line}`)
    return verdict
  } finally {
    await tryDocker(['rm', '--force', '--volumes', container])
  }
}

async function watch(container: string, ports: string[], o: StartOptions): Promise<StartObservation> {
  const started = Date.now()
  const limit = o.timeoutSeconds ?? 60
  const deadline = started + limit * 1000
  const seconds = (): number => (Date.now() - started) / 1000
  let namedAt: number | undefined
  for (;;) {
    const state = await tryDocker(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', container])
    const [running, code] = state.stdout.trim().split(' ')
    if (state.ok && running === 'false') return { exited: Number(code), seconds: seconds(), log: await fullLog(container) }
    for (const port of ports) {
      const address = (await tryDocker(['port', container, port])).stdout.trim().split('\n')[0]
      if (address && (await answers(`http://${address}/`))) {
        return { answered: port, seconds: seconds(), log: await fullLog(container), apiModulePaths: await pluginApi(`http://${address}/plugin`) }
      }
    }
    if (ports.length === 0) {
      const log = await fullLog(container)
      const plugins = Array.isArray(o.plugin) ? o.plugin : [o.plugin]
      if (namedAt === undefined && plugins.every(p => log.includes(fileName(p)))) namedAt = Date.now()
      // Named, and still running 3 s later: past loading.
      if (namedAt !== undefined && Date.now() - namedAt > 3000) return { keptRunning: true, seconds: seconds(), log: await fullLog(container) }
    }
    if (Date.now() > deadline) return { timedOutAfter: limit, seconds: seconds(), log: await fullLog(container) }
    await sleep(500)
  }
}

/** The container's stdout and stderr (docker logs replays each on its own), in one text. */
async function fullLog(container: string): Promise<string> {
  return (await runDocker(['logs', container])).output
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' })
    return true
  } catch {
    return false
  }
}

/** gotify's plugin list with its default first user; undefined when that is not what answers. */
async function pluginApi(url: string): Promise<string[] | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000), headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } })
    if (!r.ok) return undefined
    const body = (await r.json()) as unknown
    if (!Array.isArray(body)) return undefined
    return body.map(p => (p && typeof p === 'object' && typeof (p as { modulePath?: unknown }).modulePath === 'string' ? (p as { modulePath: string }).modulePath : '')).filter(m => m !== '')
  } catch {
    return undefined
  }
}
