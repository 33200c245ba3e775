// Runs the bundled action (dist/index.js) on examples/hello-plugin, the way a
// runner would, against a fake GitHub and the fixture GOPROXY on 127.0.0.1 and
// the local Docker engine's gotify-style images (scripts/ci/build-images.sh).
// The plugin is copied first, so alignment does not edit the repository.
//   npm run example [-- --platforms linux-amd64,linux-arm64]
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as os from 'node:os'
import { ROOT, runAction, startWorld } from '../__tests__/support/action-harness.js'

const platforms = process.argv.includes('--platforms') ? process.argv[process.argv.indexOf('--platforms') + 1] : undefined
const world = await startWorld()
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'))
fs.cpSync(path.join(ROOT, 'examples', 'hello-plugin'), path.join(workspace, 'hello-plugin'), { recursive: true })
try {
  const run = await runAction({
    inputs: {
      'server-repository': 'gotify/server',
      'plugin-path': 'hello-plugin',
      token: 'local',
      'go-env': world.goEnv,
      ...(platforms ? { platforms } : {})
    },
    workspace,
    apiUrl: world.github.url
  })
  process.stdout.write(run.log)
  console.log('\n--- outputs')
  for (const [k, v] of Object.entries(run.outputs)) console.log(`${k}: ${v}`)
  console.log(`\n--- job summary\n${run.summary}`)
  console.log(`files in ${path.join(workspace, 'build')}`)
  process.exitCode = run.code
} finally {
  await world.close()
}
