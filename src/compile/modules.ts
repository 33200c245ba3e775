/**
 * The modules the builds need, downloaded once into the shared module cache
 * in one container (the tool image) before the platforms build concurrently,
 * so no build waits on the network or on another build's download.
 */
import type { GoRunner } from '../go-runner/runner.js'

/** `go mod download`: every module go.mod requires (from go 1.17 on, every module a package of the plugin can need). */
export async function downloadModules(go: GoRunner, pluginDir: string, log: (line: string) => void): Promise<void> {
  const started = Date.now()
  const r = await go.go(['mod', 'download'], { dir: pluginDir })
  const secs = ((Date.now() - started) / 1000).toFixed(1)
  if (r.code === 0) log(`modules: go mod download in ${secs} s, once, before the builds`)
  // Not fatal: each build then fetches what it lacks, and its own error says more.
  else log(`modules: go mod download failed in ${secs} s (${r.stderr.trim().split('\n').pop() ?? ''}); the builds fetch what they need`)
}
