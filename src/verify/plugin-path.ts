/**
 * A plugin's path (its main package's import path, BinaryFacts.symbolPath) is
 * its identity in the server: plugin.Open refuses a second plugin with the path
 * of one already loaded (`plugin already loaded`), and gotify then does not
 * start. Paths many plugins share are warned about here. Pure.
 *
 * Seen with real builds (Go 1.26, plugin-set.int.test.ts): `go build
 * -buildmode=plugin .` in a module gives the main package's import path (build
 * info `path`); building a list of files gives `plugin/unnamed-<hash>`, a hash
 * of the files' contents and build ID, so two different plugins built that way
 * never share it (no warning). A module named `main` cannot load at all: the
 * server's own package `main` has another fingerprint.
 */
import { UNNAMED_PLUGIN } from '../binary/fingerprints.js'

export const TEMPLATE_PATH = 'github.com/gotify/plugin-template'

// Documentation domains (RFC 2606): a placeholder, not anyone's own path.
const PLACEHOLDER_DOMAINS = ['example.com', 'example.org', 'example.net']

const CONSEQUENCE = 'two plugins with one path cannot share a server (plugin.Open refuses the second with `plugin already loaded` and the server does not start)'
const FIX = 'give the plugin a module path of its own in go.mod (`module github.com/<owner>/<repository>`) and build its main package from that module'

const under = (path: string, root: string): boolean => path === root || path.startsWith(`${root}/`)

/** A warning for a plugin path a server is likely to see twice (or cannot load at all), else undefined. */
export function pluginPathWarning(path: string | undefined): string | undefined {
  if (!path || path.startsWith(UNNAMED_PLUGIN)) return undefined
  const shown = JSON.stringify(path)
  if (path === 'main') {
    return `the plugin path is "main", the server's own main package: plugin.Open refuses it (\`plugin was built with a different version of package main\`); ${FIX}`
  }
  if (under(path, TEMPLATE_PATH)) {
    return `the plugin path ${shown} is gotify/plugin-template's own, kept by many of its forks: ${CONSEQUENCE}; ${FIX}`
  }
  const first = path.split('/')[0]
  if (PLACEHOLDER_DOMAINS.some(d => first === d || first.endsWith(`.${d}`))) {
    return `the plugin path ${shown} is a placeholder (${first}) other plugins use too: ${CONSEQUENCE}; ${FIX}`
  }
  if (!first.includes('.')) {
    return `the plugin path ${shown} has no domain in its first element, so other plugins may well use it too: ${CONSEQUENCE}; ${FIX}`
  }
  return undefined
}
