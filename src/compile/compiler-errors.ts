import * as path from 'node:path'

/** A `file:line:col: message` line of go's output, mapped to a path in the repository. */
export interface CompilerError {
  file?: string
  line?: number
  column?: number
  message: string
}

/**
 * Picks the errors out of a failed `go build` log. `containerDir` is where go
 * ran inside the container, `repoDir` the same folder relative to the
 * repository root (what annotations need).
 */
export function parseCompilerErrors(log: string, containerDir: string, repoDir: string): CompilerError[] {
  const errors: CompilerError[] = []
  for (const raw of log.split('\n')) {
    const line = raw.trimEnd()
    const m = /^(\S+\.(?:go|mod|s|c|h)):(\d+)(?::(\d+))?: (.+)$/.exec(line)
    if (m) {
      const abs = path.posix.resolve(containerDir, m[1])
      const rel = path.posix.relative(containerDir, abs)
      const inside = !rel.startsWith('..')
      errors.push({
        file: inside ? path.posix.join(repoDir, rel) : undefined,
        line: Number(m[2]),
        column: m[3] ? Number(m[3]) : undefined,
        message: inside ? m[4] : `${m[1]}:${m[2]}: ${m[4]}`
      })
    } else if (/^(go: |cgo: )/.test(line) || / error: /.test(line)) {
      errors.push({ message: line })
    }
  }
  return errors
}

/** The packages a `go build -v` log names: those it compiled (what came from the build cache goes unnamed). */
export function compiledPackages(log: string): string[] {
  return log.split('\n').map(l => l.trim()).filter(l => /^[A-Za-z0-9._~+-]+(\/[A-Za-z0-9._~+-]+)*$/.test(l))
}
