import { InputError } from '../../src/errors.js'
import { decideUpload } from '../../src/release/decide.js'

describe('decideUpload', () => {
  test.each(['pull_request', 'pull_request_target'])('%s never uploads, even with upload: true and a release-tag', eventName => {
    for (const upload of ['auto', 'true', 'false'] as const) {
      const d = decideUpload({ upload, releaseTag: 'v1.0.0', eventName, payloadReleaseTag: 'v1.0.0' })
      expect(d.upload).toBe(false)
      expect(d.tag).toBeUndefined()
      expect(d.reason).toContain(`${eventName} events never upload`)
    }
  })

  test('auto uploads on a release event, to the event tag', () => {
    expect(decideUpload({ upload: 'auto', eventName: 'release', payloadReleaseTag: 'v1.2.0' })).toEqual({ upload: true, tag: 'v1.2.0', reason: "uploading to the release of the release event's tag v1.2.0" })
  })

  test('auto uploads when release-tag is set, whatever the event; release-tag wins over the event', () => {
    expect(decideUpload({ upload: 'auto', releaseTag: 'v2', eventName: 'workflow_dispatch' })).toMatchObject({ upload: true, tag: 'v2' })
    expect(decideUpload({ upload: 'auto', releaseTag: 'v2', eventName: 'release', payloadReleaseTag: 'v1' })).toMatchObject({ upload: true, tag: 'v2' })
  })

  test('auto does not upload on a push without release-tag, and says why', () => {
    expect(decideUpload({ upload: 'auto', eventName: 'push' })).toEqual({ upload: false, reason: 'not uploading: the event is push, not release, and release-tag is not set' })
  })

  test('false never uploads', () => {
    expect(decideUpload({ upload: 'false', eventName: 'release', payloadReleaseTag: 'v1' })).toMatchObject({ upload: false })
  })

  test('true without any tag is an input error on release-tag', () => {
    const call = (): unknown => decideUpload({ upload: 'true', eventName: 'push' })
    expect(call).toThrow(InputError)
    expect(call).toThrow("Input 'release-tag': upload is true but there is no release to upload to (the event is push, not release); accepted: the tag of an existing release, or upload: auto")
    expect(decideUpload({ upload: 'true', eventName: 'push', releaseTag: 'v3' })).toMatchObject({ upload: true, tag: 'v3' })
  })

  test("a release event's tag is checked by git's rules too, before any request", () => {
    expect(() => decideUpload({ upload: 'auto', eventName: 'release', payloadReleaseTag: 'v1/../../x' })).toThrow(/tag "v1\/..\/..\/x" is not a tag name \(it contains ".."\); set release-tag/)
  })
})
