// Fast track (config agent.fastTrack): after cleaning, a lab node's ramdisk stays up and its agent
// keeps heartbeating; a deploy then reuses that agent (no power cycle, no network boot, no new
// lookup) and writes the image at once. An agent that no longer answers is not reused: the deploy
// boots a new ramdisk. Through the real openstack client; the disk's bytes are checked.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { fileHead } from '../helpers/disk.js'
import { httpJson } from '../helpers/lab.js'
import { readLabState } from '../../src/lab/lab-state.js'

let server: FerrumProcess
let dir: string

interface NodeShow {
  provision_state: string
  power_state: string | null
  reservation: string | null
  last_error: string | null
  driver_internal_info: Record<string, unknown>
}
interface HistoryEntry { created_at: string; event: string; event_type: string; ferrum_phase?: string | null; ferrum_duration_ms?: number | null }

const show = (n: string) => baremetalJson<NodeShow>(server.url, ['node', 'show', n])
async function settled(n: string, what: string): Promise<NodeShow> {
  for (let i = 0; i < 600; i++) {
    const s = await show(n)
    if (s.reservation === null && !['deploying', 'wait call-back', 'cleaning', 'clean wait'].includes(s.provision_state)) return s
    await new Promise((r) => setTimeout(r, 250))
  }
  assert.fail(`${n}: ${what} not reached`)
}

/** This run's entries: everything after the last "-> deploying". */
/** Seconds from "-> deploying" to "-> active" of the last deploy (reported, not asserted). */
function deploySeconds(h: HistoryEntry[]): string {
  const end = h.find((e) => / -> active /.test(e.event))
  return end ? ((Date.parse(end.created_at) - Date.parse(h[0].created_at)) / 1000).toFixed(2) : '?'
}

async function lastDeploy(n: string): Promise<HistoryEntry[]> {
  const r = await fetch(`${server.url}/v1/nodes/${n}/history?detail=true`, { headers: { 'X-OpenStack-Ironic-API-Version': 'latest' } })
  const h = ((await r.json()) as { history: HistoryEntry[] }).history
  const at = h.map((e) => /-> deploying \(deploy\)/.test(e.event)).lastIndexOf(true)
  return h.slice(at)
}

const lookups = async (n: string) => ((await readFile(join(dir, 'lab', 'nodes', n, 'console.log'), 'utf8')).match(/ferrum-agent: found node/g) ?? []).length

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferrum-fast-track-'))
  const config = join(dir, 'config.json')
  writeFileSync(config, JSON.stringify({ agent: { fastTrack: true, fastTrackTimeoutS: 300 } }))
  server = await startFerrum({ dataDir: dir, args: ['--lab', '1', '--lab-kind', 'redfish', '--config', config], startTimeoutMs: 60_000 })
})
after(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('fast track: cleaning leaves the agent up; deploy reuses it without a power cycle; a dead agent is not reused', { timeout: 300_000 }, async (t) => {
  const name = 'lab-node-1'
  let n = await settled(name, 'available')
  assert.equal(n.provision_state, 'available', n.last_error ?? '')
  // The ramdisk stayed up after cleaning: powered on, its agent known and heartbeating.
  assert.equal(n.power_state, 'power on')
  assert.equal(typeof n.driver_internal_info.agent_url, 'string')
  const before = await lookups(name)
  assert.equal(before, 1, 'one ramdisk boot so far (the cleaning)')

  await baremetalOk(server.url, ['node', 'deploy', name])
  n = await settled(name, 'active')
  assert.equal(n.provision_state, 'active', n.last_error ?? '')
  const fast = await lastDeploy(name)
  t.diagnostic(`fast-track deploy: ${deploySeconds(fast)} s`)
  const phases = fast.filter((e) => e.event_type === 'phase').map((e) => e.ferrum_phase)
  assert.ok(phases.includes('write image'), phases.join(', '))
  for (const skipped of ['network boot', 'agent start']) assert.ok(!phases.includes(skipped), `fast track skipped "${skipped}": ${phases.join(', ')}`)
  assert.equal(await lookups(name), before, 'no new ramdisk boot for the deploy')
  const image = await readFile(join(dir, 'httpboot', 'images', 'lab-os.img'))
  const disk = await fileHead(join(dir, 'lab', 'nodes', name, 'disk0.raw'), image.length)
  assert.equal(createHash('sha256').update(disk).digest('hex'), createHash('sha256').update(image).digest('hex'))
  const console = await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')
  assert.match(console.slice(console.lastIndexOf('writing image')), /power on: booted from disk: ferrum-lab-linux/)

  // Undeploy: cleaning boots a ramdisk again, which stays up. Then the agent dies behind
  // Ferrum's back (the node is powered off at its BMC): the next deploy must not count on it.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  n = await settled(name, 'available again')
  assert.equal(n.provision_state, 'available', n.last_error ?? '')
  const lab = await readLabState(join(dir, 'lab'))
  const bmc = lab!.nodes[0].bmc
  const off = await httpJson('POST', `${bmc.url}${bmc.systemPath}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'ForceOff' }, user: bmc.username, password: bmc.password })
  assert.ok(off.status < 300, JSON.stringify(off))
  await baremetalOk(server.url, ['node', 'set', name, '--instance-info', `image_source=file://${join(dir, 'httpboot', 'images', 'lab-os.img')}`])
  const bootsBefore = await lookups(name)
  await baremetalOk(server.url, ['node', 'deploy', name])
  n = await settled(name, 'active after a fresh ramdisk')
  assert.equal(n.provision_state, 'active', n.last_error ?? '')
  const slow = await lastDeploy(name)
  t.diagnostic(`deploy with a fresh ramdisk: ${deploySeconds(slow)} s`)
  const again = slow.filter((e) => e.event_type === 'phase').map((e) => e.ferrum_phase)
  assert.ok(again.includes('network boot') && again.includes('agent start'), again.join(', '))
  assert.equal(await lookups(name), bootsBefore + 1, 'a new ramdisk booted for the deploy')
})
