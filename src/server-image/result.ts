/** What the server image step did, and how the job summary and compat-report.json show it. Pure. */
import type { SetDifference, SetMemberVerdict } from '../verify/set-step.js'
import type { PackageDifference } from '../verify/static-proof.js'
import { markdownText } from '../outside-text.js'
import type { StartCheck } from './start-check.js'
import { pluginFiles } from './start-verdict.js'

export interface ImagePlatform {
  platform: string
  /** The server image of this platform: `gotify/server:2.9.1 (linux/arm64)`. */
  base?: string
  /** proven: the .so is in this platform's image; refused: the proof failed; skipped: the server image lacks the platform. */
  status: 'proven' | 'refused' | 'skipped'
  /** The proof's one line, or why the platform is skipped or refused. */
  detail: string
  /** The server binary inside the image the .so was proven against. */
  binary?: string
  differing?: PackageDifference[]
  /** What the image's plugin folder holds (or would have held), in the server's load order. */
  files?: string[]
  /** Several files (several plugins, with-plugins): each file's verdict against the image's binary, and every package two of them disagree on. */
  members?: SetMemberVerdict[]
  conflicts?: SetDifference[]
  warnings?: string[]
  /** Started on the runner (its own platform): what the start check said. */
  started?: 'loaded' | 'failed'
  /** Proven, not started: why (another platform than the runner's). */
  notStarted?: string
  /** The platform's image as pushed (before the index that joins them). */
  pushed?: Array<{ tag: string; digest: string }>
}

export interface ServerImageResult {
  /** The server image (server-image rendered; one per platform when it names the platform). */
  image: string
  /** The .so's path inside the image (one plugin alone); empty when the image holds a set. */
  pluginFile: string
  /** The plugin folder, when the image holds several files (their names per platform). */
  pluginDir?: string
  platforms: ImagePlatform[]
  /** The runner's own platform, started with `files` files in its plugin folder. */
  start?: StartCheck & { platform: string; files: number }
  /** Why nothing was started. */
  startNote?: string
  /** Tags of the result (pushed or not). */
  tags: string[]
  /** Each pushed tag and its image index's digest. */
  pushed: Array<{ tag: string; digest: string }>
  /** Why nothing was pushed, when nothing was. */
  note?: string
  /** One line: why the step failed (nothing was pushed unless it says so). */
  failure?: string
}

const code = (s: string): string => `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function proofCell(p: ImagePlatform): string {
  const detail = cell(p.detail.length > 300 ? `${p.detail.slice(0, 297)}...` : p.detail)
  if (p.status === 'proven') return `yes: ${detail}`
  if (p.status === 'refused') return `**no**: ${detail}`
  return `skipped: ${detail}`
}

function startedCell(p: ImagePlatform): string {
  if (p.started === 'loaded') return 'yes: the server runs its plugins'
  if (p.started === 'failed') return '**yes: the check failed**'
  if (p.notStarted) return 'no: proven only (not the runner\'s platform)'
  return '-'
}

/** What starting the runner's platform showed, and the server's own warnings. */
function startLines(r: ServerImageResult): string[] {
  if (!r.start) return r.startNote ? [`Started: ${markdownText(r.startNote)}.`, ''] : []
  const s = r.start
  const verdict = s.status === 'loaded' ? 'the server runs and lists its plugins' : '**the check failed**'
  const lines = [`Started ${s.platform} with ${pluginFiles(s.files)}: ${verdict}: ${markdownText(s.detail)}.`, '']
  for (const w of s.warnings) lines.push(`- :warning: ${s.platform} started: ${markdownText(w)}`)
  if (s.warnings.length > 0) lines.push('')
  const others = r.platforms.filter(p => p.notStarted).map(p => p.platform)
  if (others.length > 0) lines.push(`Proven, not started: ${others.join(', ')} (the runner starts only its own platform's image; no emulator is used).`, '')
  return lines
}

/** The job summary's section. */
export function serverImageSection(r: ServerImageResult): string[] {
  const lines = ['### Server image', '']
  if (r.pluginDir !== undefined) {
    lines.push(`The plugins in ${code(r.pluginDir)} of ${code(r.image)}, in the order the server loads them:`, '')
    // Many files: their count (compat-report.json lists them).
    for (const p of r.platforms) if (p.files) lines.push(`- ${p.platform}: ${p.files.length <= 5 ? p.files.map(f => code(f.split('/').pop() ?? f)).join(', ') : `${p.files.length} files (compat-report.json: serverImage.platforms)`}`)
    lines.push('')
  } else lines.push(`The plugin as ${code(r.pluginFile || '?')} in ${code(r.image)}.`, '')
  if (r.platforms.length > 0) {
    lines.push('| platform | server image | server binary | loads | started |', '| --- | --- | --- | --- | --- |')
    for (const p of r.platforms) lines.push(`| ${p.platform} | ${p.base ? code(p.base) : '-'} | ${p.binary ? code(p.binary) : '-'} | ${proofCell(p)} | ${startedCell(p)} |`)
    lines.push('')
  }
  for (const p of r.platforms) for (const w of p.warnings ?? []) lines.push(`- :warning: ${p.platform}: ${w}`)
  lines.push(...startLines(r))
  if (r.pushed.length > 0) {
    lines.push('| tag | digest |', '| --- | --- |', ...r.pushed.map(t => `| ${code(t.tag)} | ${code(t.digest)} |`), '')
  } else if (r.note) lines.push(`${r.note.replace(/^not pushed/, 'Not pushed')}${r.tags.length > 0 ? ` (tags: ${r.tags.map(code).join(', ')})` : ''}.`, '')
  // A failure is the run's: the summary's last lines say it.
  return lines
}

/** compat-report.json's `serverImage`. */
export function serverImageReport(r: ServerImageResult): object {
  return {
    image: r.image,
    pluginFile: r.pluginFile,
    ...(r.pluginDir !== undefined ? { pluginDir: r.pluginDir } : {}),
    // Every file the image holds, all platforms.
    files: [...new Set(r.platforms.filter(p => p.status === 'proven').flatMap(p => p.files ?? []))],
    platforms: r.platforms,
    ...(r.start
      ? { start: { platform: r.start.platform, files: r.start.files, status: r.start.status, detail: r.start.detail, warnings: r.start.warnings, ...(r.start.listed ? { listed: r.start.listed } : {}) } }
      : {}),
    // Which platforms' images were started, and which only proven.
    started: r.platforms.filter(p => p.started).map(p => p.platform),
    provenOnly: r.platforms.filter(p => p.notStarted).map(p => p.platform),
    ...(r.startNote ? { startNote: r.startNote } : {}),
    tags: r.tags,
    pushed: r.pushed,
    ...(r.note ? { note: r.note } : {}),
    ...(r.failure ? { failure: r.failure } : {})
  }
}
