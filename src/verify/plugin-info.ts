/**
 * A plugin's Info, as the host reads it at start: gotify calls each plugin's
 * `GetGotifyPluginInfo()` and refuses a second plugin whose `ModulePath` it
 * has seen (`plugin with module path <path> is present at least twice`, a
 * panic: the server does not start). The value is computed by the plugin's own
 * code, so only calling the function reads it (the stand-in host does, through
 * reflection: src/verify/loader-program.ts). What is called and which field
 * must be unique are settings (inputs info-function, info-unique-field). Pure.
 */
import { InputError } from '../errors.js'

/** What the info function returned, read through reflection. */
export interface InfoReading {
  /** The result's Go type: `github.com/gotify/plugin-api.Info`, `string`, or the function's own type when it could not be called. */
  type: string
  /** A struct's exported fields in declaration order, each as a string. */
  fields?: Array<{ name: string; value: string }>
  /** A string result, as is. */
  text?: string
  /** Why nothing was read: the symbol is missing, no function of no parameters and one result, it panicked, another kind of result. */
  error?: string
}

/** What the host calls, and which field of its result two plugins may not share. */
export interface InfoSettings {
  /** The info function, e.g. GetGotifyPluginInfo. */
  function: string
  /** A field of its result that must differ between plugins, e.g. ModulePath; undefined: none. */
  unique?: string
}

/** info-function and info-unique-field; undefined when no function is given (no Info check). */
export function parseInfoSettings(fn: string, unique: string): InfoSettings | undefined {
  const [f, u] = [fn.trim(), unique.trim()]
  if (f === '') return undefined
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f)) throw new InputError('info-function', `"${f}" is not a Go identifier`, 'the name of a function the plugin exports, such as GetGotifyPluginInfo, or empty for none')
  if (u !== '' && !/^[A-Z][A-Za-z0-9_]*$/.test(u)) throw new InputError('info-unique-field', `"${u}" is not an exported Go field name`, 'an exported field of the function\'s result, such as ModulePath, or empty for none')
  return { function: f, ...(u !== '' ? { unique: u } : {}) }
}

const MAX_FIELDS = 64
const MAX_TEXT = 1024
const clip = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}...` : s)

/** A reading from the loader's output (the plugin's process: data of any shape); undefined when it is not one. */
export function parseInfoReading(x: unknown): InfoReading | undefined {
  if (typeof x !== 'object' || x === null) return undefined
  const o = x as Record<string, unknown>
  if (typeof o.type !== 'string') return undefined
  const r: InfoReading = { type: clip(o.type) }
  if (Array.isArray(o.fields)) {
    const fields = o.fields.filter((f): f is { name: string; value: string } => typeof f?.name === 'string' && typeof f?.value === 'string')
    r.fields = fields.slice(0, MAX_FIELDS).map(f => ({ name: clip(f.name), value: clip(f.value) }))
  }
  if (typeof o.text === 'string') r.text = clip(o.text)
  if (typeof o.error === 'string') r.error = clip(o.error)
  return r
}

/** The value of the unique field; undefined when the result has no such field (a string, another struct). */
export function uniqueValue(r: InfoReading | undefined, field: string): string | undefined {
  return r?.fields?.find(f => f.name === field)?.value
}

/** `ModulePath` as gotify says it: `module path`. */
export function fieldWords(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
}

/** One line for logs and the summary: `ModulePath "x", Name "y", ...` (empty fields left out), or the string. */
export function describeInfo(r: InfoReading | undefined): string {
  if (!r) return 'not read'
  if (r.error) return `not read: ${r.error}`
  if (r.text !== undefined) return JSON.stringify(r.text)
  const set = (r.fields ?? []).filter(f => f.value !== '')
  return set.length > 0 ? set.map(f => `${f.name} ${JSON.stringify(f.value)}`).join(', ') : `${r.type} with no field set`
}

/** A file of the set, as the check names it: its plugin (this run's) or a neighbour, and its plugin path. */
export interface InfoFile {
  file: string
  /** This run's plugin it belongs to; undefined for a neighbour (with-plugins). */
  plugin?: string
  pluginPath?: string
}

/** What the host's loader said about one file. */
export interface HostFileResult {
  loaded: boolean
  /** plugin.Open's error or the missing symbols, in words. */
  refusal?: string
  info?: InfoReading
  warning?: string
}

export interface InfoMember extends InfoFile {
  status: 'read' | 'refused'
  info?: InfoReading
  reason?: string
  /** Refused for its unique value: the earlier file that returned it first. */
  duplicateOf?: string
  /** An earlier file already stopped the server: it never opens this one. */
  neverOpened?: boolean
  /** The host stopped (crashed) before it: nothing is known of it. */
  unreached?: boolean
  warning?: string
}

export interface InfoJudgement {
  members: InfoMember[]
  /** The first refusal in load order: where the server stops. */
  failure?: { file: string; message: string }
}

const who = (f: InfoFile): string => `${f.file} (${f.plugin ? `plugin ${f.plugin}` : 'a with-plugins neighbour'}${f.pluginPath ? `, ${f.pluginPath}` : ''})`

/**
 * The server's start, file by file in load order: a file the host could not
 * open (or lacks a symbol) is refused; then its info function is called (an
 * error or a panic stops the server); then a unique value seen before refuses
 * it, naming both files and both plugins. Every file is judged; those after the
 * first refusal are marked never opened.
 */
export function judgeInfos(files: InfoFile[], results: Array<HostFileResult | undefined>, s: InfoSettings): InfoJudgement {
  const seen = new Map<string, InfoFile>()
  const members: InfoMember[] = []
  let failure: InfoJudgement['failure']
  for (const [i, f] of files.entries()) {
    const r = results[i]
    const m: InfoMember = { ...f, status: 'read', ...(r?.info ? { info: r.info } : {}), ...(r?.warning ? { warning: r.warning } : {}) }
    if (!r) {
      m.reason = 'the host stopped before it (it crashed or ran out of time on an earlier file)'
      m.unreached = true
    }
    else if (!r.loaded) m.reason = r.refusal ?? 'the host could not open it'
    else if (!r.info || r.info.error) m.reason = `${s.function}: ${r.info?.error ?? 'not called'}; the server calls it at start`
    else if (s.unique) {
      const value = uniqueValue(r.info, s.unique)
      const earlier = value === undefined ? undefined : seen.get(value)
      if (value !== undefined && earlier) {
        m.duplicateOf = earlier.file
        m.reason =
          `plugin with ${fieldWords(s.unique)} ${value} is present at least twice: ${who(earlier)} and ${who(f)} both return it from ${s.function}; ` +
          `the ${s.unique} is a value in the plugin's source, not its go.mod: change what ${s.function} returns in one of them`
      } else if (value !== undefined) seen.set(value, f)
    }
    if (m.reason) {
      m.status = 'refused'
      if (failure) m.neverOpened = true
      else failure = { file: f.file, message: `error while loading plugin ${f.file}: ${m.reason}` }
    }
    members.push(m)
  }
  // Every value returned twice in one report, not one per run: the server names only the first.
  const more = members.filter(m => m.duplicateOf && m.file !== failure?.file)
  if (failure && more.length > 0) {
    const list = more.map(m => `${m.file} repeats ${s.unique} ${uniqueValue(m.info, s.unique!)} of ${m.duplicateOf}`).join('; ')
    failure = { ...failure, message: `${failure.message} (the server stops there; also returned twice: ${list})` }
  }
  return { members, ...(failure ? { failure } : {}) }
}

/** Fields a struct result lacks: the unique field cannot be compared (a warning, not a refusal: the host may accept it). */
export function uniqueFieldWarnings(members: InfoMember[], s: InfoSettings): string[] {
  // Alone, a plugin has nothing to be compared with.
  if (!s.unique || members.length < 2) return []
  return members
    .filter(m => m.info && !m.info.error && uniqueValue(m.info, s.unique!) === undefined)
    .map(m => `${m.file}: ${s.function} returns ${m.info!.text !== undefined ? 'a string' : m.info!.type}, which has no field ${s.unique}: not compared with the other plugins'`)
}

/** One server version's Info check: every file of its plugin folder, on one platform, in load order. */
export interface InfoCheck {
  serverVersion: string
  /** Where the host ran; undefined when no platform of the run can run here. */
  platform?: string
  method: 'native' | 'qemu-user' | 'binfmt' | 'none'
  function: string
  unique?: string
  /** passed: every file opened and read, no value twice; failed: the server would not start; not-verified: the host could not run. */
  status: 'passed' | 'failed' | 'not-verified'
  detail: string
  members: InfoMember[]
  failure?: { file: string; message: string }
  warnings: string[]
}

/** The check's verdict from the judgement. Pure. */
export function infoCheckOf(base: Pick<InfoCheck, 'serverVersion' | 'platform' | 'method'>, s: InfoSettings, j: InfoJudgement): InfoCheck {
  const where = `the stand-in host on ${base.platform} (${base.method}, sandboxed)`
  const detail = j.failure
    ? `the server does not start: ${j.failure.message}`
    : `${j.members.length} plugin file${j.members.length === 1 ? '' : 's'} opened in load order by ${where}, ${s.function} called in each${s.unique ? `, every ${s.unique} differs` : ''}`
  const warnings = [...uniqueFieldWarnings(j.members, s), ...j.members.flatMap(m => (m.warning ? [`${m.file}: ${m.warning}`] : []))]
  return { ...base, function: s.function, ...(s.unique ? { unique: s.unique } : {}), status: j.failure ? 'failed' : 'passed', detail, members: j.members, ...(j.failure ? { failure: j.failure } : {}), warnings }
}

/** A plugin's own file in the Info check, for its version's report: what it returned, or why the server would not take it. */
export interface PluginInfoOutcome {
  platform: string
  file: string
  function: string
  /** read; refused: its own fault (not opened, the function failed or panicked); not-read: the host stopped before it, or a duplicate (the set's verdict). */
  status: 'read' | 'refused' | 'not-read'
  info?: InfoReading
  reason?: string
}

/** Each own file's outcome, by file name. Pure. */
export function pluginInfoOutcomes(check: InfoCheck): Map<string, PluginInfoOutcome> {
  const out = new Map<string, PluginInfoOutcome>()
  for (const m of check.members.filter(x => x.plugin !== undefined)) {
    const status = !m.reason || m.duplicateOf ? 'read' : m.unreached ? 'not-read' : 'refused'
    out.set(m.file, { platform: check.platform ?? '', file: m.file, function: check.function, status, ...(m.info ? { info: m.info } : {}), ...(m.reason && status !== 'read' ? { reason: m.reason } : {}) })
  }
  return out
}
