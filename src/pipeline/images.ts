/**
 * The server image of each server version (input server-image) with every
 * plugin of the run inside, and every with-plugins neighbour of each
 * platform: one image per version, however many plugins. Every version's
 * image is made, proven as a set against its own binary and started before
 * any is pushed, so a refusal in one version pushes nothing at all.
 */
import * as stepLog from '../step-log.js'
import * as path from 'node:path'
import { templateValues } from '../compile/plan.js'
import { StepError } from '../errors.js'
import type { ImageArtifact } from '../server-image/image-set.js'
import { type PreparedServerImage, prepareServerImage } from '../server-image/server-image.js'
import type { SetNeighbour } from '../verify/set-step.js'
import type { PluginGroup } from './plugins.js'
import type { VersionRun } from './run.js'
import { isVersionCompatible } from '../report/outcome.js'

// A plugin not required that failed a step stays out of the image, as out of the release.
const shipsFiles = (r: VersionRun): boolean => r.outcome.artifacts.length > 0 && isVersionCompatible(r.outcome)

export async function imageServerVersions(groups: PluginGroup[], neighbours: Map<string, SetNeighbour[]>, shipping: { upload: boolean; reason: string }): Promise<void> {
  const [{ rc }] = groups
  const { serverImage: settings, verifySymbols } = rc.ctx.inputs
  if (!settings.image) return
  const tags = [...new Set(groups.flatMap(g => g.runs.filter(r => shipsFiles(r)).map(r => r.server.release.tag)))]
  const made: PreparedServerImage[] = []
  try {
    for (const tag of tags) {
      const runs = groups.flatMap(g => g.runs.filter(r => r.server.release.tag === tag && shipsFiles(r)).map(r => ({ r, plugin: g.rc.plugin })))
      const artifacts: ImageArtifact[] = runs.flatMap(({ r, plugin }) =>
        r.outcome.builds.flatMap(b => (b.artifact ? [{ platform: b.job.platform, path: b.job.outputPath, name: b.artifact.name, plugin: { name: plugin.name, modulePath: plugin.modulePath } }] : []))
      )
      const [{ r: first }] = runs
      const image = await prepareServerImage({
        settings: { ...settings, image: settings.image },
        artifacts,
        neighbours: neighbours.get(tag) ?? [],
        symbols: verifySymbols,
        // {plugin} in image-tags is the one plugin's name (inputs.ts refuses it with several).
        valuesFor: p => templateValues(first.server.release, p, runs[0].plugin.name),
        shipping,
        workDir: path.join(first.build.dirs.scratch, 'server-image'),
        // The image's offers were read once per version, by the first plugin's run.
        offers: runs.find(x => x.r.imageOffers)?.r.imageOffers,
        log: line => stepLog.info(tags.length > 1 ? line.replace(/^\[server image/, `[server image ${tag}`) : line)
      })
      made.push(image)
      // The server runs a plugin it disabled (its config rejected): the image ships, the user is told.
      const start = image.result.start
      for (const w of start?.warnings ?? []) stepLog.warning(`server image ${tags.length > 1 ? `${tag} ` : ''}${start?.platform}: ${w}`)
      // One image per version: the report shows it once, on the version's first plugin.
      first.outcome.serverImage = image.result
      if (image.result.failure) throw new StepError(image.result.failure)
    }
    for (const image of made) {
      await image.push()
      if (image.result.failure) throw new StepError(image.result.failure)
    }
  } finally {
    for (const image of made) await image.dispose()
  }
}
