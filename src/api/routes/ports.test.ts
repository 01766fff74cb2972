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

test('create, show, list and delete a port; MAC and switch_id normalised', () => withApp(async (t) => {
  const node = await enrollNode(t, 'n1')
  const r = await call(t, 'POST', '/v1/ports', {
    body: { node_uuid: node.uuid, address: '52-54-00-AA-BB-CC', extra: { rack: 4 }, local_link_connection: { switch_id: '0A:1B:2C:3D:4E:5F', port_id: 'Eth1/1', switch_info: 'tor-1' } },
  })
  assert.equal(r.status, 201, r.fault)
  assert.equal(r.body.address, '52:54:00:aa:bb:cc')
  assert.equal(r.body.node_uuid, node.uuid)
  assert.deepEqual(r.body.local_link_connection, { switch_id: '0a:1b:2c:3d:4e:5f', port_id: 'Eth1/1', switch_info: 'tor-1' })
  assert.equal(r.body.pxe_enabled, true)
  assert.equal(r.body.is_smartnic, false)
  assert.equal(r.body.portgroup_uuid, null)
  assert.match(String(r.headers.location), new RegExp(`/v1/ports/${r.body.uuid}$`))
  assert.equal(r.body.links[0].rel, 'self')

  const shown = await call(t, 'GET', `/v1/ports/${r.body.uuid}`)
  assert.equal(shown.status, 200)
  assert.deepEqual(shown.body.extra, { rack: 4 })

  const list = await call(t, 'GET', '/v1/ports')
  assert.deepEqual(Object.keys(list.body.ports[0]).sort(), ['address', 'links', 'uuid'])
  const detail = await call(t, 'GET', '/v1/ports/detail')
  assert.equal(detail.body.ports[0].node_uuid, node.uuid)
  const detailQuery = await call(t, 'GET', '/v1/ports?detail=true')
  assert.deepEqual(detailQuery.body, detail.body)
  const ofNode = await call(t, 'GET', '/v1/nodes/n1/ports')
  assert.equal(ofNode.body.ports.length, 1)
  assert.equal((await call(t, 'GET', `/v1/nodes/${node.uuid}/ports/detail`)).body.ports[0].address, '52:54:00:aa:bb:cc')

  assert.equal((await call(t, 'DELETE', `/v1/ports/${r.body.uuid}`)).status, 204)
  const gone = await call(t, 'GET', `/v1/ports/${r.body.uuid}`)
  assert.equal(gone.status, 404)
  assert.match(gone.fault, new RegExp(`Port ${r.body.uuid} could not be found`))
}))

test('bad input is a 400 naming the field; duplicates are a 409', () => withApp(async (t) => {
  const node = await enrollNode(t)
  const bad = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: '52:54:00:zz:00:01' } })
  assert.equal(bad.status, 400)
  assert.match(bad.fault, /address/)
  assert.match(bad.fault, /52:54:00:zz:00:01/)
  const badUuid = await call(t, 'POST', '/v1/ports', { body: { node_uuid: 'not-a-uuid', address: mac(1) } })
  assert.equal(badUuid.status, 400)
  assert.match(badUuid.fault, /node_uuid/)
  const noNode = await call(t, 'POST', '/v1/ports', { body: { node_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', address: mac(1) } })
  assert.equal(noNode.status, 400)
  assert.match(noNode.fault, /Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 could not be found/)
  const unknown = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(1), colour: 'red' } })
  assert.equal(unknown.status, 400)
  assert.match(unknown.fault, /colour/)
  const missing = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid } })
  assert.equal(missing.status, 400)
  assert.match(missing.fault, /address/)
  const badSwitch = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(1), local_link_connection: { switch_id: 'switch-7', port_id: 'p1' } } })
  assert.equal(badSwitch.status, 400)
  assert.match(badSwitch.fault, /switch_id/)
  const datapath = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(2), local_link_connection: { switch_id: '0000AABBCCDDEEFF', port_id: 'p1' } } })
  assert.equal(datapath.status, 201, datapath.fault)
  assert.equal(datapath.body.local_link_connection.switch_id, '0000aabbccddeeff')
  const halfLink = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(3), local_link_connection: { port_id: 'p1' } } })
  assert.equal(halfLink.status, 400)
  const emptyPhysnet = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(3), physical_network: '' } })
  assert.equal(emptyPhysnet.status, 400)
  const smartnic = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(3), is_smartnic: true, local_link_connection: { switch_id: mac(9), port_id: 'p' } } })
  assert.equal(smartnic.status, 400)
  assert.match(smartnic.fault, /hostname/)

  assert.equal((await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(1), name: 'eth0' } })).status, 201)
  const dup = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(1).toUpperCase() } })
  assert.equal(dup.status, 409)
  assert.equal(dup.fault, `A port with MAC address ${mac(1)} already exists.`)
  const dupName = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(4), name: 'eth0' } })
  assert.equal(dupName.status, 409)
  assert.match(dupName.fault, /name eth0 already exists/)

  assert.equal((await call(t, 'GET', '/v1/ports/not-a-uuid', { version: '1.87' })).status, 400)
  assert.equal((await call(t, 'GET', '/v1/ports/eth0')).body.address, mac(1))
  assert.equal((await call(t, 'GET', '/v1/ports/1be26c0b-03f2-4d2e-ae87-c02d7f33c123')).status, 404)
}))

test('microversions: newer fields hidden in responses and rejected (406) in requests', () => withApp(async (t) => {
  const node = await enrollNode(t)
  const created = await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(1) }, version: '1.1' })
  assert.equal(created.status, 201, created.fault)
  const keys = (version: string) => call(t, 'GET', `/v1/ports/${created.body.uuid}`, { version }).then((r) => Object.keys(r.body))
  const old = await keys('1.1')
  for (const f of ['internal_info', 'pxe_enabled', 'local_link_connection', 'portgroup_uuid', 'physical_network', 'is_smartnic', 'name']) assert.ok(!old.includes(f), f)
  assert.ok((await keys('1.18')).includes('internal_info'))
  assert.ok(!(await keys('1.18')).includes('pxe_enabled'))
  assert.ok((await keys('1.19')).includes('local_link_connection'))
  assert.ok(!(await keys('1.23')).includes('portgroup_uuid'))
  assert.ok((await keys('1.24')).includes('portgroup_uuid'))
  assert.ok((await keys('1.34')).includes('physical_network'))
  assert.ok((await keys('1.53')).includes('is_smartnic'))
  assert.ok(!(await keys('1.87')).includes('name'))
  assert.ok((await keys('1.88')).includes('name'))

  const tooOld = [
    ['1.18', { pxe_enabled: false }], ['1.33', { physical_network: 'physnet1' }], ['1.52', { is_smartnic: false }],
    ['1.87', { name: 'eth9' }], ['1.63', { local_link_connection: { network_type: 'unmanaged' } }],
  ] as const
  for (const [version, extra] of tooOld) {
    const r = await call(t, 'POST', '/v1/ports', { version, body: { node_uuid: node.uuid, address: mac(2), ...extra } })
    assert.equal(r.status, 406, `${version} ${JSON.stringify(extra)}: ${r.fault}`)
  }
  const unmanaged = await call(t, 'POST', '/v1/ports', { version: '1.64', body: { node_uuid: node.uuid, address: mac(2), local_link_connection: { network_type: 'unmanaged' } } })
  assert.equal(unmanaged.status, 201, unmanaged.fault)

  const patchOld = await call(t, 'PATCH', `/v1/ports/${created.body.uuid}`, { version: '1.33', body: [{ op: 'add', path: '/physical_network', value: 'p' }] })
  assert.equal(patchOld.status, 406)
  const fieldsOld = await call(t, 'GET', `/v1/ports/${created.body.uuid}?fields=uuid`, { version: '1.7' })
  assert.equal(fieldsOld.status, 406)
  const fieldNewer = await call(t, 'GET', `/v1/ports?fields=uuid,is_smartnic`, { version: '1.52' })
  assert.equal(fieldNewer.status, 406)
  const fieldUnknown = await call(t, 'GET', `/v1/ports?fields=uuid,colour`)
  assert.equal(fieldUnknown.status, 400)
  assert.match(fieldUnknown.fault, /colour/)
  const fields = await call(t, 'GET', `/v1/ports/${created.body.uuid}?fields=address,pxe_enabled`)
  assert.deepEqual(Object.keys(fields.body).sort(), ['address', 'links', 'pxe_enabled'])
  assert.equal((await call(t, 'GET', '/v1/ports?detail=true', { version: '1.42' })).status, 400)
  assert.equal((await call(t, 'GET', '/v1/ports?detail=true&fields=uuid')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/ports?portgroup=pg1', { version: '1.23' })).status, 406)
  assert.equal((await call(t, 'GET', '/v1/ports?shard=a', { version: '1.81' })).status, 406)
  assert.equal((await call(t, 'GET', '/v1/ports?node=somename', { version: '1.4' })).status, 406)
}))

test('pagination: limit, marker, next link and sorting', () => withApp(async (t) => {
  const node = await enrollNode(t)
  for (const i of [5, 3, 1, 4, 2]) {
    assert.equal((await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(i) } })).status, 201)
  }
  const first = await call(t, 'GET', '/v1/ports?limit=2&sort_key=address')
  assert.deepEqual(first.body.ports.map((p: { address: string }) => p.address), [mac(1), mac(2)])
  const next = new URL(first.body.next)
  assert.equal(next.pathname, '/v1/ports')
  assert.equal(next.searchParams.get('sort_key'), 'address')
  assert.equal(next.searchParams.get('marker'), first.body.ports[1].uuid)
  const second = await call(t, 'GET', `${next.pathname}${next.search}`)
  assert.deepEqual(second.body.ports.map((p: { address: string }) => p.address), [mac(3), mac(4)])
  const last = await call(t, 'GET', `/v1/ports?limit=2&sort_key=address&marker=${second.body.ports[1].uuid}`)
  assert.deepEqual(last.body.ports.map((p: { address: string }) => p.address), [mac(5)])
  assert.equal(last.body.next, undefined)
  const desc = await call(t, 'GET', '/v1/ports?sort_key=address&sort_dir=desc&limit=1')
  assert.equal(desc.body.ports[0].address, mac(5))
  const nodePage = await call(t, 'GET', `/v1/nodes/${node.uuid}/ports?limit=4`)
  assert.match(nodePage.body.next, new RegExp(`/v1/nodes/${node.uuid}/ports\\?`))

  assert.equal((await call(t, 'GET', '/v1/ports?sort_key=extra')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/ports?sort_dir=sideways')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/ports?limit=-1')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/ports?marker=nope')).status, 400)
  const noMarker = await call(t, 'GET', '/v1/ports?marker=1be26c0b-03f2-4d2e-ae87-c02d7f33c123')
  assert.equal(noMarker.status, 404)
}))

test('filters: node, node_uuid, address, shard; one of node/portgroup/shard at a time', () => withApp(async (t) => {
  const a = await enrollNode(t, 'node-a', { shard: 'east' })
  const b = await enrollNode(t, 'node-b')
  await call(t, 'POST', '/v1/ports', { body: { node_uuid: a.uuid, address: mac(1) } })
  await call(t, 'POST', '/v1/ports', { body: { node_uuid: a.uuid, address: mac(2) } })
  await call(t, 'POST', '/v1/ports', { body: { node_uuid: b.uuid, address: mac(3) } })
  const count = async (url: string) => (await call(t, 'GET', url)).body.ports.length
  assert.equal(await count('/v1/ports?node=node-a'), 2)
  assert.equal(await count(`/v1/ports?node_uuid=${b.uuid}`), 1)
  assert.equal(await count(`/v1/ports?address=${mac(3).toUpperCase()}`), 1)
  assert.equal(await count('/v1/ports?address=52:54:00:99:99:99'), 0)
  assert.equal(await count('/v1/ports?shard=east'), 2)
  assert.equal(await count('/v1/ports?shard=west,east'), 2)
  assert.equal((await call(t, 'GET', '/v1/ports?address=bogus')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/ports?node_uuid=node-a')).status, 400)
  const missing = await call(t, 'GET', '/v1/ports?node=ghost')
  assert.equal(missing.status, 404)
  assert.match(missing.fault, /Node ghost could not be found/)
  assert.equal((await call(t, 'GET', '/v1/nodes/ghost/ports')).status, 404)
  assert.equal((await call(t, 'GET', '/v1/ports?node=node-a&shard=east')).status, 403)
}))

test('PATCH: fields, read-only attributes, node lock, active nodes and connectivity rules', () => withApp(async (t) => {
  const node = await enrollNode(t)
  const other = await enrollNode(t)
  const p = (await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(1), extra: { a: 1 } } })).body
  const patch = (ops: unknown, version?: string) => call(t, 'PATCH', `/v1/ports/${p.uuid}`, { body: ops, version })

  let r = await patch([{ op: 'replace', path: '/address', value: '52:54:00:AB:CD:EF' }, { op: 'add', path: '/extra/b', value: 2 }, { op: 'remove', path: '/extra/a' }])
  assert.equal(r.status, 200, r.fault)
  assert.equal(r.body.address, '52:54:00:ab:cd:ef')
  assert.deepEqual(r.body.extra, { b: 2 })
  assert.notEqual(r.body.updated_at, null)
  r = await patch([{ op: 'replace', path: '/local_link_connection', value: { switch_id: 'AA:BB:CC:DD:EE:FF', port_id: 'xe-0/0/1' } }, { op: 'replace', path: '/pxe_enabled', value: 'false' }])
  assert.equal(r.status, 200, r.fault)
  assert.equal(r.body.local_link_connection.switch_id, 'aa:bb:cc:dd:ee:ff')
  assert.equal(r.body.pxe_enabled, false)
  r = await patch([{ op: 'replace', path: '/node_uuid', value: other.uuid }])
  assert.equal(r.body.node_uuid, other.uuid)

  assert.equal((await patch([{ op: 'replace', path: '/uuid', value: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }])).status, 400)
  assert.equal((await patch([{ op: 'replace', path: '/internal_info', value: {} }])).status, 400)
  assert.equal((await patch([{ op: 'replace', path: '/address', value: 'nope' }])).status, 400)
  assert.equal((await patch([{ op: 'replace', path: '/node_uuid', value: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }])).status, 400)
  assert.equal((await patch([{ op: 'replace', path: '/physical_network', value: '' }])).status, 400)
  assert.equal((await patch({ op: 'replace' })).status, 400)
  assert.equal((await call(t, 'PATCH', '/v1/ports/1be26c0b-03f2-4d2e-ae87-c02d7f33c123', { body: [{ op: 'add', path: '/extra/x', value: 1 }] })).status, 404)

  await t.store.nodes.update(other.id, { reservation: 'conductor-x' })
  const locked = await patch([{ op: 'add', path: '/extra/c', value: 3 }])
  assert.equal(locked.status, 409)
  assert.match(locked.fault, /locked by host conductor-x/)
  assert.equal((await call(t, 'DELETE', `/v1/ports/${p.uuid}`)).status, 409)

  await t.store.nodes.update(other.id, { reservation: null, provision_state: 'active', instance_uuid: '9a0e7d8c-6e3c-4b5a-8f4e-0d1c2b3a4f5e' })
  const active = await patch([{ op: 'replace', path: '/address', value: mac(7) }])
  assert.equal(active.status, 409)
  assert.match(active.fault, /hardware address/)
  const conn = await patch([{ op: 'replace', path: '/pxe_enabled', value: true }])
  assert.equal(conn.status, 409)
  assert.match(conn.fault, /connectivity/)
  assert.equal((await patch([{ op: 'add', path: '/extra/d', value: 4 }])).status, 200)
  await t.store.nodes.update(other.id, { maintenance: true })
  assert.equal((await patch([{ op: 'replace', path: '/address', value: mac(7) }])).status, 200)
  assert.equal((await patch([{ op: 'replace', path: '/pxe_enabled', value: true }])).status, 200)
}))

test('DELETE refuses a port with a VIF outside maintenance', () => withApp(async (t) => {
  const node = await enrollNode(t)
  const p = (await call(t, 'POST', '/v1/ports', { body: { node_uuid: node.uuid, address: mac(1), extra: { vif_port_id: 'vif-1' } } })).body
  const r = await call(t, 'DELETE', `/v1/ports/${p.uuid}`)
  assert.equal(r.status, 409)
  assert.match(r.fault, /VIF vif-1/)
  await t.store.nodes.update(node.id, { maintenance: true })
  assert.equal((await call(t, 'DELETE', `/v1/ports/${p.uuid}`)).status, 204)
  assert.equal((await call(t, 'DELETE', `/v1/ports/${p.uuid}`)).status, 404)
}))
