/**
 * The `matrix` output of a plan job (resolve-only): the work of the run as
 * `include` entries for a `strategy.matrix`, one per job, split by server
 * version, by platform, or both (input matrix-split). Each entry carries the
 * values its job passes on: `server-version`, `platforms` and `matrix-split`
 * (which tells a job that builds a share of the platforms from a run that
 * builds one platform on purpose). With skip-existing, a version and platform
 * whose files (every plugin's) are all on the release gets no job. Pure.
 */
import { InputError, StepError } from '../errors.js'
import { quoted } from '../outside-text.js'
import type { ServerRelease } from '../server/release.js'
import type { VersionPlan } from './plan.js'
import { parseVersionRequest } from './request.js'

/** How the plan splits the work into jobs. */
export type MatrixSplit = 'version' | 'platform' | 'both'

export const MATRIX_SPLITS: MatrixSplit[] = ['version', 'platform', 'both']

/** Whether a job of this split builds only a share of the platforms (so no server image: it joins them all). */
export const splitsPlatforms = (split: MatrixSplit): boolean => split !== 'version'

/** One server version on one platform, with the file of every plugin. */
export interface MatrixCell {
  tag: string
  /** What the cell's job passes as server-version to get this version again. */
  version: string
  platform: string
  files: string[]
}

/** One job of the matrix; the keys are the inputs its job passes on (and a name for the job's title). */
export interface MatrixEntry {
  name: string
  'server-version': string
  platforms: string
  'matrix-split': MatrixSplit
}

export interface MatrixPlan {
  include: MatrixEntry[]
}

/** GitHub runs at most this many jobs of one matrix. */
export const MAX_MATRIX_JOBS = 256

/** The cells of the run, versions newest first and platforms in their order, from each plugin's version plans. */
export function matrixCells(perPlugin: VersionPlan[][]): MatrixCell[] {
  const [first = []] = perPlugin
  return first.flatMap((plan, v) =>
    [...plan.assetNames.keys()].map(platform => ({
      tag: plan.release.tag,
      version: passedOn(plan.release),
      platform,
      files: perPlugin.map(plans => plans[v]?.assetNames.get(platform)).filter((n): n is string => n !== undefined)
    }))
  )
}

/**
 * A release by its tag; a ref candidate by its commit (every job builds the
 * commit the plan saw, even if the branch moves meanwhile); a local checkout by
 * server-version's default, which it requires.
 */
function passedOn(r: ServerRelease): string {
  switch (r.origin.kind) {
    case 'release':
      checkPassable(r.tag)
      return r.tag
    case 'ref':
      return `ref:${r.origin.sha}`
    case 'local':
      return 'latest'
  }
}

const isDone = (cell: MatrixCell, existing?: ReadonlySet<string>): boolean => existing !== undefined && cell.files.every(f => existing.has(f))

/**
 * The release's names a skip rests on (to check their bytes before trusting
 * them): every file of a done version, or with a platform split, of a done cell.
 */
export function matrixSkipNames(split: MatrixSplit, cells: MatrixCell[], existing: ReadonlySet<string>): Set<string> {
  const tags = [...new Set(cells.map(c => c.tag))]
  const done = splitsPlatforms(split)
    ? cells.filter(c => isDone(c, existing))
    : tags.flatMap(t => {
        const own = cells.filter(c => c.tag === t)
        return own.every(c => isDone(c, existing)) ? own : []
      })
  return new Set(done.flatMap(c => c.files))
}

/**
 * The include entries. `version`: a job per version with a cell to build,
 * carrying every platform (the job builds them all, as a run without a matrix
 * does); `platform`: a job per platform, carrying the versions that lack it;
 * `both`: a job per cell to build. No cell to build: no entry (`{"include":[]}`,
 * which a job's `if:` must keep from GitHub: it refuses an empty matrix).
 */
export function planMatrix(i: { split: MatrixSplit; cells: MatrixCell[]; existing?: ReadonlySet<string> }): MatrixPlan {
  const platforms = [...new Set(i.cells.map(c => c.platform))]
  const tags = [...new Set(i.cells.map(c => c.tag))]
  const versionOf = new Map(i.cells.map(c => [c.tag, c.version]))
  const todo = i.cells.filter(c => !isDone(c, i.existing))
  const entry = (name: string, tagList: string[], platformIds: string[]): MatrixEntry => ({ name, 'server-version': tagList.map(t => versionOf.get(t) ?? t).join(','), platforms: platformIds.join(','), 'matrix-split': i.split })
  let include: MatrixEntry[]
  switch (i.split) {
    case 'version':
      include = tags.filter(t => todo.some(c => c.tag === t)).map(t => entry(t, [t], platforms))
      break
    case 'platform':
      include = platforms.flatMap(p => {
        const versions = todo.filter(c => c.platform === p).map(c => c.tag)
        return versions.length > 0 ? [entry(p, versions, [p])] : []
      })
      break
    case 'both':
      include = todo.map(c => entry(`${c.tag} ${c.platform}`, [c.tag], [c.platform]))
      break
  }
  if (include.length > MAX_MATRIX_JOBS) {
    throw new InputError(
      'matrix-split',
      `"${i.split}" gives ${include.length} jobs (${tags.length} server versions x ${platforms.length} platforms), more than the ${MAX_MATRIX_JOBS} GitHub runs in one matrix`,
      'version or platform, or fewer server versions'
    )
  }
  return { include }
}

/**
 * A tag goes back into a job's server-version: it must read as that tag
 * again (a release tagged `latest`, `2.x` or `v1,v2` would be read as
 * something else), else its job would build another version.
 */
function checkPassable(tag: string): void {
  let terms: ReturnType<typeof parseVersionRequest>['terms'] | undefined
  try {
    terms = parseVersionRequest(tag).terms
  } catch {
    terms = undefined
  }
  const back = terms?.length === 1 && terms[0].kind === 'tag' ? terms[0].tag : undefined
  if (back !== tag) {
    throw new StepError(`The server release tagged ${quoted(tag)} cannot be handed to a matrix job: as server-version it does not read as that tag; build it in a run of its own, without the matrix output`)
  }
}
