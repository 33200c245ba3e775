import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

/** git in `dir` as a test's own tool (a committer set, output kept from the test log). */
export const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

/** A script that leaves `marker` when it runs (and behaves as a filter would: stdin to stdout). */
export function markerScript(dir: string, name: string, marker: string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, `#!/bin/sh\necho "$0 $*" >> '${marker}'\ncat\n`, { mode: 0o755 })
  return file
}

/**
 * The attack of issue 27: plain files a pull request can commit (HEAD, objects/, refs/, config, index) that make
 * `folder` a repository to git, with core.worktree so index commands work, an fsmonitor, a post-index-change hook,
 * a clean filter and an external diff, each a script leaving a marker.
 */
export function hostileFolder(folder: string, marker: string): void {
  fs.mkdirSync(folder, { recursive: true })
  if (!fs.existsSync(path.join(folder, 'go.mod'))) fs.writeFileSync(path.join(folder, 'go.mod'), 'module example.com/server\n\ngo 1.21\n')
  fs.writeFileSync(path.join(folder, '.gitattributes'), '* filter=evil diff=evil\n')
  const g = (...args: string[]): string => git(folder, `--git-dir=${folder}`, `--work-tree=${folder}`, ...args)
  g('init', '-q')
  g('add', '.')
  g('commit', '-qm', 'one')
  const hooks = path.join(folder, 'hooks')
  fs.mkdirSync(hooks, { recursive: true })
  for (const hook of ['post-index-change', 'pre-commit', 'post-checkout']) markerScript(hooks, hook, marker)
  fs.appendFileSync(
    path.join(folder, 'config'),
    `[core]\n\tbare = false\n\tworktree = .\n\tfsmonitor = ${markerScript(folder, 'fsmonitor.sh', marker)}\n\thooksPath = ${hooks}\n` +
      `[filter "evil"]\n\tclean = ${markerScript(folder, 'clean.sh', marker)}\n\tsmudge = ${markerScript(folder, 'smudge.sh', marker)}\n` +
      `[diff "evil"]\n\tcommand = ${markerScript(folder, 'diff.sh', marker)}\n\ttextconv = ${markerScript(folder, 'textconv.sh', marker)}\n`
  )
  // Touched: an index refresh would re-read (and filter) it.
  const later = new Date(Date.now() + 5000)
  fs.utimesSync(path.join(folder, 'go.mod'), later, later)
}

