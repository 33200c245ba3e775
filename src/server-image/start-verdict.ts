/**
 * The start check's verdict, from what was seen when the server image ran.
 * The server judges, not its words: it keeps running and its API lists every
 * plugin (gotify's GET /plugin), or it does not. A plugin the server loads and
 * lists but disables (gotify does so when the plugin rejects its config, and
 * logs `WRN Plugin failed to initialize because it rejected the current
 * config ...`) is a warning carrying the server's and the plugin's own words,
 * never a failure. Only a server without such a list is judged by its log:
 * each plugin's file named, none on a line reporting a failure. Log lines are
 * outside text: kept raw here, escaped where printed. Pure.
 */

export interface ListedPlugin {
  modulePath: string
  name?: string
  /** gotify's `enabled`: false for a plugin it loaded but disabled; undefined when the API does not say. */
  enabled?: boolean
}

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
  /** What gotify's GET /plugin lists, when it answered with a list. */
  listed?: ListedPlugin[]
}

/** A file of the plugin folder: its path in the image, and the module path the server's API may list it by. */
export interface StartedPlugin {
  file: string
  modulePath?: string
}

export interface StartCheck {
  status: 'loaded' | 'failed'
  /** One line: what confirmed it, or why not. */
  detail: string
  /** The log lines that name a plugin. */
  evidence: string[]
  /** Plugins the server runs but not as it should (loaded and disabled): one line each, with the server's and the plugin's words. */
  warnings: string[]
  /** What GET /plugin listed. */
  listed?: ListedPlugin[]
}

const FAILURE = /\b(error|fail(ed|ure)?|panic|cannot|can't|unable|refus\w*|invalid|reject\w*|WRN|ERR|FTL)\b/i
// Colours of a console logger (zerolog's, gotify's) when the output is no terminal all the same.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g

export const fileName = (p: StartedPlugin): string => p.file.split('/').pop() ?? p.file

/** "1 plugin file", "15 plugin files": what the folder held, never what loaded. */
export const pluginFiles = (n: number): string => `${n} plugin file${n === 1 ? '' : 's'}`

const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 3)}...` : s)

/** A zerolog console field's value (`key=value` or `key="quoted"`), unquoted; undefined when the line has none. */
export function logField(line: string, key: string): string | undefined {
  const at = new RegExp(`(?:^|\\s)${key}=`).exec(line)
  if (!at) return undefined
  const rest = line.slice(at.index + at[0].length)
  if (!rest.startsWith('"')) return rest.split(/\s/)[0]
  let end = 1
  while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1
  const literal = rest.slice(0, end + 1)
  try {
    return JSON.parse(literal) as string
  } catch {
    // Go's quoting (\x.., \a) that JSON does not read: the text between the quotes.
    return literal.slice(1, -1)
  }
}

/** The message of a log line: no leading timestamp, no trailing `key=value` fields. */
export function logMessage(line: string): string {
  const text = line.replace(/^(\d{4}-\d\d-\d\d[T ]\S+|\d{4}\/\d\d\/\d\d \S+|\d{1,2}:\d\d(:\d\d)?(AM|PM)?)\s+/, '')
  const field = /\s[a-z_]+=\S/.exec(text)
  return (field ? text.slice(0, field.index) : text).trim()
}

/** Whether a line reports trouble in its own words: the names in it (a plugin called `rejects-config`) do not count. */
const troubles = (line: string, names: string[]): boolean => FAILURE.test(names.filter(n => n !== '').reduce((l, n) => l.split(n).join(' '), line))

/** What the log says about a plugin (lines naming any of `keys`): the server's words and the plugin's own message (zerolog's error field). */
function whatTheLogSays(lines: string[], keys: string[]): { server: string; plugin?: string } | undefined {
  const naming = lines.filter(l => keys.some(k => k !== '' && l.includes(k)))
  const troubled = naming.filter(l => troubles(l, keys))
  if (troubled.length === 0) return undefined
  const errors = [...new Set(troubled.map(l => logField(l, 'error')).filter((e): e is string => e !== undefined && e !== ''))]
  return { server: cut(logMessage(troubled[0]), 240), ...(errors.length > 0 ? { plugin: cut(errors.join('; '), 300) } : {}) }
}

const said = (w: { server: string; plugin?: string }): string => `its log: "${w.server}"${w.plugin ? `; the plugin says: "${w.plugin}"` : ''}`

/** Each plugin to the entry of GET /plugin that lists it: by module path, then (gotify lists the module path its plugin info reports, which may differ from the Go module's) the rest by count. */
function matchListed(plugins: StartedPlugin[], listed: ListedPlugin[]): { exact: Array<{ plugin: StartedPlugin; entry: ListedPlugin }>; unmatched: StartedPlugin[]; rest: ListedPlugin[] } {
  const rest = [...listed]
  const exact: Array<{ plugin: StartedPlugin; entry: ListedPlugin }> = []
  const unmatched: StartedPlugin[] = []
  for (const plugin of plugins) {
    const k = plugin.modulePath === undefined ? -1 : rest.findIndex(e => e.modulePath === plugin.modulePath)
    if (k >= 0) exact.push({ plugin, entry: rest.splice(k, 1)[0] })
    else unmatched.push(plugin)
  }
  return { exact, unmatched, rest }
}

const label = (p: StartedPlugin): string => `${fileName(p)}${p.modulePath ? ` (${p.modulePath})` : ''}`
const entryLabel = (e: ListedPlugin): string => (e.name && e.name !== e.modulePath ? `${e.name} (${e.modulePath})` : e.modulePath)
const listText = (listed: ListedPlugin[]): string => (listed.length === 0 ? 'nothing' : listed.map(e => `${e.modulePath}${e.enabled === false ? ' (disabled)' : ''}`).join(', '))

/** The verdict from what was seen. */
export function startVerdict(o: StartObservation, plugin: StartedPlugin | StartedPlugin[]): StartCheck {
  const plugins = Array.isArray(plugin) ? plugin : [plugin]
  const lines = o.log.replace(ANSI, '').split('\n').map(l => l.trim()).filter(l => l !== '')
  const names = (p: StartedPlugin) => (l: string) => l.includes(fileName(p)) || (p.modulePath !== undefined && l.includes(p.modulePath))
  const naming = lines.filter(l => plugins.some(p => names(p)(l)))
  const allNames = plugins.flatMap(p => [fileName(p), p.modulePath ?? ''])
  const failing = naming.filter(l => troubles(l, allNames))
  // A panic's own line, not the last line of its stack trace.
  const panic = lines.find(l => /^(panic|fatal error):/.test(l))
  const tail = cut(failing[0] ?? panic ?? lines.filter(l => FAILURE.test(l)).pop() ?? lines[lines.length - 1] ?? 'no output', 300)
  const folder = `${pluginFiles(plugins.length)} in its folder`
  const base = { evidence: naming, warnings: [] as string[], ...(o.listed ? { listed: o.listed } : {}) }
  const failed = (detail: string): StartCheck => ({ status: 'failed', detail, ...base })
  if (o.exited !== undefined) return failed(`the server exited (code ${o.exited}) ${o.seconds.toFixed(0)} s after starting with ${folder}: ${tail}`)
  if (!o.answered && !o.keptRunning) return failed(`the server did not answer within ${(o.timedOutAfter ?? o.seconds).toFixed(0)} s with ${folder}; its last line: ${tail}`)
  const up = o.answered ? `it answers on ${o.answered}` : 'it keeps running'
  if (o.listed) return byApi(o.listed, plugins, lines, up, base)

  // No list to judge by (not gotify's API): the log must name every file, and no line naming one may report a failure.
  const noList = o.answered ? ' (GET /plugin answered with no list to judge by)' : ''
  if (failing.length > 0) return failed(`${up}, but its log reports a problem with ${plugins.length === 1 ? 'the plugin' : 'a plugin'}${noList}: ${tail}`)
  const unseen = plugins.filter(p => !lines.some(names(p)))
  if (unseen.length > 0) return failed(`${up}, but its log never names ${unseen.map(label).join(', ')}${noList}`)
  if (plugins.length === 1) return { status: 'loaded', detail: `${up} and its log says: ${cut(naming[0], 200)}`, ...base }
  return { status: 'loaded', detail: `${up} and its log names all ${plugins.length}: ${plugins.map(fileName).join(', ')}`, ...base }
}

function byApi(listed: ListedPlugin[], plugins: StartedPlugin[], lines: string[], up: string, base: Omit<StartCheck, 'status' | 'detail'>): StartCheck {
  const { exact, unmatched, rest } = matchListed(plugins, listed)
  if (unmatched.length > rest.length) {
    const missing = unmatched.map(label).join(', ')
    return { status: 'failed', detail: `${up}, but GET /plugin lists ${listed.length} plugin${listed.length === 1 ? '' : 's'} for ${pluginFiles(plugins.length)} (${listText(listed)}); not among them: ${missing}`, ...base }
  }
  // Listed: a plugin the server disabled (its config rejected, Enable failed) or logged trouble about is a warning.
  const warnings: string[] = []
  const judge = (who: string, entry: ListedPlugin, keys: string[]): void => {
    const words = whatTheLogSays(lines, keys)
    if (entry.enabled === false) warnings.push(`${who}: loaded and listed by GET /plugin, but disabled by the server; ${words ? said(words) : 'its log does not say why'}`)
    else if (words) warnings.push(`${who}: loaded and listed by GET /plugin, but ${said(words)}`)
  }
  for (const { plugin, entry } of exact) judge(label(plugin), entry, [fileName(plugin), entry.modulePath])
  // Paired by count: one left is that plugin; several cannot be told apart, so each entry speaks for itself.
  const [alone] = unmatched.length === 1 && rest.length === 1 ? unmatched : []
  for (const entry of rest) judge(alone ? `${label(alone)}, listed as ${entryLabel(entry)}` : entryLabel(entry), entry, alone ? [fileName(alone), entry.modulePath] : [entry.modulePath])
  const disabled = listed.filter(e => e.enabled === false).length
  const what = plugins.length === 1 ? listText(listed) : `all ${plugins.length}: ${listText(listed)}`
  return { status: 'loaded', detail: `${up} and GET /plugin lists ${what}${disabled > 0 ? `; ${disabled} disabled by the server (warnings)` : ''}`, ...base, warnings }
}
