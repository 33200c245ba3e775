/**
 * A cancelled job. The runner sends SIGINT, SIGTERM about 7.5 s later, then
 * SIGKILL (a step's timeout too). On the first of either signal the run stops
 * everything it started (every process group, and every container carrying
 * its label, even one whose CLI is gone), puts back what it changed in the
 * workspace (the plugins' go.mod and go.sum), and exits non-zero, within
 * CANCEL_LIMIT_MS: well before the SIGKILL.
 */
import * as os from 'node:os'
import * as stepLog from '../step-log.js'
import { stopAllChildren } from '../container/child-process.js'
import { RUN_ID, RUN_LABEL, removeRunContainers } from '../container/docker.js'

/** Programs get SIGTERM, and SIGKILL this long after. */
export const CANCEL_GRACE_MS = 1500
/** Everything stopped and put back within this. */
export const CANCEL_LIMIT_MS = 4000

/** What a cancelled run puts back; each says what it did (undefined: nothing needed). */
const putBacks = new Set<() => string | undefined>()
let cancelling = false

/**
 * Registers what a cancelled run must put back. The returned function forgets it (the run ended and put it back
 * itself); once a cancellation began it forgets nothing: the pipeline, its programs stopped, may reach its end first.
 */
export function onCancel(putBack: () => string | undefined): () => void {
  putBacks.add(putBack)
  return () => void (cancelling || putBacks.delete(putBack))
}

/** Stops what the run started, then puts back what it changed (after: nothing is still writing); one line saying so. */
export async function cancelRun(signal: NodeJS.Signals): Promise<string> {
  cancelling = true
  stepLog.silenceForCancel()
  const started = Date.now()
  const [programs, removed] = await Promise.all([stopAllChildren(CANCEL_GRACE_MS, CANCEL_LIMIT_MS), removeRunContainers(CANCEL_LIMIT_MS)])
  // Once more, now that nothing runs: a container a `docker run` created while the first look was made.
  const containers = removed + (await removeRunContainers(Math.max(500, CANCEL_LIMIT_MS - (Date.now() - started))))
  const done: string[] = []
  for (const putBack of putBacks) {
    try {
      const what = putBack()
      if (what) done.push(what)
    } catch (e) {
      done.push(`could not put back: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const stopped = `${programs} program${programs === 1 ? '' : 's'} stopped, ${containers} container${containers === 1 ? '' : 's'} removed`
  return `the run was cancelled (${signal}): ${[stopped, ...done].join('; ')}`
}

/** The main and post steps' handlers: the first SIGINT or SIGTERM cancels the run, and the process exits with 128 + the signal's number. */
export function exitOnCancel(): void {
  stepLog.debug(`containers of this run carry the label ${RUN_LABEL}=${RUN_ID}`)
  let cancelling = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (cancelling) return
      cancelling = true
      void cancelRun(signal)
        .then(line => stepLog.cancellation(line))
        .finally(() => process.exit(128 + os.constants.signals[signal]))
    })
  }
}
