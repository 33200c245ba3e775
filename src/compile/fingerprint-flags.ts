/**
 * Build flags that change the fingerprint of packages the plugin shares with
 * the server (FIELD-NOTES §1): set on the plugin's side only, plugin.Open
 * refuses the .so. Refused before anything is written, so a run with
 * `verify: false` cannot ship such a file. Seen here with Go 1.26 (a host and
 * a plugin sharing one module): -trimpath, -race (sync/atomic differs),
 * -gcflags=all=-l and -gcflags=<shared package>=-l, -coverpkg=all and a
 * vendored build each made plugin.Open fail; -tags, -a, -installsuffix,
 * -buildvcs, -cover and a plain -gcflags (the plugin's own package only) did not.
 */
import { InputError } from '../errors.js'
import { splitShellWords } from './shell-words.js'

/** Whether the server's own release build used a flag. 'unknown' counts as not used: gotify's release build uses none of them. */
export type ServerUses = boolean | 'unknown'

/**
 * What the server's release build used, as its binary's build info records
 * it (`-trimpath=true`, `-race=true`, `-gcflags=...`). Unknown until that
 * reader is wired in.
 */
export interface ServerBuildFlags {
  trimpath: ServerUses
  race?: ServerUses
  msan?: ServerUses
  asan?: ServerUses
  /** The server's `-gcflags` value ('' for none). */
  gcflags?: string | 'unknown'
}

export const SERVER_BUILD_FLAGS_UNKNOWN: ServerBuildFlags = { trimpath: 'unknown' }

/** The user's flags: the build-args input (already split) and go-env's GOFLAGS. */
export interface UserBuildFlags {
  buildArgs: string[]
  goFlags?: string
}

type Source = 'build-args' | 'go-env'
interface Setting {
  value: string
  source: Source
}

// go build flags that take a value: `-flag value` consumes the next word.
const VALUE_FLAGS = new Set([
  'C', 'p', 'asmflags', 'buildmode', 'compiler', 'gccgoflags', 'gcflags', 'installsuffix', 'ldflags', 'mod', 'modfile',
  'overlay', 'pgo', 'pkgdir', 'tags', 'toolexec', 'covermode', 'coverpkg', 'o', 'exec'
])
const BOOL_TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True'])

/** The last value of each flag: GOFLAGS first, then build-args (the command line wins, as in go). */
function effectiveFlags(user: UserBuildFlags): { settings: Map<string, Setting>; gcflags: Setting[] } {
  const settings = new Map<string, Setting>()
  const gcflags: Setting[] = []
  const read = (words: string[], source: Source): void => {
    for (let i = 0; i < words.length; i++) {
      const m = /^--?([A-Za-z][A-Za-z0-9]*)(?:=(.*))?$/s.exec(words[i])
      if (!m) continue
      const [, name, inline] = m
      let value = inline
      if (value === undefined && VALUE_FLAGS.has(name) && source === 'build-args') value = words[++i] ?? ''
      const setting = { value: value ?? 'true', source }
      settings.set(name, setting)
      if (name === 'gcflags') gcflags.push(setting)
    }
  }
  try {
    read(splitShellWords(user.goFlags ?? ''), 'go-env')
  } catch {
    // go itself reports an unreadable GOFLAGS; nothing to check in it here.
  }
  read(user.buildArgs, 'build-args')
  return { settings, gcflags }
}

const used = (s: ServerUses | undefined): boolean => s === true
const serverWords = (s: ServerUses | string | undefined): string => (s === undefined || s === 'unknown' ? 'is not known to use it' : 'does not use it')

/**
 * Throws an InputError naming the input when the user's flags would make every
 * .so unloadable by the server; returns when they are fine. `server` says what
 * the server's release build used (SERVER_BUILD_FLAGS_UNKNOWN until its
 * binary's build info is read).
 */
export function checkFingerprintFlags(user: UserBuildFlags, server: ServerBuildFlags): void {
  const { settings, gcflags } = effectiveFlags(user)
  const fail = (s: Setting, problem: string, accepted: string): never => {
    throw new InputError(s.source, s.source === 'go-env' ? `GOFLAGS ${problem}` : problem, accepted)
  }

  const trimpath = settings.get('trimpath')
  if (trimpath && BOOL_TRUE.has(trimpath.value) && !used(server.trimpath)) {
    fail(trimpath, `-trimpath rewrites the source paths recorded in every package, so each package the plugin shares with the server gets another fingerprint and plugin.Open refuses the .so; the server's release build ${serverWords(server.trimpath)}`, 'go build flags without -trimpath, like the server\'s release build')
  }
  for (const flag of ['race', 'msan', 'asan'] as const) {
    const s = settings.get(flag)
    if (s && BOOL_TRUE.has(s.value) && !used(server[flag])) {
      fail(s, `-${flag} instruments the standard library and every dependency, so the packages the plugin shares with the server get other fingerprints and plugin.Open refuses the .so; the server's release build ${serverWords(server[flag])}`, `go build flags without -${flag}, like the server's release build`)
    }
  }
  // -gcflags without a pattern applies to the plugin's own package only; all= and std= reach the shared ones.
  const wide = gcflags.filter(g => /^(all|std)=./s.test(g.value)).pop()
  if (wide && !(typeof server.gcflags === 'string' && server.gcflags !== 'unknown' && server.gcflags === wide.value)) {
    fail(wide, `-gcflags=${wide.value} compiles the packages the plugin shares with the server with other compiler flags, which changes their fingerprints, so plugin.Open refuses the .so; the server's release build ${serverWords(server.gcflags)}`, '-gcflags without a package pattern (it then applies to the plugin\'s own package only)')
  }
  const mod = settings.get('mod')
  if (mod && mod.value === 'vendor') {
    fail(mod, '-mod=vendor compiles the dependencies from vendor/ instead of the module cache at /go/pkg/mod, and the source path is part of each package\'s fingerprint, so plugin.Open refuses the .so', '-mod=mod or -mod=readonly (the server\'s release build reads /go/pkg/mod)')
  }
}

/** The server's flags as `go build` arguments: what a build that stands for the server (the loader) must use too. */
export function serverFlagArgs(server: ServerBuildFlags): string[] {
  const args = (['trimpath', 'race', 'msan', 'asan'] as const).filter(f => used(server[f])).map(f => `-${f}`)
  if (typeof server.gcflags === 'string' && server.gcflags !== 'unknown' && server.gcflags !== '') args.push(`-gcflags=${server.gcflags}`)
  return args
}
