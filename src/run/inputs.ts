import * as path from 'node:path'
import { InputError } from '../errors.js'
import { parsePlatforms, DEFAULT_PLATFORMS } from '../platform.js'
import { placeholdersOf } from '../template.js'
import { splitShellWords } from '../compile/shell-words.js'
import type { ServerBinarySetting } from '../server/binary-asset.js'
import { type VersionRequest, parseVersionRequest } from '../server-versions/request.js'
import { type ServerImageSettings, parseServerImageSettings } from '../server-image/settings.js'
import type { AlignMode } from '../alignment/plan.js'
import type { UploadMode } from '../release/decide.js'
import type { SkipExistingMode } from '../server-versions/plan.js'
import { type MatrixSplit, MATRIX_SPLITS, splitsPlatforms } from '../server-versions/matrix.js'
import type { Builder } from '../go-runner/builders.js'
import { isInside } from '../workspace/paths.js'
import { type NeighbourEntry, parseWithPlugins } from '../neighbours/entries.js'
import { parseGoEnv } from './go-env.js'
import { type PluginLocation, parsePluginList } from './plugin-list.js'
import { parseRequiredPlugins } from './required-plugins.js'
import { refuseControlCharacters } from './input-controls.js'
import { ASSET_PLACEHOLDERS, IMAGE_PLACEHOLDERS, bool, checkAssetNames, checkTag, checkTemplate, oneOf, parseBaseUrl, parseSeconds, parseServerBinary, parseSymbols, quoted } from './input-values.js'
import { type ServerSource, checkCandidateInputs, parseServerSource } from '../server-versions/source.js'
import type { BuildSettings } from '../compile/plan.js'
import { MODULE_PATH_REWRITES, type ModulePathRewrite } from '../plugin/own-module-path.js'
import { type InfoSettings, parseInfoSettings } from '../verify/plugin-info.js'

/** Every input of action.yml, parsed and validated once; those a build plan needs are its BuildSettings. */
export interface ActionInputs extends BuildSettings {
  server: { owner: string; name: string }
  /** server-version: tags, latest, latest-N, ranges and ref:<branch or SHA>. */
  serverVersion: VersionRequest
  /** server-source: the server's GitHub repository, or its checkout in the workspace. */
  serverSource: ServerSource
  /** Ranges and latest-N may select pre-releases. */
  includePrereleases: boolean
  /** Only resolve the server versions (outputs), build nothing. */
  resolveOnly: boolean
  /** How a plan job's matrix splits the work; in a build job, the split it is part of. */
  matrixSplit: MatrixSplit
  /** The first plugin's plugin-path, package and plugin-name (every plugin: `plugins`). */
  pluginPath: string
  pluginName?: string
  /** plugin-path as a list: each plugin folder with its package and name (one entry for a single plugin). */
  plugins: PluginLocation[]
  goModCache: string
  token: string
  align: AlignMode
  verify: boolean
  /** Where the server's release binary (the verification witness) comes from. */
  serverBinary: ServerBinarySetting
  verifySymbols: string[]
  /** info-function and info-unique-field: what the host calls in each plugin at start; undefined: nothing. */
  pluginInfo?: InfoSettings
  upload: UploadMode
  releaseTag?: string
  overwrite: boolean
  checksums: boolean
  /** Leave out server versions whose files the target release has already. */
  skipExisting: SkipExistingMode
  /** How Go runs: in the server's build images, or natively (src/go-runner/builders.ts). */
  builder: Builder
  /** Where the native builder downloads Go and its checksum from. */
  goDownloadBaseUrl: string
  /** server-image, server-image-plugin-dir, image-tags. */
  serverImage: ServerImageSettings
  /** Restore and save the module cache, build caches and server binaries with the runner's cache service. */
  cache: boolean
  /** cache-timeout: the seconds a round of cache restores (main step) or the saves (post step) may take. */
  cacheTimeout: number
  /** Other plugins' files the server runs beside this one (with-plugins). */
  withPlugins: NeighbourEntry[]
  /** required-plugins as given: plugin names or plugin-path folders (matched in preflight, once the plugins are read); empty: every plugin. */
  requiredPlugins: string[]
  /** Which plugins build from a copy under a module path of their own (plugin paths that collide). */
  rewriteModulePaths: ModulePathRewrite
}

/**
 * The defaults, as action.yml states them. They are repeated here because a
 * run without the runner (tests, local runs) gets no defaults filled in; a
 * test checks that the two agree.
 */
export const INPUT_DEFAULTS: Record<string, string> = {
  'server-version': 'latest',
  'server-source': 'github',
  'include-prereleases': 'false',
  'resolve-only': 'false',
  'matrix-split': 'version',
  'plugin-path': '.',
  package: '.',
  'plugin-name': '',
  platforms: DEFAULT_PLATFORMS,
  'build-image': '{server-owner}/build:{go-version}-{platform}',
  'asset-name': '{plugin}-{platform}-for-{server-owner}-{server-version}.so',
  'output-dir': 'build',
  ldflags: '-w -s',
  'build-args': '',
  'go-env': '',
  'go-mod-cache': '',
  align: 'full',
  verify: 'true',
  'server-binary': 'auto',
  'verify-symbols': 'GetGotifyPluginInfo,NewGotifyPluginInstance',
  'info-function': 'GetGotifyPluginInfo',
  'info-unique-field': 'ModulePath',
  upload: 'auto',
  'release-tag': '',
  overwrite: 'false',
  checksums: 'true',
  'skip-existing': 'auto',
  builder: 'docker',
  'go-download-base-url': 'https://go.dev/dl',
  'server-image': '',
  'server-image-plugin-dir': '/app/data/plugins',
  'image-tags': '',
  cache: 'true',
  'cache-timeout': '300',
  'with-plugins': '',
  'required-plugins': '',
  'rewrite-module-paths': 'auto'
}

export { IMAGE_PLACEHOLDERS, ASSET_PLACEHOLDERS }

/** Where the run happens: paths and ids the runner gives through the environment. */
export interface RunEnvironment {
  workspace: string
  runnerTemp: string
}

/** Returns undefined when the input is not set at all (a run without the runner). */
type GetInput = (name: string) => string | undefined

export function parseInputs(get: GetInput, env: RunEnvironment): ActionInputs {
  const input = (name: string): string => {
    const v = (get(name) ?? '').trim()
    return v === '' ? (INPUT_DEFAULTS[name] ?? '') : v
  }
  refuseControlCharacters(get, ['server-repository', 'token', ...Object.keys(INPUT_DEFAULTS)])
  const workspace = path.resolve(env.workspace)
  const within = (p: string): string => path.resolve(workspace, p)

  const serverRepository = (get('server-repository') ?? '').trim()
  const repo = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(serverRepository)
  if (!repo || repo[2] === '.' || repo[2] === '..') {
    throw new InputError('server-repository', `"${serverRepository}" is not owner/name`, 'a GitHub repository such as gotify/server')
  }

  const serverVersion = parseVersionRequest(input('server-version'))
  const releaseTag = input('release-tag')
  if (releaseTag !== '') checkTag('release-tag', releaseTag, 'the tag of an existing release of this repository, such as v1.0.0')

  const platforms = parsePlatforms(input('platforms'))
  const buildImage = checkTemplate('build-image', input('build-image'), IMAGE_PLACEHOLDERS)
  const assetName = checkTemplate('asset-name', input('asset-name'), ASSET_PLACEHOLDERS)
  checkAssetNames(assetName, platforms)

  let buildArgs: string[]
  try {
    buildArgs = splitShellWords(input('build-args'))
  } catch (e) {
    throw new InputError('build-args', (e as Error).message, 'go build flags, quoted like in a shell')
  }
  for (const a of buildArgs) {
    const flag = a.replace(/^--?/, '-').split('=')[0]
    if (['-o', '-buildmode', '-ldflags'].includes(flag)) {
      throw new InputError('build-args', `${flag} is set by the action`, 'other go build flags (use the ldflags input for -ldflags)')
    }
  }

  // The action writes go.mod, go.sum and output files: only inside the workspace (or RUNNER_TEMP for output).
  const plugins = parsePluginList({ paths: input('plugin-path'), packages: input('package'), names: input('plugin-name'), assetName }, workspace)
  const [{ pluginPath, package: pkg, pluginName }] = plugins
  const outputDir = within(input('output-dir'))
  const runnerTemp = path.resolve(env.runnerTemp)
  if (!isInside(workspace, outputDir) && !(path.isAbsolute(input('output-dir')) && isInside(runnerTemp, outputDir))) {
    const where = path.isAbsolute(input('output-dir')) ? `the workspace ${workspace} and RUNNER_TEMP ${runnerTemp}` : `the workspace ${workspace}`
    throw new InputError('output-dir', `${quoted(input('output-dir'))} is outside ${where}`, 'a folder relative to the workspace, such as build, or an absolute path under the workspace or RUNNER_TEMP')
  }

  const goModCache = input('go-mod-cache')
  const serverImage = parseServerImageSettings(input)
  const serverSource = parseServerSource(input('server-source'), workspace)
  const serverBinary = parseServerBinary(input('server-binary'), workspace)
  checkCandidateInputs({ source: serverSource, request: serverVersion, binary: serverBinary, serverImage: serverImage.image })
  // One image holds every plugin of the run: {plugin} would name only one of them.
  const perPlugin = serverImage.tags.find(t => placeholdersOf(t).includes('plugin'))
  if (plugins.length > 1 && perPlugin !== undefined) {
    throw new InputError('image-tags', `"${perPlugin}" has {plugin}, and the image holds all ${plugins.length} plugins of plugin-path`, 'with several plugins, tags without {plugin}, such as ghcr.io/owner/server-with-plugins:{server-version-bare}')
  }
  const matrixSplit = oneOf('matrix-split', input('matrix-split'), MATRIX_SPLITS) as MatrixSplit
  // Each job of a platform split would push an image of its platforms alone under the same tags.
  if (serverImage.image && splitsPlatforms(matrixSplit)) {
    throw new InputError(
      'server-image',
      `a job of a matrix split by platform (matrix-split: ${matrixSplit}) builds only some of the platforms (here ${platforms.map(p => p.id).join(', ')}), and the server image joins every platform into one`,
      'server-image in a job that builds every platform: matrix-split: version, or a job of its own outside the platform matrix'
    )
  }
  return {
    server: { owner: repo[1], name: repo[2] },
    serverVersion,
    serverSource,
    includePrereleases: bool('include-prereleases', input('include-prereleases')),
    resolveOnly: bool('resolve-only', input('resolve-only')),
    matrixSplit,
    pluginPath,
    package: pkg,
    pluginName,
    plugins,
    platforms,
    buildImage,
    assetName,
    outputDir,
    ldflags: input('ldflags'),
    buildArgs,
    goEnv: parseGoEnv(input('go-env')),
    goModCache: goModCache === '' ? path.join(env.runnerTemp, 'go-plugin-build', 'gomodcache') : within(goModCache),
    token: (get('token') ?? '').trim(),
    align: oneOf('align', input('align'), ['full', 'cap', 'off']) as AlignMode,
    verify: bool('verify', input('verify')),
    serverBinary,
    // Set but empty means "skip the symbol check"; unset means the default.
    verifySymbols: parseSymbols(get('verify-symbols') ?? INPUT_DEFAULTS['verify-symbols']),
    // Set but empty means "none", as for verify-symbols.
    pluginInfo: parseInfoSettings(get('info-function') ?? INPUT_DEFAULTS['info-function'], get('info-unique-field') ?? INPUT_DEFAULTS['info-unique-field']),
    upload: oneOf('upload', input('upload'), ['auto', 'true', 'false']) as UploadMode,
    releaseTag: releaseTag || undefined,
    overwrite: bool('overwrite', input('overwrite')),
    checksums: bool('checksums', input('checksums')),
    skipExisting: oneOf('skip-existing', input('skip-existing'), ['auto', 'true', 'false']) as SkipExistingMode,
    builder: oneOf('builder', input('builder'), ['docker', 'native']) as Builder,
    goDownloadBaseUrl: parseBaseUrl(input('go-download-base-url')),
    serverImage,
    cache: bool('cache', input('cache')),
    cacheTimeout: parseSeconds('cache-timeout', input('cache-timeout')),
    withPlugins: parseWithPlugins(input('with-plugins'), workspace),
    requiredPlugins: parseRequiredPlugins(input('required-plugins')),
    rewriteModulePaths: oneOf('rewrite-module-paths', input('rewrite-module-paths'), MODULE_PATH_REWRITES) as ModulePathRewrite
  }
}
