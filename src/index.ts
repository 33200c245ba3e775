import { run } from './main.js'
import { runCacheWorker, workerRequest } from './cache/worker.js'

// Entry point of the bundle; kept apart from main.ts so tests can import run().
// Started again with a cache request, it is a cache transfer of a step (src/cache/transfer.ts).
const cacheRequest = workerRequest()
void (cacheRequest ? runCacheWorker(cacheRequest) : run())
