import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'
import { call, enrollNode, mac } from '../../../test/helpers/api-fixture.js'

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await buildTestApp()
  try {
    await fn(t)
  } finally {
    await t.close()
  }
}

test('port groups: create, show by UUID or name, list, patch, delete', () => withApp(async (t) => {
  const node = await enrollNode(t, 'n1')
  const r = await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: node.uuid, name: 'bond0', address: 'AA:BB:CC:00:00:01', properties: { miimon: 100 } } })
  assert.equal(r.status, 201, r.fault)
  assert.equal(r.body.address, 'aa:bb:cc:00:00:01')
  assert.equal(r.body.mode, 'active-backup')
  assert.equal(r.body.standalone_ports_supported, true)
  assert.deepEqual(r.body.properties, { miimon: 100 })
  assert.match(r.body.ports[0].href, new RegExp(`/v1/portgroups/${r.body.uuid}/ports$`))
  assert.match(String(r.headers.location), new RegExp(`/v1/portgroups/${r.body.uuid}$`))

  assert.equal((await call(t, 'GET', '/v1/portgroups/bond0')).body.uuid, r.body.uuid)
  assert.equal((await call(t, 'GET', `/v1/portgroups/${r.body.uuid}`)).body.name, 'bond0')
  const list = await call(t, 'GET', '/v1/portgroups')
  assert.deepEqual(Object.keys(list.body.portgroups[0]).sort(), ['address', 'links', 'name', 'uuid'])
  assert.equal((await call(t, 'GET', '/v1/portgroups/detail')).body.portgroups[0].node_uuid, node.uuid)
  assert.equal((await call(t, 'GET', '/v1/nodes/n1/portgroups')).body.portgroups.length, 1)
  assert.equal((await call(t, 'GET', `/v1/portgroups?node=${node.uuid}`)).body.portgroups.length, 1)
  assert.equal((await call(t, 'GET', '/v1/portgroups?address=aa:bb:cc:00:00:01')).body.portgroups.length, 1)
  assert.equal((await call(t, 'GET', '/v1/portgroups?address=aa:bb:cc:00:00:02')).body.portgroups.length, 0)
  const fields = await call(t, 'GET', '/v1/portgroups/bond0?fields=mode')
  assert.deepEqual(Object.keys(fields.body).sort(), ['links', 'mode'])

  const p = await call(t, 'PATCH', '/v1/portgroups/bond0', { body: [
    { op: 'replace', path: '/mode', value: '802.3ad' }, { op: 'replace', path: '/name', value: 'bond1' }, { op: 'add', path: '/extra/x', value: 1 },
  ] })
  assert.equal(p.status, 200, p.fault)
  assert.equal(p.body.mode, '802.3ad')
  assert.equal(p.body.name, 'bond1')
  const noMode = await call(t, 'PATCH', '/v1/portgroups/bond1', { body: [{ op: 'remove', path: '/mode' }] })
  assert.equal(noMode.status, 400)
  assert.match(noMode.fault, /mode/)
  assert.equal((await call(t, 'PATCH', '/v1/portgroups/bond1', { body: [{ op: 'replace', path: '/name', value: 'bad name' }] })).status, 400)
  assert.equal((await call(t, 'PATCH', '/v1/portgroups/bond1', { body: [{ op: 'replace', path: '/uuid', value: r.body.uuid }] })).status, 400)

  assert.equal((await call(t, 'DELETE', '/v1/portgroups/bond1')).status, 204)
  const gone = await call(t, 'GET', '/v1/portgroups/bond1')
  assert.equal(gone.status, 404)
  assert.match(gone.fault, /Portgroup bond1 could not be found/)
  assert.equal((await call(t, 'GET', '/v1/portgroups/bad%20name')).status, 400)
}))

test('port groups: validation and duplicates', () => withApp(async (t) => {
  const node = await enrollNode(t)
  assert.equal((await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: node.uuid, address: 'zz' } })).status, 400)
  assert.equal((await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: node.uuid, name: 'a b' } })).status, 400)
  const noNode = await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' } })
  assert.equal(noNode.status, 400)
  assert.match(noNode.fault, /could not be found/)
  assert.equal((await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: node.uuid, name: 'pg', address: mac(1) } })).status, 201)
  const dupName = await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: node.uuid, name: 'pg' } })
  assert.equal(dupName.status, 409)
  assert.equal(dupName.fault, 'A portgroup with name pg already exists.')
  const dupMac = await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: node.uuid, address: mac(1) } })
  assert.equal(dupMac.status, 409)
  assert.equal(dupMac.fault, `A portgroup with MAC address ${mac(1)} already exists.`)
}))

test('port groups: microversion gating', () => withApp(async (t) => {
  const node = await enrollNode(t, 'n1')
  assert.equal((await call(t, 'GET', '/v1/portgroups', { version: '1.22' })).status, 404)
  assert.equal((await call(t, 'POST', '/v1/portgroups', { version: '1.22', body: { node_uuid: node.uuid } })).status, 404)
  const pg = await call(t, 'POST', '/v1/portgroups', { version: '1.23', body: { node_uuid: node.uuid, name: 'pg' } })
  assert.equal(pg.status, 201, pg.fault)
  assert.equal(pg.body.mode, undefined)
  assert.equal(pg.body.properties, undefined)
  assert.equal((await call(t, 'GET', '/v1/portgroups/pg', { version: '1.26' })).body.mode, 'active-backup')
  assert.equal((await call(t, 'POST', '/v1/portgroups', { version: '1.25', body: { node_uuid: node.uuid, mode: 'balance-rr' } })).status, 406)
  assert.equal((await call(t, 'PATCH', '/v1/portgroups/pg', { version: '1.25', body: [{ op: 'replace', path: '/mode', value: 'balance-rr' }] })).status, 406)
  assert.equal((await call(t, 'GET', '/v1/portgroups?fields=uuid,mode', { version: '1.25' })).status, 406)
  assert.equal((await call(t, 'GET', '/v1/nodes/n1/portgroups', { version: '1.23' })).status, 404)
  assert.equal((await call(t, 'GET', '/v1/nodes/n1/portgroups', { version: '1.24' })).status, 200)
  assert.equal((await call(t, 'GET', '/v1/portgroups/pg/ports', { version: '1.23' })).status, 404)
}))

test('ports in port groups: membership rules, physical networks, standalone ports, non-empty delete', () => withApp(async (t) => {
  const node = await enrollNode(t, 'n1')
  const other = await enrollNode(t, 'n2')
  const pg = (await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: node.uuid, name: 'bond0' } })).body
  const strict = (await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: node.uuid, name: 'strict', standalone_ports_supported: false } })).body
  const otherPg = (await call(t, 'POST', '/v1/portgroups', { body: { node_uuid: other.uuid, name: 'other' } })).body

  const p1 = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(1), portgroup_uuid: pg.uuid, physical_network: 'physnet1' } })
  assert.equal(p1.status, 201, p1.fault)
  assert.equal(p1.body.portgroup_uuid, pg.uuid)
  const wrongNode = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(2), portgroup_uuid: otherPg.uuid } })
  assert.equal(wrongNode.status, 400)
  assert.match(wrongNode.fault, /different node/)
  assert.equal((await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(2), portgroup_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' } })).status, 400)
  const physnet = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(2), portgroup_uuid: pg.uuid, physical_network: 'physnet2' } })
  assert.equal(physnet.status, 409)
  assert.match(physnet.fault, /physical network/)
  const standalone = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(2), portgroup_uuid: strict.uuid } })
  assert.equal(standalone.status, 409)
  assert.match(standalone.fault, /standalone/)
  const member = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(2), portgroup_uuid: strict.uuid, pxe_enabled: false } })
  assert.equal(member.status, 201, member.fault)
  const pxeOn = await call(t, 'PATCH', `/v1/ports/${member.body.uuid}`, { body: [{ op: 'replace', path: '/pxe_enabled', value: true }] })
  assert.equal(pxeOn.status, 409)

  const list = await call(t, 'GET', '/v1/portgroups/bond0/ports')
  assert.deepEqual(list.body.ports.map((p: { uuid: string }) => p.uuid), [p1.body.uuid])
  assert.equal((await call(t, 'GET', `/v1/portgroups/${pg.uuid}/ports/detail`)).body.ports[0].physical_network, 'physnet1')
  assert.equal((await call(t, 'GET', '/v1/ports?portgroup=strict')).body.ports.length, 1)

  const standaloneOff = await call(t, 'PATCH', '/v1/portgroups/bond0', { body: [{ op: 'replace', path: '/standalone_ports_supported', value: false }] })
  assert.equal(standaloneOff.status, 409)
  const move = await call(t, 'PATCH', '/v1/portgroups/bond0', { body: [{ op: 'replace', path: '/node_uuid', value: other.uuid }] })
  assert.equal(move.status, 400)
  assert.match(move.fault, /contains ports/)
  const notEmpty = await call(t, 'DELETE', '/v1/portgroups/bond0')
  assert.equal(notEmpty.status, 400)
  assert.match(notEmpty.fault, /contains ports/)

  const leave = await call(t, 'PATCH', `/v1/ports/${p1.body.uuid}`, { body: [{ op: 'remove', path: '/portgroup_uuid' }] })
  assert.equal(leave.status, 200, leave.fault)
  assert.equal(leave.body.portgroup_uuid, null)
  await t.store.nodes.update(node.id, { reservation: 'elsewhere' })
  assert.equal((await call(t, 'DELETE', '/v1/portgroups/bond0')).status, 409)
  await t.store.nodes.update(node.id, { reservation: null })
  assert.equal((await call(t, 'DELETE', '/v1/portgroups/bond0')).status, 204)
}))
