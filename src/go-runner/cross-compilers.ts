/**
 * The C compilers of the native builder: the names the server's build images
 * set (CC/CXX `aarch64-linux-gnu-gcc`, `arm-linux-gnueabihf-gcc`,
 * `riscv64-linux-gnu-gcc`; plain `gcc` for the runner's own architecture),
 * from Debian's and Ubuntu's cross compiler packages. Nothing is ever
 * installed: a missing one fails the run before anything is written, naming
 * its package.
 *
 * linux-386: gotify's image compiles with `gcc -m32` (gcc-multilib). On a
 * runner that also needs the arm and arm64 cross compilers gcc-multilib cannot
 * be installed (Debian and Ubuntu make it conflict with them), so the native
 * builder takes the i686 cross compiler, `i686-linux-gnu-gcc`
 * (gcc-i686-linux-gnu): same target, same C library ABI, and the packages
 * every plugin shares with a server built in the image get the same
 * fingerprints (__tests__/main-native.int.test.ts proves it against a server
 * built in the Docker image).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Platform } from '../platform.js'

export interface CrossCompiler {
  cc: string
  cxx: string
  /** Debian/Ubuntu packages that provide the compiler and its C library headers. */
  packages: string[]
  /** A header of the C library the compiler builds against: present when the headers' package is. */
  header: string
}

// GOARCH -> GNU target triple of Debian's cross compilers.
const TRIPLES: Record<string, string> = {
  amd64: 'x86_64-linux-gnu', '386': 'i686-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf', riscv64: 'riscv64-linux-gnu',
  ppc64le: 'powerpc64le-linux-gnu', s390x: 's390x-linux-gnu', loong64: 'loongarch64-linux-gnu', mips: 'mips-linux-gnu', mipsle: 'mipsel-linux-gnu',
  mips64: 'mips64-linux-gnuabi64', mips64le: 'mips64el-linux-gnuabi64'
}
// Triple -> Debian's architecture name, as in libc6-dev-<arch>-cross.
const DEBIAN_ARCH: Record<string, string> = {
  'x86_64-linux-gnu': 'amd64', 'i686-linux-gnu': 'i386', 'aarch64-linux-gnu': 'arm64', 'arm-linux-gnueabihf': 'armhf', 'arm-linux-gnueabi': 'armel',
  'riscv64-linux-gnu': 'riscv64', 'powerpc64le-linux-gnu': 'ppc64el', 's390x-linux-gnu': 's390x', 'loongarch64-linux-gnu': 'loong64',
  'mips-linux-gnu': 'mips', 'mipsel-linux-gnu': 'mipsel', 'mips64-linux-gnuabi64': 'mips64', 'mips64el-linux-gnuabi64': 'mips64el'
}

/** The target triple of a platform's C compiler; arm-5 is soft-float (armel), arm-6 and arm-7 hard-float (armhf). */
export function tripleOf(p: Platform): string | undefined {
  if (p.arch === 'arm' && p.variant === '5') return 'arm-linux-gnueabi'
  return TRIPLES[p.arch]
}

/** Pure: the compiler a platform needs on a runner of `runnerArch` (Go's name), or why there is none. */
export function compilerFor(p: Platform, runnerArch: string): CrossCompiler | { error: string } {
  if (p.os !== 'linux') return { error: `${p.id}: the native builder builds linux platforms only (use builder: docker)` }
  if (p.arch === runnerArch) return { cc: 'gcc', cxx: 'g++', packages: ['gcc', 'libc6-dev'], header: '/usr/include/stdio.h' }
  const triple = tripleOf(p)
  if (!triple) return { error: `${p.id}: no cross compiler is known for ${p.arch} (use builder: docker)` }
  return {
    cc: `${triple}-gcc`,
    cxx: `${triple}-g++`,
    packages: [`gcc-${triple.replace(/_/g, '-')}`, `libc6-dev-${DEBIAN_ARCH[triple]}-cross`],
    header: `/usr/${triple}/include/stdio.h`
  }
}

/** The first executable `name` on PATH. */
export function findOnPath(name: string, pathVar: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVar.split(path.delimiter).filter(Boolean)) {
    const f = path.join(dir, name)
    try {
      fs.accessSync(f, fs.constants.X_OK)
      if (fs.statSync(f).isFile()) return f
    } catch {
      // not here
    }
  }
  return undefined
}

export interface CompilerCheck {
  compilers: Map<string, CrossCompiler>
  /** One line per platform that cannot be built; empty when every compiler is there. */
  problems: string[]
  /** Packages to install for those (the install hint). */
  missingPackages: string[]
}

/** Edge: looks every platform's compiler and C headers up on the runner. */
export function checkCompilers(platforms: Platform[], runnerArch: string, has: { program: (n: string) => boolean; file: (f: string) => boolean } = {
  program: n => findOnPath(n) !== undefined,
  file: f => fs.existsSync(f)
}): CompilerCheck {
  const compilers = new Map<string, CrossCompiler>()
  const problems: string[] = []
  const missing = new Set<string>()
  for (const p of platforms) {
    const c = compilerFor(p, runnerArch)
    if ('error' in c) {
      problems.push(c.error)
      continue
    }
    compilers.set(p.id, c)
    if (!has.program(c.cc)) {
      problems.push(`${p.id} needs ${c.cc}, which is not on PATH (Debian/Ubuntu package ${c.packages[0]})`)
      c.packages.forEach(x => missing.add(x))
    } else if (!has.file(c.header)) {
      problems.push(`${p.id}: ${c.cc} has no C library headers (${c.header} is missing: Debian/Ubuntu package ${c.packages[1]})`)
      missing.add(c.packages[1])
    }
  }
  return { compilers, problems, missingPackages: [...missing] }
}

/** The one-line error for a failed check. */
export function compilerProblem(check: CompilerCheck): string | undefined {
  if (check.problems.length === 0) return undefined
  const install = check.missingPackages.length > 0 ? `install them before this step (sudo apt-get install -y ${check.missingPackages.join(' ')}), or ` : ''
  return `builder native: ${check.problems.join('; ')}; ${install}use builder: docker. Nothing was installed or written`
}
