import { run } from './main.js'

// Entry point of the bundle; kept apart from main.ts so tests can import run().
void run()
