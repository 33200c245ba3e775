import * as stepLog from './run/step-log.js'
import { saveCaches } from './cache/store.js'
import { runCacheWorker, workerRequest } from './cache/worker.js'

// Entry point of the post step (action.yml `post:`): saves the caches the main
// step filled, once per job. Never fails the job: a cache is an optimisation.
// Started again with a cache request, it is one save (src/cache/transfer.ts).
const cacheRequest = workerRequest()
if (cacheRequest) void runCacheWorker(cacheRequest)
else saveCaches().catch((e: unknown) => stepLog.warning(`caches: not saved (${e instanceof Error ? e.message : String(e)})`))
