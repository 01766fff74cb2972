import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import pino from 'pino'
import { buildTestApp, faultOf, v } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'

let t: TestApp
let logged = ''
before(async () => {
  const sink = new Writable({ write(chunk, _enc, done) { logged += String(chunk); done() } })
  t = await buildTestApp({ log: pino({ level: 'debug' }, sink) })
})
after(async () => t.close())

function req(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, version = 'latest') {
  return t.app.inject({ method, url, headers: v(version), payload: body === undefined ? undefined : JSON.stringify(body) })
}

async function waitState(uuid: string, state: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const n = (await req('GET', `/v1/nodes/${uuid}`)).json()
    if (n.provision_state === state && n.reservation === null) return n
    await new Promise((r) => setTimeout(r, 20))
  }
  assert.fail(`node ${uuid} never reached ${state}`)
}

let seq = 0
/** A fake-hardware node parked in `wait call-back` (its deploy step waits, as for an agent), with one port. */
async function parkedNode(): Promise<{ uuid: string; mac: string }> {
  const mac = `52:54:00:aa:00:${(++seq).toString(16).padStart(2, '0')}`
  const n = (await req('POST', '/v1/nodes', { driver: 'fake-hardware', name: `rd-${seq}`, driver_info: { fake_step_wait: 'deploy.deploy' } })).json()
  assert.equal((await req('POST', '/v1/ports', { node_uuid: n.uuid, address: mac })).statusCode, 201)
  for (const [target, state] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'wait call-back']]) {
    assert.equal((await req('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target })).statusCode, 202)
    await waitState(n.uuid, state)
  }
  return { uuid: n.uuid, mac }
}

test('lookup by MAC issues the agent token once; later lookups and node show see it masked', async () => {
  const { uuid, mac } = await parkedNode()
  const first = await req('GET', `/v1/lookup?addresses=${mac.toUpperCase()},not-a-mac`)
  assert.equal(first.statusCode, 200, first.body)
  const a = first.json()
  assert.equal(a.node.uuid, uuid)
  assert.deepEqual(Object.keys(a.node).sort(), ['driver_internal_info', 'instance_info', 'properties', 'uuid'])
  assert.match(a.config.agent_token, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(a.config.agent_token_required, true)
  assert.equal(a.config.heartbeat_timeout, 300)
  const second = (await req('GET', `/v1/lookup?node_uuid=${uuid}`)).json()
  assert.equal(second.config.agent_token, '******')
  assert.equal(second.node.driver_internal_info.agent_secret_token, '******')
  const shown = (await req('GET', `/v1/nodes/${uuid}`)).json()
  assert.equal(shown.driver_internal_info.agent_secret_token, '******')
  assert.ok(!logged.includes(a.config.agent_token), 'the token appears in the log')
})

test('heartbeat: a forged or missing token is refused (400) and logged without the token; the right one is recorded (202)', async () => {
  const { uuid, mac } = await parkedNode()
  const token = (await req('GET', `/v1/lookup?addresses=${mac}`)).json().config.agent_token as string
  const forged = await req('POST', `/v1/heartbeat/${uuid}`, { callback_url: 'http://127.0.0.1:9999', agent_token: 'forged-token-value' })
  assert.equal(forged.statusCode, 400)
  assert.equal(faultOf(forged.body), 'Invalid or missing agent token received.')
  const missing = await req('POST', `/v1/heartbeat/${uuid}`, { callback_url: 'http://127.0.0.1:9999' })
  assert.equal(missing.statusCode, 400)
  assert.equal(faultOf(missing.body), 'Agent token is required for heartbeat processing.')
  assert.match(logged, /heartbeat refused: invalid or missing agent token/)
  assert.ok(!logged.includes('forged-token-value') && !logged.includes(token), 'a token appears in the log')
  assert.equal((await req('GET', `/v1/nodes/${uuid}`)).json().driver_internal_info.agent_url, undefined)

  const ok = await req('POST', `/v1/heartbeat/${uuid}`, { callback_url: 'http://127.0.0.1:9999', agent_token: token, agent_version: '10.0.0' })
  assert.equal(ok.statusCode, 202, ok.body)
  assert.equal(ok.body, '')
  const n = (await req('GET', `/v1/nodes/${uuid}`)).json()
  assert.equal(n.driver_internal_info.agent_url, 'http://127.0.0.1:9999')
  assert.equal(n.driver_internal_info.agent_version, '10.0.0')
  assert.equal(typeof n.driver_internal_info.agent_last_heartbeat, 'string')
  // The fake deploy has no agent: the node keeps waiting.
  assert.equal(n.provision_state, 'wait call-back')
  // Within one ramdisk boot the callback URL cannot change (someone else answering for the node).
  const moved = await req('POST', `/v1/heartbeat/${uuid}`, { callback_url: 'http://192.0.2.66:9999', agent_token: token })
  assert.equal(moved.statusCode, 400)
  assert.match(faultOf(moved.body), /Detected change in ramdisk provided "callback_url"/)
})

test('bad lookups and heartbeats get Ironic-style errors', async () => {
  const none = await req('GET', '/v1/lookup')
  assert.equal(none.statusCode, 400)
  assert.equal(faultOf(none.body), "At least one of 'addresses' and 'node_uuid' parameters is required")
  assert.equal((await req('GET', '/v1/lookup?addresses=52:54:00:ff:ff:ff')).statusCode, 404)
  // A node outside the lookup states is not found either (no hint that it exists).
  const idle = (await req('POST', '/v1/nodes', { driver: 'fake-hardware' })).json()
  await req('POST', '/v1/ports', { node_uuid: idle.uuid, address: '52:54:00:ab:00:01' })
  const notNow = await req('GET', '/v1/lookup?addresses=52:54:00:ab:00:01')
  assert.equal(notNow.statusCode, 404)
  assert.equal(faultOf(notNow.body), 'Resource could not be found.')
  assert.equal((await req('GET', `/v1/lookup?node_uuid=${idle.uuid}`, undefined, '1.21')).statusCode, 404)
  const badUrl = await req('POST', `/v1/heartbeat/${idle.uuid}`, { callback_url: 'not a url', agent_token: 'x' })
  assert.equal(badUrl.statusCode, 400)
  assert.equal(faultOf(badUrl.body), 'An issue with the supplied "callback_url" has been detected.')
  const noUrl = await req('POST', `/v1/heartbeat/${idle.uuid}`, { agent_token: 'x' })
  assert.equal(noUrl.statusCode, 400)
  assert.match(faultOf(noUrl.body), /callback_url/)
  assert.equal((await req('POST', '/v1/heartbeat/no-such-node', { callback_url: 'http://127.0.0.1:1', agent_token: 'x' })).statusCode, 404)
})

function inventory(macs: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    interfaces: macs.map((m, i) => ({ name: `eth${i}`, mac_address: m })),
    cpu: { count: 12, architecture: 'x86_64', model_name: 'Lab CPU' },
    memory: { total: 17179869184, physical_mb: 16384 },
    disks: [{ name: '/dev/vda', size: 3 * 1024 ** 3 }, { name: '/dev/vdb', size: 101 * 1024 ** 3 }, { name: '/dev/vdc', size: 500 * 1024 ** 3 }],
    boot: { current_boot_mode: 'uefi', pxe_interface: macs[0] },
    bmc_address: '0.0.0.0',
    ...extra,
  }
}

/** A fake-hardware node parked in `inspect wait` (its inspection waits, as for an agent), with one port. */
async function inspectingNode(): Promise<{ uuid: string; mac: string }> {
  const mac = `52:54:00:bb:00:${(++seq).toString(16).padStart(2, '0')}`
  const n = (await req('POST', '/v1/nodes', { driver: 'fake-hardware', name: `insp-${seq}`, driver_info: { fake_step_wait: 'inspect.inspect_hardware' }, properties: { capabilities: 'foo:bar' } })).json()
  assert.equal((await req('POST', '/v1/ports', { node_uuid: n.uuid, address: mac })).statusCode, 201)
  for (const [target, state] of [['manage', 'manageable'], ['inspect', 'inspect wait']]) {
    assert.equal((await req('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target })).statusCode, 202)
    await waitState(n.uuid, state)
  }
  return { uuid: n.uuid, mac }
}

test('continue_inspection: the inventory is stored, properties and ports set, and the node is manageable', async () => {
  const { uuid, mac } = await inspectingNode()
  const other = `52:54:00:bb:ff:${seq.toString(16).padStart(2, '0')}`
  const r = await req('POST', '/v1/continue_inspection', { inventory: inventory([mac.toUpperCase(), other]), logs: 'ramdisk log', extra_plugin: { a: 1 } })
  assert.equal(r.statusCode, 202, r.body)
  const answer = r.json()
  assert.equal(answer.node.uuid, uuid)
  assert.match(answer.config.agent_token, /^[A-Za-z0-9_-]{43}$/)
  const n = await waitState(uuid, 'manageable')
  const props = n.properties as Record<string, unknown>
  // local_gb: the smallest disk of at least 4 GiB (101 GiB) less 1 GiB, as Ironic's root-device hook.
  assert.deepEqual(props, { capabilities: 'foo:bar,boot_mode:uefi', cpus: 12, cpu_arch: 'x86_64', memory_mb: 16384, local_gb: 100 })
  assert.equal(typeof n.inspection_finished_at, 'string')
  const ports = (await req('GET', `/v1/ports?node=${uuid}&fields=address`)).json().ports.map((p: { address: string }) => p.address).sort()
  assert.deepEqual(ports, [mac, other].sort())
  const inv = await req('GET', `/v1/nodes/${uuid}/inventory`)
  assert.equal(inv.statusCode, 200)
  assert.equal(inv.json().inventory.cpu.count, 12)
  assert.deepEqual(inv.json().plugin_data, { logs: 'ramdisk log', extra_plugin: { a: 1 } })
  assert.equal((await req('GET', `/v1/nodes/${uuid}/inventory`, undefined, '1.80')).statusCode, 404)
  // The node no longer waits: the same data again finds nothing.
  assert.equal((await req('POST', '/v1/continue_inspection', { inventory: inventory([mac]) })).statusCode, 404)
})

test('continue_inspection: bad data and old versions get Ironic-style answers', async () => {
  const { uuid, mac } = await inspectingNode()
  const none = await req('POST', '/v1/continue_inspection', { inventory: { interfaces: [] } })
  assert.equal(none.statusCode, 400)
  assert.match(faultOf(none.body), /^Schema error for inspection data: \[\] is too short$/)
  const noInventory = await req('POST', '/v1/continue_inspection', { cpus: 4 })
  assert.equal(noInventory.statusCode, 400)
  assert.match(faultOf(noInventory.body), /inventory/)
  const junk = await req('POST', '/v1/continue_inspection', { inventory: { interfaces: [{ mac_address: 'junk' }], bmc_address: null } })
  assert.equal(junk.statusCode, 400)
  assert.equal(faultOf(junk.body), 'No lookup information provided')
  const unknown = await req('POST', '/v1/continue_inspection', { inventory: inventory(['52:54:00:ee:ee:ee']) })
  assert.equal(unknown.statusCode, 404)
  assert.equal((await req('POST', '/v1/continue_inspection', { inventory: inventory([mac]) }, '1.83')).statusCode, 404)
  // Its one query argument, node_uuid, is checked as Ironic checks it; nothing else is taken.
  assert.equal(faultOf((await req('POST', '/v1/continue_inspection?node_uuid=banana', { inventory: inventory([mac]) })).body), 'Expected UUID for node_uuid: banana')
  assert.equal(faultOf((await req('POST', '/v1/continue_inspection?colour=red', { inventory: inventory([mac]) })).body), 'Unexpected arguments: colour')
  // An agent that sends no version header (1.1) gets ironic-inspector's answer.
  const old = await t.app.inject({ method: 'POST', url: '/v1/continue_inspection', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ inventory: inventory([mac]) }) })
  assert.equal(old.statusCode, 202, old.body)
  assert.deepEqual(old.json(), { uuid })
  await waitState(uuid, 'manageable')
  const missing = await req('GET', `/v1/nodes/${(await req('POST', '/v1/nodes', { driver: 'fake-hardware' })).json().uuid}/inventory`)
  assert.equal(missing.statusCode, 404)
  assert.match(faultOf(missing.body), /^Node inventory record for node \d+ could not be found\.$/)
})
