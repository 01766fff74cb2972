import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { repoRoot, startFerrum } from '../helpers/ferrum-process.js'
import type { FerrumProcess } from '../helpers/ferrum-process.js'

const run = promisify(execFile)
let server: FerrumProcess
let dir: string

/** Runs `ferrum ARGS` against the test server; resolves with exit code and output, never throws. */
async function ferrum(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot(), 'bin', 'ferrum.js'), ...args], { env: { ...process.env, FERRUM_URL: server.url }, timeout: 60_000 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferrum-cli-'))
  server = await startFerrum({ dataDir: dir })
})
after(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('ferrum node: create, walk the lifecycle with --wait, list, history, undeploy', async () => {
  const created = await ferrum('node', 'create', '--driver', 'fake-hardware', '--name', 'cli-1', '--driver-info', 'ipmi_password=topsecret', '--property', 'cpus=8')
  assert.equal(created.code, 0, created.stderr)
  assert.match(created.stdout, /created node cli-1 .* in state enroll/)
  for (const [verb, state] of [['manage', 'manageable'], ['provide', 'available'], ['deploy', 'active']]) {
    const args = ['node', verb, 'cli-1', '--wait', '30']
    if (verb === 'deploy') args.push('--config-drive', '{"meta_data": {"hostname": "cli-1"}}')
    const r = await ferrum(...args)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), `node cli-1 is ${state}`)
  }
  const shown = await ferrum('node', 'show', 'cli-1', '--json')
  const node = JSON.parse(shown.stdout)
  assert.equal(node.provision_state, 'active')
  assert.equal(node.driver_info.ipmi_password, '******')
  assert.equal(node.instance_info.configdrive, '******')
  assert.equal(node.properties.cpus, 8)
  const list = await ferrum('node', 'list', '--long')
  assert.match(list.stdout, /cli-1\s+fake-hardware\s+power on\s+active/)
  const history = await ferrum('node', 'history', 'cli-1')
  for (const step of ['enroll -> verifying', 'verifying -> manageable', 'manageable -> cleaning', 'cleaning -> available', 'available -> deploying', 'deploying -> active']) {
    assert.ok(history.stdout.includes(step), `history lacks "${step}":\n${history.stdout}`)
  }
  const undeploy = await ferrum('node', 'undeploy', 'cli-1', '--wait', '30')
  assert.equal(undeploy.code, 0, undeploy.stderr)
  assert.equal(undeploy.stdout.trim(), 'node cli-1 is available')
})

test('ferrum node: errors a person can act on', async () => {
  const missing = await ferrum('node', 'deploy', 'ghost')
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /Node ghost could not be found/)
  const badVerb = await ferrum('node', 'power', 'blink', 'ghost')
  assert.equal(badVerb.code, 1)
  assert.match(badVerb.stderr, /unknown power action "blink": use on, off/)
  const badState = await ferrum('node', 'create', '--driver', 'fake-hardware', '--name', 'cli-2')
  assert.equal(badState.code, 0)
  const early = await ferrum('node', 'deploy', 'cli-2')
  assert.equal(early.code, 1)
  assert.match(early.stderr, /can not be performed .* "enroll"\. Allowed: manage/)
  const unreachable = await run(process.execPath, [join(repoRoot(), 'bin', 'ferrum.js'), 'node', 'list', '--url', 'http://127.0.0.1:1'], { timeout: 30_000 }).catch((e: { stderr: string }) => e)
  assert.match((unreachable as { stderr: string }).stderr, /cannot reach the Ferrum API at http:\/\/127\.0\.0\.1:1/)
})
