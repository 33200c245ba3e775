import { createHash } from 'node:crypto'

/** In-memory state of the fake GitHub (see github-server.ts): repositories, tags, files, releases, assets. */

export interface FakeAsset {
  id: number
  name: string
  label: string | null
  state: 'uploaded' | 'starter' | 'new'
  content_type: string
  data: Buffer
  /** false: the asset has no digest (like assets from before GitHub computed them). */
  withDigest: boolean
  /** The digest the API reports instead of the bytes' own (a store that lies, or bytes corrupted after hashing). */
  wrongDigest?: string
  /** ISO time; the real time of the upload unless a test sets another. */
  created_at: string
}

export interface FakeRelease {
  id: number
  tag_name: string
  name: string
  draft: boolean
  prerelease: boolean
  published_at: string
  assets: FakeAsset[]
}

export interface FakeRepo {
  owner: string
  name: string
  /** Newest first, as tests add them. */
  tags: string[]
  /** Newest first. */
  releases: FakeRelease[]
  /** ref -> path -> content (a tag, or a commit's SHA) */
  files: Map<string, Map<string, string>>
  /** Branch -> the SHA of its head commit. */
  branches: Map<string, string>
  /** Commit SHAs (besides tags'), oldest first. */
  commits: string[]
}

export class FakeState {
  readonly repos = new Map<string, FakeRepo>()
  private nextId = 1000
  private clock = Date.UTC(2024, 0, 1)
  /** false: new uploads get no digest either. */
  digests = true

  id(): number {
    return this.nextId++
  }

  repo(fullName: string): FakeRepo {
    let r = this.repos.get(fullName)
    if (!r) {
      const [owner, name] = fullName.split('/')
      r = { owner, name, tags: [], releases: [], files: new Map(), branches: new Map(), commits: [] }
      this.repos.set(fullName, r)
    }
    return r
  }

  /** A tag (added as the newest) with files at it. */
  addTag(fullName: string, tag: string, files: Record<string, string> = {}): void {
    const r = this.repo(fullName)
    if (!r.tags.includes(tag)) r.tags.unshift(tag)
    const at = r.files.get(tag) ?? new Map<string, string>()
    for (const [p, c] of Object.entries(files)) at.set(p, c)
    r.files.set(tag, at)
  }

  /** A commit with files at it (its SHA made up from them), the new head of `branch` when given; returns its SHA. */
  addCommit(fullName: string, files: Record<string, string>, branch?: string): string {
    const r = this.repo(fullName)
    const sha = createHash('sha1').update(JSON.stringify([fullName, r.commits.length, files])).digest('hex')
    r.commits.push(sha)
    r.files.set(sha, new Map(Object.entries(files)))
    if (branch !== undefined) r.branches.set(branch, sha)
    return sha
  }

  /** A release (added as the newest; its tag too unless it exists). */
  addRelease(fullName: string, tag: string, opts: Partial<Pick<FakeRelease, 'draft' | 'prerelease' | 'name'>> = {}): FakeRelease {
    const r = this.repo(fullName)
    if (!r.tags.includes(tag)) this.addTag(fullName, tag)
    this.clock += 60_000
    const rel: FakeRelease = {
      id: this.id(),
      tag_name: tag,
      name: opts.name ?? tag,
      draft: opts.draft ?? false,
      prerelease: opts.prerelease ?? false,
      published_at: new Date(this.clock).toISOString(),
      assets: []
    }
    r.releases.unshift(rel)
    return rel
  }

  addAsset(release: FakeRelease, name: string, data: Buffer | string, opts: Partial<Pick<FakeAsset, 'state' | 'withDigest' | 'content_type' | 'created_at'>> = {}): FakeAsset {
    const asset: FakeAsset = {
      id: this.id(),
      name,
      label: null,
      state: opts.state ?? 'uploaded',
      content_type: opts.content_type ?? 'application/octet-stream',
      data: Buffer.from(data),
      withDigest: opts.withDigest ?? this.digests,
      created_at: opts.created_at ?? new Date().toISOString()
    }
    release.assets.push(asset)
    return asset
  }

  release(fullName: string, tag: string): FakeRelease | undefined {
    return this.repos.get(fullName)?.releases.find(r => r.tag_name === tag)
  }

  /** name -> content of a release's assets (uploaded ones), for assertions. */
  assets(fullName: string, tag: string): Map<string, Buffer> {
    const rel = this.release(fullName, tag)
    return new Map((rel?.assets ?? []).filter(a => a.state === 'uploaded').map(a => [a.name, a.data]))
  }

  /** Deletes a release's asset by name, as another job or a person would; true when there was one. */
  deleteAsset(fullName: string, tag: string, name: string): boolean {
    const rel = this.release(fullName, tag)
    const i = rel?.assets.findIndex(a => a.name === name) ?? -1
    if (!rel || i < 0) return false
    rel.assets.splice(i, 1)
    return true
  }

  findAsset(id: number): { repo: FakeRepo; release: FakeRelease; asset: FakeAsset } | undefined {
    for (const repo of this.repos.values()) {
      for (const release of repo.releases) {
        const asset = release.assets.find(a => a.id === id)
        if (asset) return { repo, release, asset }
      }
    }
    return undefined
  }
}
