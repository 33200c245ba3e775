/**
 * The environment of every program the action starts (git, go, docker, C
 * compilers, xz, tar, the cache worker): the runner's variables on an
 * allow-list, plus what the caller sets. Never the token or the runner's other
 * secrets (INPUT_*, ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_*,
 * GITHUB_TOKEN, a workflow's own `env:` secrets): a child may read a pull
 * request's files, and whatever it starts inherits what it has. Pure.
 */

/** Variables a child gets from the runner, as they are. */
export const INHERITED = [
  // Finding programs and a home (git and go read their global config and .netrc there), the user's name.
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  // Language and time zone of messages.
  'LANG',
  'LANGUAGE',
  'TZ',
  // The runner's network: proxies and its CA certificates (go's module downloads, the cache service).
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  // The docker CLI: which engine, its TLS, its config (registry logins stay in that file, never in the environment).
  'DOCKER_HOST',
  'DOCKER_CONFIG',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CONTEXT',
  'DOCKER_API_VERSION',
  // A rootless engine's socket lives in XDG_RUNTIME_DIR; git's global config may be in XDG_CONFIG_HOME.
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  // go fetching a private module over ssh.
  'SSH_AUTH_SOCK'
] as const

const INHERITED_SET: ReadonlySet<string> = new Set(INHERITED)

/** Whether the runner's variable `name` reaches children: the list above and the locale (LC_*). */
export function isInherited(name: string): boolean {
  return INHERITED_SET.has(name) || /^LC_[A-Z_]+$/.test(name)
}

/**
 * A child's environment: the allowed variables of `runner`, then `additions`
 * (what the action sets: go-env, GOCACHE, CC, ...), which may override them.
 */
export function childEnv(additions: Record<string, string | undefined> = {}, runner: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(runner)) if (v !== undefined && isInherited(k)) out[k] = v
  for (const [k, v] of Object.entries(additions)) if (v !== undefined) out[k] = v
  return out
}
