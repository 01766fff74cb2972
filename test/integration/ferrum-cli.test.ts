import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
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
  return ferrumWith({ FERRUM_URL: server.url }, ...args)
}

/** `ferrum ARGS` with these environment variables (no config file of the user's is read). */
async function ferrumWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repoRoot(), 'bin', 'ferrum.js'), ...args], { env: { ...process.env, FERRUM_CONFIG: join(dir, 'no-config.yaml'), ...env }, timeout: 60_000 })
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
    // Not a terminal: the transitions as plain lines, then where it settled.
    const lines = r.stdout.trim().split('\n')
    assert.equal(lines.at(-1), `node cli-1 is ${state}`)
    assert.match(r.stdout, new RegExp(`^\\[ *[0-9.]+ s\\] (.*-> )?${state}( \\(target .*\\))?$`, 'm'))
  }
  const shown = await ferrum('node', 'show', 'cli-1', '--json')
  const node = JSON.parse(shown.stdout)
  assert.equal(node.provision_state, 'active')
  assert.equal(node.driver_info.ipmi_password, '******')
  assert.equal(node.instance_info.configdrive, '******')
  assert.equal(node.properties.cpus, 8)
  const list = await ferrum('node', 'list', '--long')
  assert.match(list.stdout, /cli-1\s+power on\s+active\s.*fake-hardware/)
  const history = await ferrum('node', 'history', 'cli-1')
  for (const step of ['enroll -> verifying', 'verifying -> manageable', 'manageable -> cleaning', 'cleaning -> available', 'available -> deploying', 'deploying -> active']) {
    assert.ok(history.stdout.includes(step), `history lacks "${step}":\n${history.stdout}`)
  }
  const undeploy = await ferrum('node', 'undeploy', 'cli-1', '--wait', '30')
  assert.equal(undeploy.code, 0, undeploy.stderr)
  assert.equal(undeploy.stdout.trim().split('\n').at(-1), 'node cli-1 is available')
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

/** A failed run: exit code 1 and exactly one line on stderr starting "ferrum: ", no stack trace. */
function oneLineError(r: { code: number; stdout: string; stderr: string }, re: RegExp): void {
  assert.equal(r.code, 1, `exit code: ${r.stdout}${r.stderr}`)
  const lines = r.stderr.trim().split('\n')
  assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`)
  assert.match(lines[0], /^ferrum: /)
  assert.doesNotMatch(r.stderr, /\n\s+at |\.js:\d+:\d+/)
  assert.match(lines[0], re)
}

test('ferrum CLI: bad input gives one line to act on and exit code 1', async () => {
  oneLineError(await ferrum('node', 'show', 'ghost'), /Node ghost could not be found.*\(check the name or UUID: ferrum node list\)/)
  await ferrum('node', 'create', '--driver', 'fake-hardware', '--name', 'cli-3')
  oneLineError(await ferrum('node', 'undeploy', 'cli-3'), /"enroll"/)
  oneLineError(await ferrumWith({ FERRUM_URL: 'http://127.0.0.1:1' }, 'node', 'list'), /cannot reach the Ferrum API at http:\/\/127\.0\.0\.1:1/)
  oneLineError(await ferrum('node', 'deploy', 'cli-3', '--wait', 'soon'), /--wait takes a number of seconds/)
  // A malformed config file names its file and line.
  const config = join(dir, 'bad-config.yaml')
  writeFileSync(config, 'url: http://127.0.0.1:6385\ntoken: a: b\n')
  oneLineError(await ferrumWith({ FERRUM_URL: undefined, FERRUM_CONFIG: config }, 'node', 'list'), new RegExp(`${config.replace(/[.]/g, '\\.')}:2: `))
  // The config file's URL is used when nothing else names one.
  writeFileSync(config, `url: ${server.url}\n`)
  const viaConfig = await ferrumWith({ FERRUM_URL: undefined, OS_ENDPOINT: undefined, FERRUM_CONFIG: config }, 'node', 'list')
  assert.equal(viaConfig.code, 0, viaConfig.stderr)
  assert.match(viaConfig.stdout, /cli-3/)
})

test('ferrum CLI: a server that wants credentials gets a message saying where to put them', async () => {
  let sawToken: string | undefined
  const guarded = createServer((req, res) => {
    sawToken = req.headers['x-auth-token'] as string | undefined
    res.writeHead(401, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error_message: JSON.stringify({ faultstring: 'The request you have made requires authentication.', faultcode: 'Client', debuginfo: null }) }))
  })
  await new Promise<void>((resolve) => guarded.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}`
    oneLineError(await ferrumWith({ FERRUM_URL: url }, 'node', 'list'), /requires authentication.*set token in .*config\.yaml or OS_TOKEN/)
    assert.equal(sawToken, undefined)
    const withToken = await ferrumWith({ FERRUM_URL: url, OS_TOKEN: 'tok-123' }, 'node', 'list')
    assert.equal(withToken.code, 1)
    assert.equal(sawToken, 'tok-123')
  } finally {
    guarded.close()
  }
})

test('ferrum node enroll: a whole file, or nothing', async () => {
  const file = join(dir, 'rack.yaml')
  writeFileSync(file, `nodes:
  - name: rack-1
    driver: fake-hardware
    properties: {cpus: 4}
    ports:
      - address: "52:54:00:e0:00:01"
  - name: rack-2
    driver: fake-hardware
    ports: [{address: "52:54:00:e0:00:02"}, {address: "52:54:00:e0:00:03", pxe_enabled: false}]
`)
  const ok = await ferrum('node', 'enroll', file, '--manage')
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /enrolled rack-1 \(\S+\) with 1 port\(s\)/)
  assert.match(ok.stdout, /enrolled rack-2 \(\S+\) with 2 port\(s\)/)
  assert.match(ok.stdout, /rack-2: manageable/)
  const ports = await ferrum('port', 'list', '--node', 'rack-2')
  assert.match(ports.stdout, /52:54:00:e0:00:02/)
  assert.match(ports.stdout, /52:54:00:e0:00:03/)

  // Malformed: refused whole, naming line and field; nothing was created.
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, 'nodes:\n  - name: bad-1\n    driver: fake-hardware\n  - name: bad-2\n    driver: ipmi\n    driver_info: {ipmi_address: 10.0.0.9}\n')
  oneLineError(await ferrum('node', 'enroll', bad), new RegExp(`${bad.replace(/[.]/g, '\\.')}:6: node "bad-2": driver_info\\.ipmi_username is missing`))
  writeFileSync(bad, 'nodes:\n  - name: bad-1\n    driver: fake-hardware\n    ports:\n      - address: "52:54:00:e0:00:09\n')
  oneLineError(await ferrum('node', 'enroll', bad), /bad\.yaml:\d+: not valid YAML or JSON/)
  // Existing names or MACs are refused before anything is created.
  writeFileSync(bad, 'nodes:\n  - name: bad-1\n    driver: fake-hardware\n  - name: bad-2\n    driver: fake-hardware\n    ports: [{address: "52:54:00:e0:00:01"}]\n')
  oneLineError(await ferrum('node', 'enroll', bad), /bad\.yaml:4: a port with MAC 52:54:00:e0:00:01 already exists; nothing was enrolled/)
  // The API refuses the second node: the first one, already created, is deleted again.
  writeFileSync(bad, 'nodes:\n  - name: bad-1\n    driver: fake-hardware\n    ports: [{address: "52:54:00:e0:00:0a"}]\n  - name: bad-2\n    driver: no-such-hardware\n')
  oneLineError(await ferrum('node', 'enroll', bad), /bad\.yaml:5: the API refused node "bad-2": .*no-such-hardware.*nothing was enrolled/)
  for (const name of ['bad-1', 'bad-2']) assert.equal((await ferrum('node', 'show', name)).code, 1, `${name} must not exist`)
  const orphan = await ferrum('port', 'show', '52:54:00:e0:00:0a')
  assert.equal(orphan.code, 1, 'the rolled-back node\'s port must be gone')
  oneLineError(await ferrum('node', 'enroll', join(dir, 'absent.yaml')), /cannot read .*absent\.yaml: no such file/)
})

test('ferrum completion bash: the script completes verbs in a real bash', async () => {
  const script = 'source <(node "$FERRUM" completion bash); COMP_WORDS=(ferrum node de); COMP_CWORD=2; _ferrum; echo "${COMPREPLY[*]}"; COMP_WORDS=(ferrum node deploy n1 --w); COMP_CWORD=4; _ferrum; echo "${COMPREPLY[*]}"'
  const r = await run('bash', ['-c', script], { env: { ...process.env, FERRUM: join(repoRoot(), 'bin', 'ferrum.js') } })
  assert.deepEqual(r.stdout.trim().split('\n'), ['delete deploy', '--wait'])
})

test('ferrum port, driver and conductor lists', async () => {
  await ferrum('node', 'create', '--driver', 'fake-hardware', '--name', 'cli-port')
  const created = await ferrum('port', 'create', '52:54:00:e1:00:01', '--node', 'cli-port')
  assert.equal(created.code, 0, created.stderr)
  const shown = await ferrum('port', 'show', '52:54:00:e1:00:01', '--json')
  assert.equal(JSON.parse(shown.stdout).address, '52:54:00:e1:00:01')
  assert.equal((await ferrum('port', 'delete', '52:54:00:e1:00:01')).code, 0)
  oneLineError(await ferrum('port', 'show', '52:54:00:e1:00:01'), /no port with MAC 52:54:00:e1:00:01 \(see: ferrum port list\)/)
  const drivers = await ferrum('driver', 'list')
  for (const d of ['fake-hardware', 'ipmi', 'redfish', 'idrac']) assert.match(drivers.stdout, new RegExp(`^${d}\\s+\\S+`, 'm'))
  const conductors = await ferrum('conductor', 'list', '--json')
  const list = JSON.parse(conductors.stdout) as { hostname: string; alive: boolean }[]
  assert.equal(list.length, 1)
  assert.equal(list[0].alive, true)
})
