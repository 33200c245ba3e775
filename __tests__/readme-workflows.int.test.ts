// The documentation's workflows (README.md, docs/*.md) run as a user copies them, under nektos/act (a real
// Actions runner implementation: jobs on this host, the action as a local copy
// bundled from src/, the test GitHub, the fixture module proxy and build images),
// with only what the test world needs changed (support/readme-workflows.ts,
// inTestWorld). What each run checks is in support/readme-cases.ts; workflows that
// cannot run here are listed there with the reason (NOT_RUN), and printed.
import { type ActWorld, startActWorld } from './support/act-world.js'
import { CASES, NOT_RUN } from './support/readme-cases.js'
import { workflowsById, yamlBlocks } from './support/readme-workflows.js'

const workflows = workflowsById(yamlBlocks())
let world: ActWorld
const started = Date.now()
const seconds: string[] = []

beforeAll(async () => {
  world = await startActWorld()
}, 600_000)

afterAll(async () => {
  await world?.close()
  console.log(
    [
      `README workflows under act: ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
      ...seconds,
      'Not run here:',
      ...Object.entries(NOT_RUN).map(([id, why]) => `- ${id}: ${why}`)
    ].join('\n')
  )
})

test.each(CASES.map(c => [`${c.id}${c.variant ? ` (${c.variant})` : ''}`, c] as const))('README workflow %s runs as written and does what it says', async (name, c) => {
  const block = workflows.get(c.id)
  if (!block) throw new Error(`no workflow marked ${c.id} in the documentation`)
  const { repository, payload, changes, env } = await c.setUp(world)
  const r = await world.run({ block, repository, event: c.event, payload, changes, env })
  seconds.push(`- ${name}: ${r.seconds.toFixed(1)} s`)
  await c.check(r, world, repository)
}, 600_000)
