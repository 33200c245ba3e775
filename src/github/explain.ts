/**
 * Failed GitHub requests as the one line a user reads: what could not be
 * done, what GitHub answered, and what to do about it.
 */
import { StepError } from '../errors.js'
import { GitHubApiError } from './api.js'
import { isRateLimited, serverWaitMs } from './retry.js'

/** What the request needed: reading a repository, or changing its releases. */
export type Access = { kind: 'read'; repository: string } | { kind: 'write'; repository: string }

export function adviceFor(e: GitHubApiError, access: Access, now: number = Date.now()): string {
  const f = e.failure
  switch (f.kind) {
    case 'timeout':
      return 'GitHub did not answer in time; re-run the job later'
    case 'network':
      return `the GitHub API at ${e.baseUrl} could not be reached; re-run the job later (on GitHub Enterprise, check GITHUB_API_URL)`
    case 'status': {
      if (f.status === 401) return 'GitHub refused the token; check the token input (the default is ${{ github.token }})'
      if (f.status === 429 || (f.status === 403 && isRateLimited(f.headers))) {
        const wait = serverWaitMs(f.headers, now)
        const asks = wait !== undefined && wait > 0 ? ` (GitHub asks to wait ${wait >= 120_000 ? `${Math.ceil(wait / 60_000)} min` : `${Math.ceil(wait / 1000)} s`})` : ''
        return `GitHub rate-limited this job; re-run the job later${asks}`
      }
      if (f.status === 403) {
        return access.kind === 'write'
          ? `the token may not change the releases of ${access.repository}; give the job permissions: contents: write`
          : `the token may not read ${access.repository}; for a private repository pass a token that can read it in the token input`
      }
      if (f.status === 404 && access.kind === 'write') return `check that ${access.repository} exists and that the job has permissions: contents: write`
      if (f.status >= 500) return 'GitHub kept failing; re-run the job later'
      return ''
    }
  }
}

/** A GitHubApiError becomes a StepError of one line; anything else is returned as it is. */
export function explainApiError(e: unknown, what: string, access: Access): unknown {
  if (!(e instanceof GitHubApiError)) return e
  const advice = adviceFor(e, access)
  return new StepError(`Could not ${what} (${e.method} ${e.route}: ${e.detail})${advice ? `; ${advice}` : ''}`)
}
