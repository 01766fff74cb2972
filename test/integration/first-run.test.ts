// A newcomer's first run, as README tells it, in a temporary directory: `ferrum up --lab 3`
// (the embedded SQLite default), then the README's walkthrough lines one by one, each checked.
// Then two terminal tests in tmux against the same server: `ferrum node deploy … --wait` draws
// the live view (states, a progress bar with rate and ETA, 100 %), and `ferrum top` draws the
// fleet and reacts to keys.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, repoRoot } from '../helpers/ferrum-process.js'
import { baremetalOk } from '../helpers/openstack-cli.js'

const run = promisify(execFile)
let root: string
let work: string
let port: number
let up: ChildProcess
let upOut = ''
let upGone = false
let env: NodeJS.ProcessEnv
const TMUX_SOCKET = `ferrum-test-${process.pid}`
/** The terminal test's image: big enough that the agent reports the write while it runs (every second). */
const IMAGE_MIB = 384

/** The README's walkthrough block: its command lines, comments stripped. */
function walkthrough(): string[] {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8')
  const m = /<!-- walkthrough[^>]*-->\s*```sh\n([\s\S]*?)```\s*<!-- \/walkthrough -->/.exec(readme)
  assert.ok(m, 'README has a walkthrough block between <!-- walkthrough --> and <!-- /walkthrough -->')
  return m[1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '')
}

async function waitFor<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) assert.fail(`${what} not seen within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ferrum-first-run-'))
  work = join(root, 'work')
  const bin = join(root, 'bin')
  mkdirSync(work)
  mkdirSync(bin)
  // As after `npm link`: a `ferrum` on PATH that is the package's bin/ferrum.js.
  symlinkSync(join(repoRoot(), 'bin', 'ferrum.js'), join(bin, 'ferrum'))
  port = await freePort()
  env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, FERRUM_LOG_LEVEL: 'warn', FERRUM_CONFIG: join(root, 'no-config.yaml') }
  delete env.FERRUM_URL
  delete env.OS_ENDPOINT
  // README's first command is `… node bin/ferrum.js up --lab 3`; on a free port instead of 6385.
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8')
  assert.match(readme, /```sh\nnpm ci && npm run build && node bin\/ferrum\.js up --lab 3\n```/)
  up = spawn(join(bin, 'ferrum'), ['up', '--lab', '3', '--port', String(port)], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] })
  up.stdout!.setEncoding('utf8').on('data', (d: string) => (upOut += d))
  up.stderr!.setEncoding('utf8').on('data', (d: string) => (upOut += d))
  up.once('exit', () => (upGone = true))
  await waitFor('"Next, in another terminal" from ferrum up', 240_000, () => {
    if (upGone) assert.fail(`ferrum up exited:\n${upOut}`)
    return /Or with the OpenStack client:[\s\S]*--wait 120\n/.test(upOut) ? true : undefined
  })
})

after(async () => {
  await run('tmux', ['-L', TMUX_SOCKET, 'kill-server']).catch(() => undefined)
  if (up && !upGone) {
    up.kill('SIGTERM')
    await waitFor('ferrum up to exit', 30_000, () => (upGone ? true : undefined)).catch(() => up.kill('SIGKILL'))
  }
  rmSync(root, { recursive: true, force: true })
})

/** What each walkthrough command must show; a README line without an entry here fails the test. */
const EXPECT: { cmd: RegExp; check: (out: string) => void }[] = [
  { cmd: /^export FERRUM_URL=/, check: () => undefined },
  {
    cmd: /^ferrum node list$/,
    check: (out) => {
      for (const n of ['lab-node-1', 'lab-node-2', 'lab-node-3']) assert.match(out, new RegExp(`^${n}\\s+power off\\s+available\\s`, 'm'))
    },
  },
  {
    cmd: /^ferrum node deploy lab-node-1 --wait$/,
    check: (out) => {
      assert.match(out, /\] available -> deploying \(target active\)$/m)
      assert.match(out, /phase: write image$/m)
      assert.match(out, /write image 100% \| 64\.0 MiB in [0-9.]+ s \([0-9.]+ [KMG]i?B\/s\)$/m)
      assert.match(out, /-> active$/m)
      assert.equal(out.trim().split('\n').at(-1), 'node lab-node-1 is active')
    },
  },
  { cmd: /^ferrum lab status$/, check: (out) => assert.match(out, /^lab-node-1\s.*booted from disk: ferrum-lab-linux \(GPT, disk0\)/m) },
  {
    cmd: /^ferrum node timeline lab-node-1$/,
    check: (out) => {
      for (const phase of ['power on', 'network boot', 'agent start', 'write image', 'boot loader', 'boot instance']) {
        assert.match(out, new RegExp(`^${phase}\\s+█+\\s+[0-9.]+ s\\s+\\d+%`, 'm'), `timeline shows ${phase}:\n${out}`)
      }
      assert.match(out, /^total\s+[0-9.]+ s/m)
    },
  },
  { cmd: /^ferrum node undeploy lab-node-1 --wait$/, check: (out) => assert.equal(out.trim().split('\n').at(-1), 'node lab-node-1 is available') },
]

test('first run: `ferrum up --lab 3` prints what to type next, and README\'s walkthrough works line by line', { timeout: 600_000 }, async () => {
  const lines = walkthrough()
  // What `ferrum up` told the newcomer to type is what README says (on README's port).
  const told = upOut.replaceAll(`:${port}`, ':6385').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim())
  for (const l of lines) assert.ok(told.includes(l), `ferrum up does not print "${l}":\n${upOut}`)
  const exports: string[] = []
  for (const line of lines) {
    const expectation = EXPECT.find((e) => e.cmd.test(line))
    assert.ok(expectation, `the walkthrough line "${line}" has no expectation in this test`)
    const script = line.replaceAll(':6385', `:${port}`)
    if (script.startsWith('export ')) {
      exports.push(script)
      continue
    }
    const r = await run('bash', ['-c', [...exports, script].join('\n')], { cwd: work, env, timeout: 300_000 }).catch((e: { code?: number; stdout?: string; stderr?: string }) => {
      assert.fail(`"${line}" failed (exit ${e.code}):\n${e.stdout ?? ''}${e.stderr ?? ''}`)
    })
    expectation.check(r.stdout)
  }
  // The phases the timeline drew are history events any client of the API sees.
  const { history } = await api<{ history: { event: string; event_type: string; ferrum_phase: string | null; ferrum_duration_ms: number | null }[] }>('/v1/nodes/lab-node-1/history?detail=true')
  const phases = history.filter((h) => h.event_type === 'phase')
  const write = phases.find((h) => h.ferrum_phase === 'write image')
  assert.ok(write && (write.ferrum_duration_ms ?? 0) > 0, JSON.stringify(phases))
  assert.match(write.event, /^Phase write image: [0-9.]+ s \(64\.0 MiB at [0-9.]+ MiB\/s\)$/)
  for (const p of ['power on', 'network boot', 'agent start', 'boot loader', 'ramdisk off', 'boot instance', 'erase metadata', 'erase disks']) {
    assert.ok(phases.some((h) => h.ferrum_phase === p), `history has phase "${p}"`)
  }
  const listed = await baremetalOk(`http://127.0.0.1:${port}`, ['node', 'history', 'list', 'lab-node-1', '-f', 'value', '-c', 'Description of the event'])
  assert.match(listed.stdout, /^Phase write image: [0-9.]+ s \(64\.0 MiB at /m)
})

/** tmux on a socket of this test's own; panes are sized so the views fit. */
function tmux(...args: string[]) {
  return run('tmux', ['-L', TMUX_SOCKET, ...args], { env: { ...env, FERRUM_URL: `http://127.0.0.1:${port}` } })
}
const pane = async (name: string) => (await tmux('capture-pane', '-p', '-t', name)).stdout
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n')

async function api<T>(path: string): Promise<T> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'X-OpenStack-Ironic-API-Version': 'latest' } })
  return (await r.json()) as T
}

test('terminal: `ferrum node deploy --wait` shows the states and a progress bar with rate and ETA up to 100 %', { timeout: 600_000 }, async () => {
  const image = randomBytes(IMAGE_MIB * 1024 * 1024)
  writeFileSync(join(work, 'ferrum-data', 'httpboot', 'images', 'big.img'), image)
  const sha = createHash('sha256').update(image).digest('hex')
  const node = await api<{ instance_info: { image_source: string } }>('/v1/nodes/lab-node-2')
  const url = node.instance_info.image_source.replace(/lab-os\.img$/, 'big.img')
  assert.notEqual(url, node.instance_info.image_source)
  const raw = join(root, 'deploy-pane.log')
  await tmux('new-session', '-d', '-s', 'deploy', '-x', '150', '-y', '45', '-c', work, 'bash --norc --noprofile')
  await tmux('pipe-pane', '-o', '-t', 'deploy', `cat >> ${raw}`)
  await tmux('send-keys', '-t', 'deploy', `ferrum node deploy lab-node-2 --image ${url} --image-checksum ${sha} --wait 400; echo "EXIT=$?"`, 'Enter')
  const screen = await waitFor('the deploy to end', 420_000, async () => {
    const s = await pane('deploy')
    return /EXIT=\d+/.test(s) ? s : undefined
  })
  assert.match(screen, /EXIT=0/, screen)
  assert.match(screen, /available -> deploying \(target active\)/)
  assert.match(screen, /phase: write image/)
  // The bar gave way to a line that stays, at 100 %.
  assert.match(screen, new RegExp(`write image \\[=+\\] 100% \\| ${IMAGE_MIB}\\.0 MiB in [0-9.]+ s`))
  assert.match(screen, /node lab-node-2 is active/)
  // While it wrote, the terminal showed a live bar: a share under 100 % with size, rate and ETA.
  const stream = plain(readFileSync(raw, 'utf8'))
  const live = [...stream.matchAll(/write image \[[^\]]*\] (\d+)% \| ([0-9.]+ [KMG]iB) of ([0-9.]+ [KMG]iB) \| ([0-9.]+ [KMG]iB\/s) \| ETA (\S+)/g)]
  assert.ok(live.some((m) => Number(m[1]) > 0 && Number(m[1]) < 100), `no live progress frame under 100 % in:\n${stream.slice(-3000)}`)
  assert.ok(live.every((m) => m[3] === `${IMAGE_MIB}.0 MiB`), 'the bar shows the image size')
  const shown = await api<{ provision_state: string; instance_info: { image_source: string } }>('/v1/nodes/lab-node-2')
  assert.equal(shown.provision_state, 'active')
  assert.equal(shown.instance_info.image_source, url)
})

test('terminal: Ctrl-C stops the waiting, not the deploy', { timeout: 300_000 }, async () => {
  // A slow BMC keeps the deploy in its first phases long enough to interrupt it there.
  await run('bash', ['-c', 'ferrum lab fault lab-node-3 --latency-ms 400'], { cwd: work, env })
  await tmux('new-session', '-d', '-s', 'ctrlc', '-x', '150', '-y', '45', '-c', work, 'bash --norc --noprofile')
  await tmux('send-keys', '-t', 'ctrlc', 'ferrum node deploy lab-node-3 --wait; echo "EXIT=$?"', 'Enter')
  await waitFor('the deploy under way', 60_000, async () => (/available -> deploying/.test(await pane('ctrlc')) ? true : undefined))
  await tmux('send-keys', '-t', 'ctrlc', 'C-c')
  const screen = await waitFor('the CLI to stop waiting', 20_000, async () => {
    const s = await pane('ctrlc')
    return /EXIT=\d+/.test(s) ? s : undefined
  })
  assert.match(screen, /stopped waiting; node lab-node-3 goes on \(now "[a-z -]+"\)\. Follow it with: ferrum node show lab-node-3/)
  assert.match(screen, /EXIT=130/)
  await run('bash', ['-c', 'ferrum lab fault lab-node-3 --latency-ms 0'], { cwd: work, env })
  const done = await waitFor('lab-node-3 active without the CLI', 240_000, async () => {
    const n = await api<{ provision_state: string; target_provision_state: string | null }>('/v1/nodes/lab-node-3')
    return n.target_provision_state === null ? n : undefined
  })
  assert.equal(done.provision_state, 'active')
})

test('terminal: `ferrum top` draws the fleet and reacts to keys', { timeout: 120_000 }, async () => {
  await tmux('new-session', '-d', '-s', 'top', '-x', '150', '-y', '45', '-c', work, 'bash --norc --noprofile')
  await tmux('send-keys', '-t', 'top', 'ferrum top --interval 0.5; echo "EXIT=$?"', 'Enter')
  const fleet = await waitFor('the fleet view', 30_000, async () => {
    const s = await pane('top')
    return /view: all \(3\)/.test(s) && /lab-node-3/.test(s) ? s : undefined
  })
  assert.match(fleet, /ferrum top {2}http:\/\/127\.0\.0\.1:\d+/)
  assert.match(fleet, /3 nodes: .*\| queue \(busy\): \d+ \| failures: \d+/)
  assert.match(fleet, /^>\s+lab-node-1\s/m)
  assert.match(fleet, /lab-node-2\s+power on\s+active/)
  // f: the next view (busy nodes only).
  await tmux('send-keys', '-t', 'top', 'f')
  await waitFor('the busy view', 10_000, async () => (/view: busy \(\d+\)/.test(await pane('top')) ? true : undefined))
  await tmux('send-keys', '-t', 'top', 'f', 'f', 'f')
  await waitFor('back to all', 10_000, async () => (/view: all \(3\)/.test(await pane('top')) ? true : undefined))
  // Down, Enter: lab-node-2 opens with its fields and last events.
  await tmux('send-keys', '-t', 'top', 'Down', 'Enter')
  const opened = await waitFor('lab-node-2 opened', 10_000, async () => {
    const s = await pane('top')
    return /node lab-node-2 {3}keys: Esc back/.test(s) ? s : undefined
  })
  assert.match(opened, /provision_state\s+active/)
  assert.match(opened, /last events:/)
  await tmux('send-keys', '-t', 'top', 'Escape')
  await waitFor('the fleet again', 10_000, async () => (/view: all \(3\)/.test(await pane('top')) ? true : undefined))
  await tmux('send-keys', '-t', 'top', 'q')
  await waitFor('top to quit', 10_000, async () => (/EXIT=0/.test(await pane('top')) ? true : undefined))
})

