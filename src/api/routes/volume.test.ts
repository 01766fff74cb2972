import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'

let t: TestApp
before(async () => {
  t = await buildTestApp()
})
after(async () => t.close())

function req(method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, body?: unknown, version = 'latest') {
  return t.app.inject({ method, url, headers: v(version), payload: body === undefined ? undefined : JSON.stringify(body) })
}

async function node(fields: Record<string, unknown> = {}) {
  const n = await t.store.nodes.create({ driver: 'fake-hardware', power_state: 'power off', provision_state: 'available', ...fields })
  return n
}

test('connectors: create, list (short, detail, per node), show, patch, delete; type+connector_id unique', async () => {
  const n = await node()
  const r = await req('POST', '/v1/volume/connectors', { node_uuid: n.uuid, type: 'iqn', connector_id: 'iqn.2024-01.org.example:n1', extra: { a: 1 } })
  assert.equal(r.statusCode, 201, r.body)
  const c = r.json()
  assert.equal(c.node_uuid, n.uuid)
  const short = (await req('GET', '/v1/volume/connectors')).json()
  assert.deepEqual(Object.keys(short.connectors[0]).sort(), ['connector_id', 'links', 'node_uuid', 'type', 'uuid'])
  assert.deepEqual((await req('GET', '/v1/volume/connectors/detail')).json().connectors[0].extra, { a: 1 })
  assert.equal((await req('GET', `/v1/nodes/${n.uuid}/volume/connectors`)).json().connectors.length, 1)
  assert.equal((await req('GET', `/v1/volume/connectors?node=${n.uuid}`)).json().connectors.length, 1)
  const dup = await req('POST', '/v1/volume/connectors', { node_uuid: n.uuid, type: 'iqn', connector_id: 'iqn.2024-01.org.example:n1' })
  assert.equal(dup.statusCode, 409)
  assert.equal((await req('POST', '/v1/volume/connectors', { node_uuid: n.uuid, type: 'bogus', connector_id: 'x' })).statusCode, 400)
  const p = await req('PATCH', `/v1/volume/connectors/${c.uuid}`, [{ op: 'replace', path: '/connector_id', value: 'iqn.2024-01.org.example:n2' }])
  assert.equal(p.statusCode, 200, p.body)
  assert.equal(p.json().connector_id, 'iqn.2024-01.org.example:n2')
  assert.equal((await req('POST', `/v1/nodes/${n.uuid}/volume/connectors`, { type: 'ip', connector_id: '10.0.0.1' })).statusCode, 403)
  assert.equal((await req('DELETE', `/v1/volume/connectors/${c.uuid}`)).statusCode, 204)
  assert.equal((await req('GET', `/v1/volume/connectors/${c.uuid}`)).statusCode, 404)
})

test('targets: boot_index unique per node; required fields; node must exist', async () => {
  const n = await node()
  const body = { node_uuid: n.uuid, volume_type: 'iscsi', volume_id: 'vol-1', boot_index: 0, properties: { target_lun: 0 } }
  const r = await req('POST', '/v1/volume/targets', body)
  assert.equal(r.statusCode, 201, r.body)
  assert.deepEqual(r.json().properties, { target_lun: 0 })
  assert.equal((await req('POST', '/v1/volume/targets', { ...body, volume_id: 'vol-2' })).statusCode, 409)
  assert.equal((await req('POST', '/v1/volume/targets', { ...body, volume_id: 'vol-2', boot_index: 1 })).statusCode, 201)
  assert.equal((await req('POST', '/v1/volume/targets', { node_uuid: n.uuid, volume_type: 'iscsi', volume_id: 'x' })).statusCode, 400)
  const missing = await req('POST', '/v1/volume/targets', { ...body, node_uuid: '5b1d3a4c-0000-4000-8000-000000000000', boot_index: 5 })
  assert.equal(missing.statusCode, 400)
  assert.equal((await req('GET', `/v1/nodes/${n.uuid}/volume/targets`)).json().targets.length, 2)
})

test('changes are refused while the node is active and powered on', async () => {
  const n = await node()
  const c = (await req('POST', '/v1/volume/connectors', { node_uuid: n.uuid, type: 'ip', connector_id: '10.1.1.1' })).json()
  const tg = (await req('POST', '/v1/volume/targets', { node_uuid: n.uuid, volume_type: 'iscsi', volume_id: 'v', boot_index: 0 })).json()
  await t.store.nodes.update(n.id, { provision_state: 'active', power_state: 'power on' })
  const patch = await req('PATCH', `/v1/volume/targets/${tg.uuid}`, [{ op: 'replace', path: '/volume_id', value: 'w' }])
  assert.equal(patch.statusCode, 400)
  assert.match(faultOf(patch.body), /can not be performed on node .* while it is in state "power on"/)
  assert.equal((await req('DELETE', `/v1/volume/connectors/${c.uuid}`)).statusCode, 400)
  await t.store.nodes.update(n.id, { power_state: 'power off' })
  assert.equal((await req('PATCH', `/v1/volume/targets/${tg.uuid}`, [{ op: 'replace', path: '/volume_id', value: 'w' }])).statusCode, 200)
  assert.equal((await req('DELETE', `/v1/volume/connectors/${c.uuid}`)).statusCode, 204)
})

test('volume needs 1.32; /v1/volume and the node volume link to connectors and targets', async () => {
  const n = await node()
  assert.equal((await req('GET', '/v1/volume', undefined, '1.31')).statusCode, 404)
  const root = (await req('GET', '/v1/volume', undefined, '1.32')).json()
  assert.match(root.connectors[0].href, /\/v1\/volume\/connectors$/)
  assert.match(root.targets[0].href, /\/v1\/volume\/targets$/)
  const nv = (await req('GET', `/v1/nodes/${n.uuid}/volume`)).json()
  assert.match(nv.connectors[0].href, new RegExp(`/v1/nodes/${n.uuid}/volume/connectors$`))
  // Deleting the node removes its connectors and targets.
  await req('POST', '/v1/volume/connectors', { node_uuid: n.uuid, type: 'wwpn', connector_id: '50:01' })
  await t.store.nodes.delete(n.id)
  assert.equal((await req('GET', '/v1/volume/connectors?detail=true')).json().connectors.some((c: { connector_id: string }) => c.connector_id === '50:01'), false)
})
