/**
 * The shapes of GitHub's answers the action reads, checked where they arrive
 * (api.ts): an answer that is not JSON, not the kind of value asked for, or
 * whose fields have other types becomes one line naming the request and what
 * was wrong, never a crash further on. Hand-written rather than a schema
 * library: five small types, and the messages follow the action's one-line
 * style. Only the fields the action reads are checked; others may be anything.
 */
import { StepError } from '../errors.js'
import { quoted } from '../outside-text.js'

/** The parts of GitHub's JSON the modules read. */
export interface ReleaseAsset {
  id: number
  name: string
  size: number
  state: string
  content_type?: string
  browser_download_url: string
  /** `sha256:<hex>`; missing or null on assets from before GitHub computed it. */
  digest?: string | null
  created_at?: string
}

export interface Release {
  id: number
  tag_name: string
  name: string | null
  draft: boolean
  prerelease: boolean
  html_url: string
  upload_url: string
}

export interface Tag {
  name: string
}

/** A checker: the problem with a value, or undefined when it has the shape. */
export interface Shape<T> {
  /** What the value is, for messages: "a release". */
  readonly name: string
  problem(value: unknown): string | undefined
  /** Only for the type; never set. */
  readonly _type?: T
}

/** An answer that does not have the shape asked for: the request and what was wrong. */
export class MalformedAnswerError extends StepError {
  constructor(request: string, problem: string) {
    super(`${request}: ${problem}; the API answered something GitHub would not (re-run later; on GitHub Enterprise check GITHUB_API_URL)`)
    this.name = 'MalformedAnswerError'
  }
}

/** What a JSON value is, in words: "a number", "null", "a list". */
export function kindOf(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'string') return `a string (${quoted(v, 40)})`
  return `a ${typeof v} (${String(v).slice(0, 20)})`
}

type FieldType = 'string' | 'number' | 'boolean' | 'string?' | 'number?' | 'string|null' | 'string|null?'

function fieldProblem(doc: Record<string, unknown>, key: string, type: FieldType): string | undefined {
  const v = doc[key]
  const optional = type.endsWith('?')
  const base = type.replace(/\?$/, '')
  if (v === undefined) return optional ? undefined : `${key} is missing`
  if (v === null && base.endsWith('|null')) return undefined
  const want = base.replace(/\|null$/, '')
  if (typeof v !== want) return `${key} is ${kindOf(v)}, not a ${want}`
  return undefined
}

/** An object with these fields of these types. */
export function objectShape<T>(name: string, fields: Record<string, FieldType>): Shape<T> {
  return {
    name,
    problem(v) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `the answer is not ${name} (got ${kindOf(v)})`
      for (const [key, type] of Object.entries(fields)) {
        const p = fieldProblem(v as Record<string, unknown>, key, type)
        if (p) return `the answer is not ${name}: ${p}`
      }
      return undefined
    }
  }
}

/** Checks a parsed answer; throws MalformedAnswerError naming the request. */
export function checkShape<T>(value: unknown, shape: Shape<T>, request: string): T {
  const problem = shape.problem(value)
  if (problem) throw new MalformedAnswerError(request, problem)
  return value as T
}

/** A JSON list whose every item has the shape. */
export function listOf<T>(item: Shape<T>): Shape<T[]> {
  return {
    name: `a list of ${item.name.replace(/^an? /, '')}s`,
    problem(v) {
      if (!Array.isArray(v)) return `the answer is not a JSON list (got ${kindOf(v)})`
      for (const [i, x] of v.entries()) {
        const problem = item.problem(x)
        if (problem) return `item ${i} of the list is ${problem.replace(/^the answer is /, '')}`
      }
      return undefined
    }
  }
}

/** Checks a page of a list: a JSON list whose every item has the shape. */
export function checkList<T>(value: unknown, item: Shape<T>, request: string): T[] {
  return checkShape(value, listOf(item), request)
}

export const releaseShape = objectShape<Release>('a release', {
  id: 'number',
  tag_name: 'string',
  name: 'string|null?',
  draft: 'boolean',
  prerelease: 'boolean',
  html_url: 'string',
  upload_url: 'string'
})

export const assetShape = objectShape<ReleaseAsset>('a release asset', {
  id: 'number',
  name: 'string',
  size: 'number',
  state: 'string?',
  browser_download_url: 'string?',
  digest: 'string|null?',
  created_at: 'string?'
})

export const tagShape = objectShape<Tag>('a tag', { name: 'string' })

/** Any JSON object (a git ref, a release's id only). */
export const idShape = objectShape<{ id: number }>('an object with an id', { id: 'number' })
export const anyObject = objectShape<object>('an object', {})

/** The contents API's answer for a file. */
export const fileShape = objectShape<{ type: string; encoding?: string; content?: string }>('a file', { type: 'string', encoding: 'string?', content: 'string?' })
