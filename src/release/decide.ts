import { InputError, StepError } from '../errors.js'
import { tagNameProblem } from './git-ref.js'

/** The upload input: `auto` uploads for a release event or a release-tag. */
export type UploadMode = 'auto' | 'true' | 'false'

export interface UploadDecision {
  upload: boolean
  tag?: string
  /** Logged as is. */
  reason: string
}

/**
 * Whether this run uploads, and to which release. Pure: the event comes in
 * as data.
 */
export function decideUpload(args: { upload: UploadMode; releaseTag?: string; eventName: string; payloadReleaseTag?: string }): UploadDecision {
  const { upload, releaseTag, eventName, payloadReleaseTag } = args
  // Code from a pull request is unreviewed and its token may be read-only: never publish it.
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    return { upload: false, reason: `not uploading: ${eventName} events never upload, whatever upload and release-tag say` }
  }
  if (upload === 'false') return { upload: false, reason: 'not uploading: upload is false' }

  const fromEvent = eventName === 'release' && payloadReleaseTag ? payloadReleaseTag : undefined
  const problem = fromEvent && !releaseTag ? tagNameProblem(fromEvent) : undefined
  if (problem) throw new StepError(`The release event's tag ${JSON.stringify(fromEvent)} is not a tag name (it ${problem}); set release-tag`)
  const tag = releaseTag || fromEvent
  if (tag) {
    const where = releaseTag ? `release-tag ${releaseTag}` : `the ${eventName} event's tag ${tag}`
    return { upload: true, tag, reason: `uploading to the release of ${where}` }
  }
  if (upload === 'true') {
    throw new InputError('release-tag', `upload is true but there is no release to upload to (the event is ${eventName}, not release)`, 'the tag of an existing release, or upload: auto')
  }
  return { upload: false, reason: `not uploading: the event is ${eventName}, not release, and release-tag is not set` }
}

/**
 * Candidate server versions (a `ref:` branch or commit, a local checkout) are
 * no published server release: their files go only to a release named by
 * release-tag, never to the release of a release event (whose files are for
 * the published server versions). `candidates`: their version labels. Pure.
 */
export function withholdCandidates(decision: UploadDecision, releaseTag: string | undefined, candidates: string[]): { decision: UploadDecision; withheld: string[]; note?: string } {
  if (!decision.upload || releaseTag || candidates.length === 0) return { decision, withheld: [] }
  const note = `not uploading the files of ${candidates.join(', ')}: a candidate server version (ref: or a local checkout) is uploaded only to the release named by release-tag, and release-tag is not set`
  return { decision, withheld: candidates, note }
}
