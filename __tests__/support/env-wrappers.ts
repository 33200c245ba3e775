import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

/**
 * Wrappers named like `programs`, for the front of PATH: each appends its environment and its parent's
 * (/proc/<ppid>/environ) to `log`, then runs the real program. PATH with them in front.
 */
export function wrapPath(dir: string, log: string, programs: string[]): string {
  fs.mkdirSync(dir, { recursive: true })
  for (const name of programs) {
    let real: string
    try {
      real = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim()
    } catch {
      continue
    }
    const script = [
      '#!/bin/sh',
      `{ echo "=== ${name} ppid=$PPID"; env; echo "=== parent of ${name} ppid=$PPID"; tr '\\0' '\\n' < /proc/$PPID/environ; echo "=== end"; } >> '${log}' 2>/dev/null`,
      `exec '${real}' "$@"`
    ].join('\n')
    fs.writeFileSync(path.join(dir, name), `${script}\n`, { mode: 0o755 })
  }
  return `${dir}:${process.env.PATH}`
}

/**
 * What the wrappers saw: which programs ran, every secret found in a program's environment or its parent's, except
 * a parent that is one of `steps` (the action's own step processes, which the runner gave them), and whose parents were checked.
 */
export function leaksIn(log: string, secrets: string[], steps: Array<number | undefined>): { programs: Set<string>; leaks: string[]; checkedParents: string[] } {
  const records = (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '')
    .split(/^(?==== (?:parent of )?\S+ ppid=)/m)
    .filter(r => r.startsWith('=== '))
    .map(r => {
      const m = /^=== (parent of )?(\S+) ppid=(\d+)/.exec(r) as RegExpExecArray
      return { program: m[2], ppid: Number(m[3]), parent: m[1] !== undefined, text: r }
    })
  const checked = records.filter(r => !(r.parent && steps.includes(r.ppid)))
  return {
    programs: new Set(records.map(r => r.program)),
    leaks: checked.flatMap(r => secrets.filter(s => r.text.includes(s)).map(s => `${r.parent ? 'parent of ' : ''}${r.program}: ${s}`)),
    checkedParents: checked.filter(r => r.parent).map(r => r.program)
  }
}
