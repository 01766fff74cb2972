import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'

let t: TestApp
before(async () => {
  t = await buildTestApp()
})
after(async () => t.close())

function req(method: 'GET' | 'PUT', url: string, body?: unknown, version = 'latest') {
  return t.app.inject({ method, url, headers: v(version), payload: body === undefined ? undefined : JSON.stringify(body) })
}

async function fakeNode(extra: Record<string, unknown> = {}) {
  const r = await t.app.inject({ method: 'POST', url: '/v1/nodes', headers: v('latest'), payload: JSON.stringify({ driver: 'fake-hardware', ...extra }) })
  assert.equal(r.statusCode, 201, r.body)
  return r.json() as { uuid: string }
}

test('PUT states/raid stores a valid target_raid_config, shown in states; {} clears it', async () => {
  const n = await fakeNode()
  const cfg = { logical_disks: [{ size_gb: 100, raid_level: '1', is_root_volume: true }, { size_gb: 'MAX', raid_level: '5', disk_type: 'ssd' }] }
  assert.equal((await req('PUT', `/v1/nodes/${n.uuid}/states/raid`, cfg)).statusCode, 204)
  assert.deepEqual((await req('GET', `/v1/nodes/${n.uuid}/states`)).json().target_raid_config, cfg)
  assert.deepEqual((await req('GET', `/v1/nodes/${n.uuid}`)).json().target_raid_config, cfg)
  assert.equal((await req('PUT', `/v1/nodes/${n.uuid}/states/raid`, {})).statusCode, 204)
  assert.deepEqual((await req('GET', `/v1/nodes/${n.uuid}/states`)).json().target_raid_config, {})
})

test('PUT states/raid rejects configurations outside the logical disk schema', async () => {
  const n = await fakeNode()
  const bad: [unknown, RegExp][] = [
    [{ logical_disks: [{ size_gb: 10 }] }, /^RAID config validation error: 'raid_level' is a required property$/],
    [{ logical_disks: [{ size_gb: 10, raid_level: '7' }] }, /^RAID config validation error: '7' is not one of \['JBOD', '0', '1', '2', '5', '6', '1\+0', '5\+0', '6\+0'\]$/],
    [{ logical_disks: [{ size_gb: -1, raid_level: '1' }] }, /^RAID config validation error: -1 is less than the minimum of 0$/],
    [{ logical_disks: [{ size_gb: 10, raid_level: '1', colour: 'red' }] }, /\('colour' was unexpected\)/],
    [{ logical_disks: [] }, /^RAID config validation error: \[\] is too short$/],
    [{ logical_disks: [{ size_gb: 10, raid_level: '1', disk_type: 'tape' }] }, /^RAID config validation error: 'tape' is not one of /],
    [{ logical_disks: [{ size_gb: 10, raid_level: '1', is_root_volume: true }, { size_gb: 10, raid_level: '1', is_root_volume: true }] }, /root volume/],
  ]
  for (const [body, re] of bad) {
    const r = await req('PUT', `/v1/nodes/${n.uuid}/states/raid`, body)
    assert.equal(r.statusCode, 400, JSON.stringify(body))
    assert.match(faultOf(r.body), re)
  }
  const noRaid = await fakeNode({ raid_interface: 'no-raid' })
  assert.equal((await req('PUT', `/v1/nodes/${noRaid.uuid}/states/raid`, { logical_disks: [{ size_gb: 1, raid_level: '0' }] })).statusCode, 400)
  assert.equal((await req('PUT', `/v1/nodes/${n.uuid}/states/raid`, { logical_disks: [{ size_gb: 1, raid_level: '0' }] }, '1.11')).statusCode, 406)
})

test('logical_disk_properties of a driver describe every property', async () => {
  const r = await req('GET', '/v1/drivers/fake-hardware/raid/logical_disk_properties')
  assert.equal(r.statusCode, 200, r.body)
  for (const k of ['raid_level', 'size_gb', 'is_root_volume', 'physical_disks', 'controller']) assert.equal(typeof r.json()[k], 'string')
  assert.equal((await req('GET', '/v1/drivers/nope/raid/logical_disk_properties')).statusCode, 404)
})

test('BIOS settings of a fake BIOS: list, detail (1.74), one setting; follows applied settings', async () => {
  const n = await fakeNode()
  const list = (await req('GET', `/v1/nodes/${n.uuid}/bios`)).json()
  const names = list.bios.map((s: { name: string }) => s.name)
  assert.deepEqual(names, ['BootMode', 'LogicalProc', 'ProcVirtualization'])
  assert.deepEqual(Object.keys(list.bios[0]).sort(), ['created_at', 'links', 'name', 'updated_at', 'value'])
  const detail = (await req('GET', `/v1/nodes/${n.uuid}/bios?detail=true`)).json()
  assert.ok('allowable_values' in detail.bios[0] && 'read_only' in detail.bios[0])
  assert.equal((await req('GET', `/v1/nodes/${n.uuid}/bios?detail=true`, undefined, '1.73')).statusCode, 406)
  const one = (await req('GET', `/v1/nodes/${n.uuid}/bios/BootMode`)).json()
  assert.equal(one.BootMode.value, 'Uefi')
  assert.equal((await req('GET', `/v1/nodes/${n.uuid}/bios/Nope`)).statusCode, 404)
  // A setting applied by the BIOS interface shows up on the next read.
  const rec = (await t.store.nodes.getByUuid(n.uuid))!
  await t.store.nodes.update(rec.id, { driver_internal_info: { ...rec.driver_internal_info, fake_bios_settings: { BootMode: 'Bios', NewOne: 'x' } } })
  const after2 = (await req('GET', `/v1/nodes/${n.uuid}/bios`)).json()
  assert.equal(after2.bios.find((s: { name: string }) => s.name === 'BootMode').value, 'Bios')
  assert.ok(after2.bios.some((s: { name: string }) => s.name === 'NewOne'))
  assert.equal((await req('GET', `/v1/nodes/${n.uuid}/bios`, undefined, '1.39')).statusCode, 404)
  const none = await fakeNode({ bios_interface: 'no-bios' })
  assert.deepEqual((await req('GET', `/v1/nodes/${none.uuid}/bios`)).json(), { bios: [] })
})
