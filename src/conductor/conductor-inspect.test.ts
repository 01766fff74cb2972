import { test, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../test/helpers/app.js'
import type { TestApp } from '../../test/helpers/app.js'
import { labMachine, PASSWORD, startBmc, USER } from '../../test/helpers/redfish.js'
import type { RunningBmc } from '../../test/helpers/redfish.js'

let t: TestApp
let bmc: RunningBmc
before(async () => {
  t = await buildTestApp()
  bmc = await startBmc({ machines: labMachine('inspect-me').machine, personality: 'generic' })
})
after(async () => {
  await t.close()
  await bmc.stop()
})

async function waitFor(node: string, state: string): Promise<Record<string, unknown>> {
  const end = Date.now() + 20_000
  for (;;) {
    const n = (await t.app.inject({ method: 'GET', url: `/v1/nodes/${node}`, headers: v('latest') })).json()
    if (n.provision_state === state && n.reservation === null) return n
    if (Date.now() > end) assert.fail(`node ${node} never reached ${state}: ${JSON.stringify({ state: n.provision_state, last_error: n.last_error })}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const provision = (node: string, target: string) => t.app.inject({ method: 'PUT', url: `/v1/nodes/${node}/states/provision`, headers: v('latest'), payload: { target } })

test('redfish inspection records the hardware and creates a port per discovered NIC', async () => {
  const created = await t.app.inject({
    method: 'POST', url: '/v1/nodes', headers: v('latest'),
    payload: { driver: 'redfish', name: 'inspect-me', driver_info: { redfish_address: bmc.url, redfish_system_id: '/redfish/v1/Systems/inspect-me', redfish_username: USER, redfish_password: PASSWORD } },
  })
  assert.equal(created.statusCode, 201, created.body)
  assert.equal(created.json().inspect_interface, 'redfish')
  assert.equal((await provision('inspect-me', 'manage')).statusCode, 202)
  await waitFor('inspect-me', 'manageable')
  assert.equal((await provision('inspect-me', 'inspect')).statusCode, 202)
  const n = await waitFor('inspect-me', 'manageable')
  const props = n.properties as Record<string, unknown>
  assert.equal(props.memory_mb, 16384)
  assert.equal(props.cpu_arch, 'x86_64')
  assert.ok(Number(props.local_gb) > 0, JSON.stringify(props))
  assert.ok(n.inspection_finished_at)
  const ports = (await t.app.inject({ method: 'GET', url: '/v1/nodes/inspect-me/ports?detail=True', headers: v('latest') })).json().ports as { address: string; pxe_enabled: boolean }[]
  assert.deepEqual(ports.map((p) => p.address).sort(), ['52:54:00:aa:00:01', '52:54:00:aa:00:02'])
  assert.equal(ports.filter((p) => p.pxe_enabled).length, 1)
  // Inspecting again creates no duplicates.
  assert.equal((await provision('inspect-me', 'inspect')).statusCode, 202)
  await waitFor('inspect-me', 'manageable')
  const again = (await t.app.inject({ method: 'GET', url: '/v1/nodes/inspect-me/ports', headers: v('latest') })).json().ports
  assert.equal(again.length, 2)
})

test('a retired node ends its tear-down in manageable and can not be provided', async () => {
  await t.app.inject({ method: 'POST', url: '/v1/nodes', headers: v('latest'), payload: { driver: 'fake-hardware', name: 'old-timer' } })
  for (const [verb, state] of [['manage', 'manageable'], ['provide', 'available'], ['deploy', 'active']]) {
    assert.equal((await provision('old-timer', verb)).statusCode, 202)
    await waitFor('old-timer', state)
  }
  // As in Ironic: not in "available" (409), and no reason without retired (400).
  const patch = (ops: unknown[]) => t.app.inject({ method: 'PATCH', url: '/v1/nodes/old-timer', headers: v('latest'), payload: ops })
  assert.equal((await provision('old-timer', 'undeploy')).statusCode, 202)
  await waitFor('old-timer', 'available')
  const early = await patch([{ op: 'replace', path: '/retired', value: true }])
  assert.equal(early.statusCode, 409, early.body)
  assert.match(faultOf(early.body), /^Node \S+ can not have 'retired' set in provision state 'available', the current state is 'available'$/)
  const reasonOnly = await patch([{ op: 'replace', path: '/retired_reason', value: 'why' }])
  assert.equal(reasonOnly.statusCode, 400, reasonOnly.body)
  assert.equal(faultOf(reasonOnly.body), 'The retired_reason field can only be set when retired is True')
  assert.equal((await provision('old-timer', 'active')).statusCode, 202)
  await waitFor('old-timer', 'active')
  const retire = await patch([{ op: 'replace', path: '/retired', value: true }, { op: 'replace', path: '/retired_reason', value: 'end of life' }])
  assert.equal(retire.statusCode, 200, retire.body)
  assert.equal((await provision('old-timer', 'undeploy')).statusCode, 202)
  const n = await waitFor('old-timer', 'manageable')
  assert.equal(n.retired_reason, 'end of life')
  const refused = await provision('old-timer', 'provide')
  assert.ok(refused.statusCode >= 400 && refused.statusCode < 500)
  assert.match(faultOf(refused.body), /retired/)
})

test('manage tells a wrong redfish_system_id apart from wrong credentials', async () => {
  const base = { redfish_address: bmc.url, redfish_username: USER }
  for (const [name, info, re] of [
    ['bad-system', { ...base, redfish_password: PASSWORD, redfish_system_id: '/redfish/v1/Systems/nope' }, /wrong redfish_system_id.*inspect-me/],
    ['bad-password', { ...base, redfish_password: 'wrong', redfish_system_id: '/redfish/v1/Systems/inspect-me' }, /wrong username or password/],
  ] as const) {
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/nodes', headers: v('latest'), payload: { driver: 'redfish', name, driver_info: info } })).statusCode, 201)
    assert.equal((await provision(name, 'manage')).statusCode, 202)
    const n = await waitFor(name, 'enroll')
    assert.match(String(n.last_error), re)
  }
})
