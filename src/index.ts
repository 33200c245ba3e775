import { run } from './main.js'
import { isCacheWorker, runCacheWorker } from './cache/worker.js'
import { exitOnCancel } from './run/cancel.js'

// Entry point of the bundle; kept apart from main.ts so tests can import run().
// Started again as a cache worker, it is a cache transfer of a step (src/cache/transfer.ts).
if (isCacheWorker()) void runCacheWorker()
else {
  exitOnCancel()
  void run()
}
