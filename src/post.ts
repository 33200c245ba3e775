import * as stepLog from './step-log.js'
import { saveCaches } from './cache/store.js'
import { isCacheWorker, runCacheWorker } from './cache/worker.js'
import { exitOnCancel } from './run/cancel.js'

// Entry point of the post step (action.yml `post:`): saves the caches the main
// step filled, once per job. Never fails the job: a cache is an optimisation.
// Started again as a cache worker, it is one save (src/cache/transfer.ts).
if (isCacheWorker()) void runCacheWorker()
else {
  exitOnCancel()
  saveCaches().catch((e: unknown) => stepLog.warning(`caches: not saved (${e instanceof Error ? e.message : String(e)})`))
}
