/**
 * A runner behind a TLS-inspecting proxy trusts an extra CA through
 * SSL_CERT_FILE, SSL_CERT_DIR or NODE_EXTRA_CA_CERTS. The build images do
 * not have it, so every Go command in them would fail with `x509: certificate
 * signed by unknown authority`. The files those variables name are mounted
 * read-only into every container, into one folder that Go reads through
 * SSL_CERT_DIR.
 *
 * Why SSL_CERT_DIR and not SSL_CERT_FILE in the container: Go loads one
 * bundle file (SSL_CERT_FILE, else the first of its default files) plus every
 * file of the SSL_CERT_DIR folders (else its default folders). Leaving
 * SSL_CERT_FILE alone keeps the image's own bundle, and the default folders
 * are listed again after ours, so the image's roots keep working next to the
 * runner's, whether the runner's file is a whole bundle or one CA.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Mount } from './docker.js'
import { goAtLeast } from '../go-version.js'

/** The one folder of every container where the runner's CA files appear. */
export const CONTAINER_CA_DIR = '/etc/go-plugin-build/ca'
export const CA_VARIABLES = ['SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS'] as const
// Go's own default folders on Linux (crypto/x509 root_linux.go).
const GO_DEFAULT_CERT_DIRS = ['/etc/ssl/certs', '/etc/pki/tls/certs']

/** A CA file the runner trusts: what the variable said, and the real file (symlinks resolved). */
export interface RunnerCaFile {
  variable: (typeof CA_VARIABLES)[number]
  file: string
}

export interface RunnerCaFound {
  files: RunnerCaFile[]
  /** Variables set to something that cannot be read: said, not fatal (Go may not need the network). */
  problems: string[]
}

/**
 * Edge: the files the runner's variables name. SSL_CERT_DIR is a list of
 * folders (`:`-separated, like OpenSSL and Go); each file in them counts,
 * symlinks followed on the runner (a system folder links to files elsewhere,
 * which would dangle in the container).
 */
export function findRunnerCaFiles(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): RunnerCaFound {
  const files: RunnerCaFile[] = []
  const problems: string[] = []
  const seen = new Set<string>()
  const add = (variable: RunnerCaFile['variable'], file: string): void => {
    const real = fs.realpathSync(file)
    if (seen.has(real) || !fs.statSync(real).isFile()) return
    // `--volume host:container` cannot carry a ':' in the host path.
    if (real.includes(':')) {
      problems.push(`${variable}: ${real} has a ':' in its path and cannot be mounted into the containers`)
      return
    }
    seen.add(real)
    files.push({ variable, file: real })
  }
  for (const variable of CA_VARIABLES) {
    const value = env[variable]?.trim()
    if (!value) continue
    const entries = variable === 'SSL_CERT_DIR' ? value.split(':').filter(Boolean) : [value]
    for (const entry of entries) {
      const abs = path.resolve(cwd, entry)
      try {
        if (variable !== 'SSL_CERT_DIR') add(variable, abs)
        else for (const name of fs.readdirSync(abs).sort()) tryAdd(() => add(variable, path.join(abs, name)))
      } catch (e) {
        problems.push(`${variable} names ${abs}, which cannot be read on the runner (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): not passed to the containers`)
      }
    }
  }
  return { files, problems }
}

// A dangling link or unreadable entry in a CA folder is skipped, as Go skips it.
function tryAdd(fn: () => void): void {
  try {
    fn()
  } catch {
    // skipped
  }
}

export interface CaMounts {
  mounts: Mount[]
  /** Go environment for the containers (SSL_CERT_DIR). */
  env: Record<string, string>
}

/**
 * Pure: read-only mounts into CONTAINER_CA_DIR, and SSL_CERT_DIR naming it
 * (then Go's default folders, on Go 1.16+ which reads a list). A
 * SSL_CERT_DIR the user set in go-env (container paths) is kept after ours.
 */
export function planCaMounts(files: RunnerCaFile[], goVersion: string, goEnv: Record<string, string> = {}): CaMounts {
  if (files.length === 0) return { mounts: [], env: {} }
  const mounts = files.map((f, i) => ({
    host: f.file,
    container: `${CONTAINER_CA_DIR}/${i}-${f.variable.toLowerCase()}-${path.basename(f.file).replace(/[^A-Za-z0-9._-]/g, '_')}`,
    readOnly: true
  }))
  const lists = goAtLeast(goVersion, 16)
  const dirs = lists ? [CONTAINER_CA_DIR, ...(goEnv.SSL_CERT_DIR ? goEnv.SSL_CERT_DIR.split(':') : GO_DEFAULT_CERT_DIRS)] : [goEnv.SSL_CERT_DIR || CONTAINER_CA_DIR]
  return { mounts, env: { SSL_CERT_DIR: [...new Set(dirs)].join(':') } }
}

/** One log line: which variables, how many files, where. */
export function describeCaMounts(files: RunnerCaFile[], env: Record<string, string>): string {
  const counts = CA_VARIABLES.map(v => [v, files.filter(f => f.variable === v).length] as const).filter(([, n]) => n > 0)
  const named = counts.map(([v, n]) => `${v} (${n} file${n === 1 ? '' : 's'})`).join(', ')
  return `Runner CA certificates from ${named} mounted read-only at ${CONTAINER_CA_DIR} in every container; Go trusts them through SSL_CERT_DIR=${env.SSL_CERT_DIR}, next to the image's own roots`
}

/** A hint for go errors about certificates: what the containers trust, and how to add the runner's CA. */
export function x509Hint(text: string): string {
  if (!/x509: /.test(text)) return ''
  return ' (the build containers trust the image\'s CAs plus the files the runner names in SSL_CERT_FILE, SSL_CERT_DIR or NODE_EXTRA_CA_CERTS: behind a TLS-inspecting proxy, set one of them on the runner)'
}

/** Finds, plans and logs: what main needs for the containers. */
export function runnerCertificates(goVersion: string, goEnv: Record<string, string>, log: { info: (l: string) => void; warning: (l: string) => void }, env: NodeJS.ProcessEnv = process.env): CaMounts {
  const found = findRunnerCaFiles(env)
  for (const p of found.problems) log.warning(p)
  const ca = planCaMounts(found.files, goVersion, goEnv)
  if (found.files.length > 0) log.info(describeCaMounts(found.files, ca.env))
  return ca
}
