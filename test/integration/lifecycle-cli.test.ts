// The node lifecycle on fake-hardware, driven by the real `openstack baremetal` client against
// `ferrum up`. States are read back with the client; history (with Ferrum's fields) over HTTP.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetal, baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { apiOk, historyOf, sleep, stateChanges, waitState } from '../helpers/conductor-http.js'

let ferrum: FerrumProcess
let dataDir: string
let url: string
let seq = 0

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferrum-lifecycle-'))
  ferrum = await startFerrum({ dataDir, env: { FERRUM_CONDUCTOR__HOSTNAME: 'cli-conductor' } })
  url = ferrum.url
})
after(async () => {
  await ferrum?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

type Node = Record<string, unknown> & { uuid: string; provision_state: string }

const show = (node: string) => baremetalJson<Node>(url, ['node', 'show', node])

async function create(driverInfo: Record<string, string> = {}): Promise<string> {
  const name = `cli-${++seq}`
  const args = ['node', 'create', '--driver', 'fake-hardware', '--name', name]
  for (const [k, v] of Object.entries(driverInfo)) args.push('--driver-info', `${k}=${v}`)
  const n = await baremetalJson<Node>(url, args)
  assert.equal(n.provision_state, 'enroll')
  return name
}

/** Runs a verb without --wait, as scripts do, then reads the node back a second later. */
async function verbThenShow(node: string, args: string[], expected: string): Promise<Node> {
  await baremetalOk(url, ['node', ...args, node])
  await sleep(1000)
  const n = await show(node)
  assert.equal(n.provision_state, expected, `after "${args.join(' ')}" (no --wait) the node should be ${expected}: ${JSON.stringify(n.last_error)}`)
  return n
}

async function toAvailable(driverInfo: Record<string, string> = {}): Promise<string> {
  const name = await create(driverInfo)
  await baremetalOk(url, ['node', 'manage', name, '--wait', '30'])
  await baremetalOk(url, ['node', 'provide', name, '--wait', '30'])
  return name
}

test('enroll -> manage -> provide -> deploy --config-drive -> active -> rebuild -> undeploy -> available, without --wait', async () => {
  const name = await create()
  await verbThenShow(name, ['manage'], 'manageable')
  await verbThenShow(name, ['provide'], 'available')
  // This client takes a config drive as a file (gzipped, base64) or a JSON object.
  const drive = join(dataDir, 'configdrive.b64')
  writeFileSync(drive, gzipSync(Buffer.from('{"meta_data": {"hostname": "cli"}}')).toString('base64'))
  const active = await verbThenShow(name, ['deploy', '--config-drive', drive], 'active')
  assert.equal(active.power_state, 'power on')
  assert.equal((active.instance_info as Record<string, unknown>).configdrive, '******', 'stored, and masked as Ironic does')
  const rebuilt = await verbThenShow(name, ['rebuild', '--config-drive', '{"meta_data": {"hostname": "rebuilt"}}'], 'active')
  assert.equal((rebuilt.instance_info as Record<string, unknown>).configdrive, '******')
  const back = await verbThenShow(name, ['undeploy'], 'available')
  assert.equal(back.power_state, 'power off')
  assert.equal(back.reservation, null)
  const history = await historyOf(url, name)
  assert.deepEqual(stateChanges(history), [
    'enroll -> verifying', 'verifying -> manageable', 'manageable -> cleaning', 'cleaning -> available',
    'available -> deploying', 'deploying -> active', 'active -> deploying', 'deploying -> active',
    'active -> deleting', 'deleting -> cleaning', 'cleaning -> available',
  ])
  assert.ok(history.every((e) => e.event_type !== 'provisioning' || typeof e.ferrum_duration_ms === 'number'))
  assert.ok(history.every((e) => e.severity === 'INFO'))
})

test('manual clean with steps ends in manageable and runs exactly those steps', async () => {
  const name = await create()
  await baremetalOk(url, ['node', 'manage', name, '--wait', '30'])
  const steps = JSON.stringify([{ interface: 'deploy', step: 'erase_devices' }, { interface: 'bios', step: 'factory_reset' }])
  await baremetalOk(url, ['node', 'clean', name, '--clean-steps', steps, '--wait', '30'])
  const n = await show(name)
  assert.equal(n.provision_state, 'manageable')
  assert.equal(n.clean_step, null)
  assert.deepEqual(((n.driver_internal_info as Record<string, unknown>).fake_steps_run as string[]).slice(-2), ['deploy.erase_devices', 'bios.factory_reset'])
  assert.deepEqual(stateChanges(await historyOf(url, name)).slice(-2), ['manageable -> cleaning', 'cleaning -> manageable'])
})

test('maintenance: set with a reason refuses provide with a clear message; unset allows it', async () => {
  const name = await create()
  await baremetalOk(url, ['node', 'manage', name, '--wait', '30'])
  await baremetalOk(url, ['node', 'maintenance', 'set', name, '--reason', 'replacing a DIMM'])
  let n = await show(name)
  assert.deepEqual([n.maintenance, n.maintenance_reason], [true, 'replacing a DIMM'])
  const refused = await baremetal(url, ['node', 'provide', name])
  assert.notEqual(refused.code, 0)
  assert.match(refused.stderr, /maintenance mode \(replacing a DIMM\)/)
  await baremetalOk(url, ['node', 'maintenance', 'unset', name])
  await baremetalOk(url, ['node', 'provide', name, '--wait', '30'])
  n = await show(name)
  assert.deepEqual([n.maintenance, n.provision_state], [false, 'available'])
  const events = (await historyOf(url, name)).map((e) => e.event)
  assert.ok(events.includes('Maintenance set: replacing a DIMM') && events.includes('Maintenance unset'))
})

test('abort from each wait state (clean, inspect, deploy, rescue) and from clean hold', async () => {
  // Getting there goes over HTTP (quick); the abort and the read-back use the client.
  const verb = (n: string, target: string, extra: Record<string, unknown> = {}) => apiOk(url, 'PUT', `/v1/nodes/${n}/states/provision`, { target, ...extra })
  const toActive = async (n: string) => {
    await verb(n, 'provide')
    await waitState(url, n, 'available')
    await verb(n, 'deploy')
    await waitState(url, n, 'active')
  }
  const cases: { knob: Record<string, string>; start: (n: string) => Promise<unknown>; parked: string; failed: string }[] = [
    { knob: { fake_step_wait: 'erase_devices' }, start: (n) => verb(n, 'provide'), parked: 'clean wait', failed: 'clean failed' },
    { knob: { fake_step_hold: 'erase_devices' }, start: (n) => verb(n, 'provide'), parked: 'clean hold', failed: 'clean failed' },
    { knob: { fake_step_wait: 'inspect_hardware' }, start: (n) => verb(n, 'inspect'), parked: 'inspect wait', failed: 'inspect failed' },
    { knob: { fake_step_wait: 'deploy.deploy' }, start: async (n) => { await verb(n, 'provide'); await waitState(url, n, 'available'); await verb(n, 'deploy') }, parked: 'wait call-back', failed: 'deploy failed' },
    { knob: { fake_step_wait: 'rescue.rescue' }, start: async (n) => { await toActive(n); await verb(n, 'rescue', { rescue_password: 'pw' }) }, parked: 'rescue wait', failed: 'rescue failed' },
  ]
  for (const c of cases) {
    const n = await apiOk(url, 'POST', '/v1/nodes', { driver: 'fake-hardware', name: `cli-${++seq}`, driver_info: c.knob })
    const name = n.name as string
    await verb(name, 'manage')
    await waitState(url, name, 'manageable')
    await c.start(name)
    await waitState(url, name, c.parked)
    await baremetalOk(url, ['node', 'abort', name])
    await waitState(url, name, c.failed)
    const shown = await show(name)
    assert.equal(shown.provision_state, c.failed)
    assert.match(String(shown.last_error), /aborted on request/)
    const last = (await historyOf(url, name)).at(-1)!
    assert.equal(last.ferrum_error?.code, 'ABORTED', c.parked)
    assert.ok(last.ferrum_error!.phase.startsWith(c.parked))
  }
})

test('power on, off, reboot and a soft power off that times out', async () => {
  const name = await create({ fake_soft_power_ignored: 'true' })
  await baremetalOk(url, ['node', 'power', 'on', name])
  await sleep(1000)
  assert.equal((await show(name)).power_state, 'power on')
  await baremetalOk(url, ['node', 'reboot', name])
  await sleep(1000)
  const rebooted = await show(name)
  assert.equal(rebooted.power_state, 'power on')
  assert.equal((rebooted.driver_internal_info as Record<string, unknown>).fake_reboot_count, 1)
  await baremetalOk(url, ['node', 'power', 'off', '--soft', '--power-timeout', '1', name])
  const given = await waitState(url, name, 'enroll')
  assert.equal(given.target_power_state, null)
  const failed = await show(name)
  assert.equal(failed.power_state, 'power on')
  assert.match(String(failed.last_error), /soft power off/)
  assert.equal((await historyOf(url, name)).at(-1)!.ferrum_error?.code, 'POWER_TIMEOUT')
  await baremetalOk(url, ['node', 'power', 'off', name])
  await sleep(1000)
  const off = await show(name)
  assert.deepEqual([off.power_state, off.last_error], ['power off', null])
})

test('rescue and unrescue', async () => {
  const name = await toAvailable()
  await baremetalOk(url, ['node', 'deploy', name, '--wait', '30'])
  await baremetalOk(url, ['node', 'rescue', name, '--rescue-password', 'hunter2', '--wait', '30'])
  assert.equal((await show(name)).provision_state, 'rescue')
  await baremetalOk(url, ['node', 'unrescue', name, '--wait', '30'])
  assert.equal((await show(name)).provision_state, 'active')
  assert.deepEqual(stateChanges(await historyOf(url, name)).slice(-4), ['active -> rescuing', 'rescuing -> rescue', 'rescue -> unrescuing', 'unrescuing -> active'])
})

test('delete rules: an active node cannot be deleted, an available one can', async () => {
  const name = await toAvailable()
  await baremetalOk(url, ['node', 'deploy', name, '--wait', '30'])
  const refused = await baremetal(url, ['node', 'delete', name])
  assert.notEqual(refused.code, 0)
  assert.match(refused.stderr, /active/)
  assert.equal((await show(name)).provision_state, 'active')
  await baremetalOk(url, ['node', 'undeploy', name, '--wait', '30'])
  await baremetalOk(url, ['node', 'delete', name])
  const gone = await baremetal(url, ['node', 'show', name])
  assert.notEqual(gone.code, 0)
})

test('invalid verbs are rejected with the state and the allowed verbs', async () => {
  const name = await create()
  const r = await baremetal(url, ['node', 'deploy', name])
  assert.notEqual(r.code, 0)
  assert.match(r.stderr, /The requested action "(deploy|active)" can not be performed on node "[0-9a-f-]{36}" while it is in state "enroll"\. Allowed: manage\. \(HTTP 400\)/)
  const u = await baremetal(url, ['node', 'unrescue', name])
  assert.match(u.stderr, /"unrescue" can not be performed .* "enroll"/)
  assert.equal((await show(name)).provision_state, 'enroll')
  assert.deepEqual(stateChanges(await historyOf(url, name)), [], 'a refused verb changes nothing')
})

test('boot device, NMI and validate', async () => {
  const name = await create()
  await baremetalOk(url, ['node', 'boot', 'device', 'set', name, 'cdrom', '--persistent'])
  assert.deepEqual(await baremetalJson(url, ['node', 'boot', 'device', 'show', name]), { boot_device: 'cdrom', persistent: true })
  const supported = await baremetalJson<{ supported_boot_devices: string[] }>(url, ['node', 'boot', 'device', 'show', name, '--supported'])
  assert.ok(supported.supported_boot_devices.includes('pxe'))
  await baremetalOk(url, ['node', 'inject', 'nmi', name])
  const v = await baremetalJson<{ Interface: string; Result: boolean | null }[]>(url, ['node', 'validate', name])
  const byKind = Object.fromEntries(v.map((r) => [r.Interface, r.Result]))
  assert.equal(byKind.power, true)
  assert.equal(byKind.deploy, true)
})
