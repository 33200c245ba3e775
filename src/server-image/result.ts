/** What the server image step did, and how the job summary and compat-report.json show it. Pure. */
import type { SetDifference, SetMemberVerdict } from '../verify/set-step.js'
import type { PackageDifference } from '../verify/static-proof.js'
import type { StartCheck } from './start-check.js'

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
  /** The runner's own platform, started. */
  start?: StartCheck & { platform: string }
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
  if (p.status === 'proven') return `yes: ${cell(p.detail)}`
  if (p.status === 'refused') return `**no**: ${cell(p.detail)}`
  return `skipped: ${cell(p.detail)}`
}

/** The job summary's section. */
export function serverImageSection(r: ServerImageResult): string[] {
  const lines = ['### Server image', '']
  if (r.pluginDir !== undefined) {
    lines.push(`The plugins in ${code(r.pluginDir)} of ${code(r.image)}, in the order the server loads them:`, '')
    for (const p of r.platforms) if (p.files) lines.push(`- ${p.platform}: ${p.files.map(f => code(f.split('/').pop() ?? f)).join(', ')}`)
    lines.push('')
  } else lines.push(`The plugin as ${code(r.pluginFile || '?')} in ${code(r.image)}.`, '')
  if (r.platforms.length > 0) {
    lines.push('| platform | server image | server binary | loads |', '| --- | --- | --- | --- |')
    for (const p of r.platforms) lines.push(`| ${p.platform} | ${p.base ? code(p.base) : '-'} | ${p.binary ? code(p.binary) : '-'} | ${proofCell(p)} |`)
    lines.push('')
  }
  for (const p of r.platforms) for (const w of p.warnings ?? []) lines.push(`- :warning: ${p.platform}: ${w}`)
  if (r.start) lines.push(`Started ${r.start.platform}: ${r.start.status === 'loaded' ? 'the plugin loaded' : '**the plugin did not load**'}: ${cell(r.start.detail)}.`, '')
  else if (r.startNote) lines.push(`Started: ${r.startNote}.`, '')
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
    ...(r.start ? { start: { platform: r.start.platform, status: r.start.status, detail: r.start.detail } } : {}),
    ...(r.startNote ? { startNote: r.startNote } : {}),
    tags: r.tags,
    pushed: r.pushed,
    ...(r.note ? { note: r.note } : {}),
    ...(r.failure ? { failure: r.failure } : {})
  }
}
