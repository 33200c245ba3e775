/**
 * Starts the server image of the runner's own platform and watches it: the
 * server must keep running and answer on its exposed port; then gotify's API
 * (GET /plugin, default user admin:admin) says which plugins it runs and
 * which it disabled (start-verdict.ts judges). Ports are published on
 * 127.0.0.1 only, for seconds; every wait has a limit, and what the server
 * answers is read as data of bounded size.
 */
import { runDocker } from '../container/docker.js'
import { docker, tryDocker } from './engine.js'
import type { ImageConfig } from './server-binary.js'
import { type ListedPlugin, type StartCheck, type StartObservation, type StartedPlugin, fileName, startVerdict } from './start-verdict.js'

export type { StartCheck, StartedPlugin } from './start-verdict.js'

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
    if (!start.ok) return { status: 'failed', detail: `the server could not be started: ${start.error}`, evidence: [], warnings: [] }
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
        // The list first: a server that disables a plugin has logged why by the time it answers.
        const listed = await pluginApi(`http://${address}/plugin`)
        return { answered: port, seconds: seconds(), log: await fullLog(container), ...(listed ? { listed } : {}) }
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

/** The container's stdout and stderr (docker logs replays each on its own), in one text: its last lines, read within a limit. */
async function fullLog(container: string): Promise<string> {
  return (await runDocker(['logs', '--tail', '5000', container], undefined, undefined, { timeoutMs: 30_000 })).output
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' })
    return true
  } catch {
    return false
  }
}

const MAX_LIST_BYTES = 4 << 20

/** gotify's plugin list with its default first user (module path, name, enabled); undefined when that is not what answers. */
async function pluginApi(url: string): Promise<ListedPlugin[] | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000), headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } })
    if (!r.ok) return undefined
    const text = await r.text()
    if (text.length > MAX_LIST_BYTES) return undefined
    return listedPlugins(JSON.parse(text) as unknown)
  } catch {
    return undefined
  }
}

/** The entries of GET /plugin that carry a module path, checked field by field. */
export function listedPlugins(body: unknown): ListedPlugin[] | undefined {
  if (!Array.isArray(body)) return undefined
  return body.flatMap((p: unknown): ListedPlugin[] => {
    if (!p || typeof p !== 'object') return []
    const { modulePath, name, enabled } = p as Record<string, unknown>
    if (typeof modulePath !== 'string' || modulePath === '') return []
    return [{ modulePath, ...(typeof name === 'string' ? { name } : {}), ...(typeof enabled === 'boolean' ? { enabled } : {}) }]
  })
}
