/** One go command of alignment, and its failure as one line. */
import { StepError } from '../errors.js'
import type { GoRunner } from '../go-runner/runner.js'
import { x509Hint } from '../container/runner-certificates.js'

/** A go command failed: its stderr, reduced to one line, without progress noise; `dir` names where it ran, when that helps. */
export class GoFailure extends StepError {
  constructor(readonly args: string[], readonly stderr: string, dir?: string) {
    const lines = stderr.split('\n').map(l => l.trim()).filter(l => l !== '' && !/^go: (downloading|finding|found|upgraded|downgraded|added|removed) /.test(l))
    super(`go ${args.join(' ')}${dir ? ` in ${dir}` : ''} failed: ${lines.join('; ').slice(0, 600) || 'no output'}${x509Hint(stderr)}`)
  }
}

// A go.work above the plugin would change what go resolves; alignment is per module.
export const ALIGN_ENV = { GOWORK: 'off' }

/** `go <args>` in `dir`; its stdout, or a GoFailure. `signal` stops it (a trial's time limit). */
export async function goCommand(go: GoRunner, dir: string, args: string[], o: { log?: (line: string) => void; signal?: AbortSignal } = {}): Promise<string> {
  o.log?.(`go ${args.join(' ')}`)
  const r = await go.go(args, { dir, env: ALIGN_ENV, signal: o.signal })
  if (r.code !== 0) throw new GoFailure(args, o.signal?.aborted ? `${r.stderr}\nstopped: out of time` : r.stderr)
  return r.stdout
}
