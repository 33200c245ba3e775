// The floors of src/ (README: "How the code is laid out"), checked in `npm test` by `npm run layers`.
// Bottom to top: ground modules, parts (in the order below), the run's top (run/, then pipeline/), the entry points.

/** Ground: tools every floor may use; they import only each other and npm packages. */
const GROUND_FILES = ['errors', 'platform', 'go-version', 'go-mod', 'template', 'concurrency', 'clock', 'step-log', 'outside-text']
const GROUND_FOLDERS = ['container', 'workspace', 'http']
const GROUND = [`^src/(${GROUND_FILES.join('|')})\\.ts$`, `^src/(${GROUND_FOLDERS.join('|')})/`]
/** Parts, bottom first: a part imports ground modules and parts below it, never one above. */
const PARTS = ['binary', 'go-runner', 'cache', 'github', 'release', 'compile', 'plugin', 'server', 'verify', 'alignment', 'neighbours', 'server-image', 'server-versions', 'report']
/** The run's top, bottom first. */
const TOP_FOLDERS = ['run', 'pipeline']
const TOP = `^src/(${TOP_FOLDERS.join('|')})/`
const ENTRY = '^src/(main|index|post)\\.ts$'
const part = name => `^src/${name}/`

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import loops, type-only imports included', from: {}, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', comment: 'every relative import resolves (so no rule is skipped by a path the tool cannot follow)', from: { path: '^src/' }, to: { couldNotResolve: true } },
    {
      name: 'ground-imports-only-ground',
      severity: 'error',
      comment: 'a ground module imports only ground modules and npm packages: no part, not the run, not main',
      from: { path: GROUND },
      to: { path: '^src/', pathNot: GROUND }
    },
    {
      name: 'parts-do-not-import-the-top',
      severity: 'error',
      comment: "a part never imports the run's top (run/, pipeline/) or an entry point: the run hands each part narrow options",
      from: { path: PARTS.map(part) },
      to: { path: [TOP, ENTRY] }
    },
    ...PARTS.map((name, i) => ({
      name: `part-order-${name}`,
      severity: 'error',
      comment: `${name}/ imports no part above it (${PARTS.slice(i + 1).join(', ') || 'none'})`,
      from: { path: part(name) },
      to: { path: PARTS.slice(i + 1).map(part) }
    })).filter((_, i) => i < PARTS.length - 1),
    { name: 'run-below-pipeline', severity: 'error', comment: 'run/ (inputs, context, preflight, plan) does not import the pipeline or an entry point', from: { path: '^src/run/' }, to: { path: ['^src/pipeline/', ENTRY] } },
    { name: 'pipeline-below-entry', severity: 'error', comment: 'pipeline/ does not import an entry point', from: { path: '^src/pipeline/' }, to: { path: ENTRY } },
    {
      name: 'every-file-on-a-floor',
      severity: 'error',
      comment: 'a new folder or top-level file of src/ is placed on a floor here (and in the README) before it is used',
      from: { path: '^src/', pathNot: [...GROUND, ...PARTS.map(part), TOP, ENTRY] },
      to: {}
    }
  ],
  options: {
    includeOnly: '^src/',
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a loop through types is still a loop.
    tsPreCompilationDeps: true
  }
}

// For the README's layout test (__tests__/readme-layout.test.ts), which checks the list against these floors.
// Not enumerable: dependency-cruiser refuses options it does not know.
Object.defineProperty(module.exports, 'floors', { value: { groundFolders: GROUND_FOLDERS, parts: PARTS, top: TOP_FOLDERS }, enumerable: false })
