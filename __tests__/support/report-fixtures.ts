// One server release and one alignment for the report's unit tests: what a version's outcome starts from.
import type { Alignment } from '../../src/alignment/align.js'
import type { ServerRelease } from '../../src/server/release.js'

export const REPORT_SERVER: ServerRelease = { owner: 'gotify', name: 'server', tag: 'v2.9.1', origin: { kind: 'release' }, goVersion: '1.26.0', goVersionSource: 'GO_VERSION', goMod: '' }

/** The plugin's dep went from v1.1.0 to the server's v1.0.0; `goModPath` and `diff` per test. */
export const alignedDep = (goModPath: string, diff = ''): Alignment => ({
  mode: 'full',
  serverModules: [],
  shared: [{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', linked: true }],
  changes: [{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }],
  conflicts: [],
  changed: true,
  diff,
  goModPath
})
