/**
 * The workflows the documentation shows, read mechanically from its markdown
 * files: every fenced ```yaml block, with the marker on the line before it
 * that says what the block is:
 *
 *   <!-- workflow: <id> -->   a whole workflow (name, on, jobs)
 *   <!-- steps: <id> -->      steps to put in such a workflow (a fragment)
 *
 * The ids tie a block to what the tests do with it (run it under act, or the
 * reason it cannot run here). A workflow may move to another page of docs/ as
 * long as its marker moves with it.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parse, parseDocument, stringify } from 'yaml'
import { ROOT } from './action-harness.js'

/** The pages whose yaml blocks are checked, relative to the repository's root: the README and every page under docs/. */
export const DOC_FILES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter(f => f.endsWith('.md'))
    .sort()
    .map(f => `docs/${f}`)
]

/** The action as the documentation names it in `uses:`. */
export const ACTION_USES = /^go-plugin-build\/action@/

export type BlockKind = 'workflow' | 'steps'

export interface YamlBlock {
  /** Relative to the repository's root. */
  file: string
  /** 1-based line of the opening fence. */
  line: number
  /** Undefined when the line before the fence is no marker. */
  kind?: BlockKind
  id?: string
  text: string
}

const MARKER = /^<!--\s*(workflow|steps):\s*([a-z0-9-]+)\s*-->$/

/** Every ```yaml (or ```yml) block of `files`, in order. */
export function yamlBlocks(files: string[] = DOC_FILES, root: string = ROOT): YamlBlock[] {
  const blocks: YamlBlock[] = []
  for (const file of files) {
    const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (!/^```ya?ml\s*$/.test(lines[i])) continue
      const start = i
      const body: string[] = []
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i])
      if (i >= lines.length) throw new Error(`${file}:${start + 1}: a yaml block without its closing fence`)
      let before = start - 1
      while (before >= 0 && lines[before].trim() === '') before--
      const m = before >= 0 ? MARKER.exec(lines[before].trim()) : null
      blocks.push({ file, line: start + 1, text: body.join('\n') + '\n', ...(m ? { kind: m[1] as BlockKind, id: m[2] } : {}) })
    }
  }
  return blocks
}

/** The marked workflow blocks by id; throws on a duplicate id. */
export function workflowsById(blocks: YamlBlock[]): Map<string, YamlBlock> {
  const byId = new Map<string, YamlBlock>()
  for (const b of blocks) {
    if (b.kind !== 'workflow' || !b.id) continue
    const seen = byId.get(b.id)
    if (seen) throw new Error(`workflow id ${b.id} is used twice: ${seen.file}:${seen.line} and ${b.file}:${b.line}`)
    byId.set(b.id, b)
  }
  return byId
}

/** The block's YAML, or an error naming where it is and what YAML said. */
export function parseBlock(block: YamlBlock): unknown {
  const doc = parseDocument(block.text, { prettyErrors: true, uniqueKeys: true })
  const problems = [...doc.errors, ...doc.warnings]
  if (problems.length > 0) throw new Error(`${block.file}:${block.line}: ${problems.map(p => p.message).join('; ')}`)
  return doc.toJS()
}

export interface Step {
  uses?: string
  run?: string
  with?: Record<string, unknown>
  [key: string]: unknown
}

/** The steps of a parsed block: every job's steps of a workflow, or the fragment itself. */
export function stepsOf(kind: BlockKind, parsed: unknown): Array<{ job: string; step: Step }> {
  if (kind === 'steps') {
    if (!Array.isArray(parsed)) throw new Error('a steps block must be a list of steps')
    return parsed.map(step => ({ job: '(fragment)', step: step as Step }))
  }
  const jobs = (parsed as { jobs?: Record<string, { steps?: Step[] }> }).jobs ?? {}
  return Object.entries(jobs).flatMap(([job, j]) => (j.steps ?? []).map(step => ({ job, step })))
}

/** action.yml's inputs: every name, and the required ones. */
export function actionInputs(root: string = ROOT): { names: Set<string>; required: string[] } {
  const doc = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, { required?: boolean }> }
  return { names: new Set(Object.keys(doc.inputs)), required: Object.entries(doc.inputs).filter(([, v]) => v.required === true).map(([k]) => k) }
}

/**
 * What is wrong with one step that uses the action, as a user would be told by
 * GitHub or the action: an input action.yml does not declare, a required
 * input left out. Empty when the step is fine.
 */
export function actionStepProblems(step: Step, inputs: ReturnType<typeof actionInputs>): string[] {
  const given = Object.keys(step.with ?? {})
  return [
    ...given.filter(k => !inputs.names.has(k)).map(k => `unknown input ${k}`),
    ...inputs.required.filter(k => !given.includes(k)).map(k => `required input ${k} is missing`)
  ]
}

/**
 * What the test world changes in a workflow, and nothing else:
 * - every step that uses the action gets `go-env` lines that point Go at the
 *   world's module proxy (its fixture modules exist nowhere else), and
 *   `env: RUNNER_TEMP` of one folder: GitHub's runners give every job the same
 *   RUNNER_TEMP path, act a new one per job, and the cache service keys
 *   entries by their paths (without it no job restores what an earlier one saved);
 * - with a registry: image names on ghcr.io and the server image move to the
 *   world's local registry (same owner and name);
 * - `inputs`: added to every step that uses the action (a documented variant,
 *   e.g. plugin-path for plugins in folders).
 */
export interface WorldChanges {
  goEnv: string
  runnerTemp: string
  registry?: string
  inputs?: Record<string, string>
}

export function inTestWorld(block: YamlBlock, w: WorldChanges): string {
  const wf = parseBlock(block) as { jobs: Record<string, { steps: Step[] }> }
  const onRegistry = (v: unknown): unknown => (w.registry && typeof v === 'string' ? v.replace(/(?<![\w.-])ghcr\.io(?![\w.-])/g, w.registry) : v)
  for (const { step } of stepsOf('workflow', wf)) {
    if (ACTION_USES.test(step.uses ?? '')) {
      const inputs = { ...(step.with ?? {}), ...w.inputs }
      inputs['go-env'] = [w.goEnv.trim(), String(inputs['go-env'] ?? '').trim()].filter(Boolean).join('\n')
      if (w.registry) {
        inputs['image-tags'] = onRegistry(inputs['image-tags'])
        if (typeof inputs['server-image'] === 'string') inputs['server-image'] = `${w.registry}/${inputs['server-image']}`
      }
      step.with = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined))
      step.env = { ...(step.env as Record<string, string> | undefined), RUNNER_TEMP: w.runnerTemp }
    } else if (/^docker\/login-action@/.test(step.uses ?? '') && step.with) {
      step.with.registry = onRegistry(step.with.registry)
    }
  }
  return stringify(wf, { lineWidth: 0 })
}
