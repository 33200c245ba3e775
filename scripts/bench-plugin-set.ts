// How long the set proof (src/verify/plugin-set.ts) takes for a server with
// 20 plugins on 4 platforms: reading the facts of 4 server binaries and 80
// plugin files, then 4 set proofs. Binaries of real weight: the gin server and
// the gin-webhook plugin of the benchmark fixtures (gin, plugin-api, about 75
// non-standard packages), built natively for linux-amd64 once through the
// module mirror (support/module-mirror.ts). Every platform folder holds 20
// copies of that plugin; each copy is given a plugin path of its own after
// reading, so no file is cut short by `plugin already loaded` and every
// fingerprint is compared (the work is the same per file for any architecture).
// The facts are read by positioned reads of the parts they need, `--concurrency`
// files at a time; "their bytes alone" is what reading the files whole costs.
//   npm run bench:plugin-set [-- --rounds 5] [-- --concurrency 4]
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { readBinaryFactsFromFile } from '../src/binary/facts.js'
import { mapConcurrent } from '../src/concurrency.js'
import { provePluginSet } from '../src/verify/plugin-set.js'
import { FIXTURES } from '../__tests__/support/fixture-binaries.js'
import { startModuleMirror } from '../__tests__/support/module-mirror.js'
import { median, numberArg } from './bench-common.js'

const run = promisify(execFile)
const PLATFORMS = ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386']
const PLUGINS = 20
const ROUNDS = numberArg('rounds', 5)
const CONCURRENCY = numberArg('concurrency', 4)

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-plugin-set-'))
const mirror = await startModuleMirror()
try {
  const env = { ...process.env, GOPROXY: mirror.url, GOSUMDB: 'off', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', CGO_ENABLED: '1', GOMODCACHE: path.join(tmp, 'mod') }
  const build = async (fixture: string, out: string, plugin: boolean): Promise<string> => {
    const dir = path.join(tmp, 'src', path.basename(fixture))
    fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true })
    if (plugin) {
      // Aligned like gomod-cap would: the server's version of every module both go.mod files require.
      const versions = (d: string): Map<string, string> =>
        new Map([...fs.readFileSync(path.join(d, 'go.mod'), 'utf8').matchAll(/^\s*(?:require\s+)?([a-z0-9./-]+\.[a-z]+\/[^\s]+)\s+(v[^\s]+)/gm)].map(m => [m[1], m[2]]))
      const server = versions(path.join(FIXTURES, 'gin-server'))
      const caps = [...versions(dir).keys()].filter(m => server.has(m)).map(m => `-require=${m}@${server.get(m)}`)
      await run('go', ['mod', 'edit', ...caps], { cwd: dir, env })
    }
    await run('go', ['build', ...(plugin ? ['-buildmode=plugin'] : []), '-ldflags=-w -s', '-o', out, '.'], { cwd: dir, env, maxBuffer: 16 << 20 })
    return out
  }
  const t0 = Date.now()
  const server = await build('gin-server', path.join(tmp, 'server'), false)
  const so = await build(path.join('plugins', 'gin-webhook'), path.join(tmp, 'gin-webhook.so'), true)
  console.error(`built in ${(Date.now() - t0) / 1000}s: server ${fs.statSync(server).size} bytes, plugin ${fs.statSync(so).size} bytes`)
  for (const p of PLATFORMS) {
    fs.mkdirSync(path.join(tmp, p, 'plugins'), { recursive: true })
    fs.copyFileSync(server, path.join(tmp, p, 'server'))
    for (let i = 0; i < PLUGINS; i++) fs.copyFileSync(so, path.join(tmp, p, 'plugins', `plugin-${String(i).padStart(2, '0')}.so`))
  }
  const reads: number[] = []
  const bytes: number[] = []
  const proofs: number[] = []
  // CPU time of the reading: on a loaded machine it says more than the wall time.
  const cpu: number[] = []
  let shared = 0
  const files = PLATFORMS.flatMap(p => [path.join(tmp, p, 'server'), ...fs.readdirSync(path.join(tmp, p, 'plugins')).map(n => path.join(tmp, p, 'plugins', n))])
  for (let round = 0; round < ROUNDS; round++) {
    // The bytes alone, for comparison: what any reader of whole files pays.
    const b0 = performance.now()
    await mapConcurrent(files, CONCURRENCY, f => fs.promises.readFile(f).then(b => b.length))
    bytes.push(performance.now() - b0)
    const r0 = performance.now()
    const c0 = process.cpuUsage()
    const facts = new Map((await mapConcurrent(files, CONCURRENCY, async f => [f, await readBinaryFactsFromFile(f, path.basename(f))] as const)).map(([f, x]) => [f, x]))
    const r1 = performance.now()
    const c1 = process.cpuUsage(c0)
    cpu.push((c1.user + c1.system) / 1000)
    for (const p of PLATFORMS) {
      const server = facts.get(path.join(tmp, p, 'server'))!
      const plugins = files.filter(f => f.startsWith(path.join(tmp, p, 'plugins'))).map((f, i) => ({ name: path.basename(f), facts: { ...facts.get(f)!, symbolPath: `github.com/bench/plugin-${i}` } }))
      const proof = provePluginSet({ server, witness: `server-${p}`, plugins, symbols: ['GetGotifyPluginInfo'] })
      if (!proof.passed) throw new Error(proof.summary)
      shared = proof.members[0].proof.shared
    }
    const r2 = performance.now()
    reads.push(r1 - r0)
    proofs.push(r2 - r1)
  }
  const ms = (x: number): string => `${x.toFixed(0)} ms`
  console.log(
    `${PLATFORMS.length} platforms x ${PLUGINS} plugins (${shared} packages shared with the server, ${ROUNDS} rounds, ${CONCURRENCY} files at a time, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}): ` +
      `reading the facts of ${files.length} files ${ms(median(reads))} (CPU ${ms(median(cpu))}; their bytes alone ${ms(median(bytes))}), the ${PLATFORMS.length} set proofs ${ms(median(proofs))}, together ${ms(median(reads.map((r, i) => r + proofs[i])))} (medians)`
  )
} finally {
  await mirror.close()
  fs.rmSync(tmp, { recursive: true, force: true })
}
