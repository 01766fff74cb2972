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

let mac = 0
async function nodeWithPorts(network: string, ports: { pxe?: boolean }[]) {
  const n = (await req('POST', '/v1/nodes', { driver: 'fake-hardware', network_interface: network })).json()
  const out = []
  for (const p of ports) {
    const r = await req('POST', '/v1/ports', { node_uuid: n.uuid, address: `52:54:00:00:01:${(++mac).toString(16).padStart(2, '0')}`, pxe_enabled: p.pxe ?? true })
    assert.equal(r.statusCode, 201, r.body)
    out.push(r.json())
  }
  return { node: n, ports: out }
}

test('noop: attach and detach succeed and record nothing; the list is empty (as Ironic\'s noop interface)', async () => {
  const { node, ports } = await nodeWithPorts('noop', [])
  assert.equal(ports.length, 0)
  for (const id of ['vif-n1', 'vif-n2', 'vif-n1']) assert.equal((await req('POST', `/v1/nodes/${node.uuid}/vifs`, { id })).statusCode, 204)
  assert.deepEqual((await req('GET', `/v1/nodes/${node.uuid}/vifs`)).json(), { vifs: [] })
  assert.equal((await req('DELETE', `/v1/nodes/${node.uuid}/vifs/never-attached`)).statusCode, 204)
})

for (const network of ['flat']) {
  test(`${network}: attach records the VIF on a free port (PXE first), list shows it, detach clears it`, async () => {
    const { node, ports } = await nodeWithPorts(network, [{ pxe: false }, { pxe: true }])
    assert.equal(node.network_interface, network)
    assert.equal((await req('POST', `/v1/nodes/${node.uuid}/vifs`, { id: `vif-a-${network}` })).statusCode, 204)
    assert.deepEqual((await req('GET', `/v1/nodes/${node.uuid}/vifs`)).json(), { vifs: [{ id: `vif-a-${network}` }] })
    const pxe = (await req('GET', `/v1/ports/${ports[1].uuid}`)).json()
    assert.equal(pxe.internal_info.tenant_vif_port_id, `vif-a-${network}`)
    // The same VIF again: 409; a second VIF takes the other port; a third finds none free.
    const again = await req('POST', `/v1/nodes/${node.uuid}/vifs`, { id: `vif-a-${network}` })
    assert.equal(again.statusCode, 409)
    assert.match(faultOf(again.body), /already attached/)
    assert.equal((await req('POST', `/v1/nodes/${node.uuid}/vifs`, { id: `vif-b-${network}` })).statusCode, 204)
    const third = await req('POST', `/v1/nodes/${node.uuid}/vifs`, { id: `vif-c-${network}` })
    assert.equal(third.statusCode, 400)
    assert.match(faultOf(third.body), /not enough free physical ports/)
    assert.equal((await req('DELETE', `/v1/nodes/${node.uuid}/vifs/vif-a-${network}`)).statusCode, 204)
    assert.deepEqual((await req('GET', `/v1/nodes/${node.uuid}/vifs`)).json(), { vifs: [{ id: `vif-b-${network}` }] })
    assert.equal((await req('GET', `/v1/ports/${ports[1].uuid}`)).json().internal_info.tenant_vif_port_id, undefined)
    const gone = await req('DELETE', `/v1/nodes/${node.uuid}/vifs/vif-a-${network}`)
    assert.equal(gone.statusCode, 400)
    assert.match(faultOf(gone.body), /not attached/)
  })
}

test('a VIF is attached at most once across nodes; port_uuid (1.67+) picks the port', async () => {
  const a = await nodeWithPorts('flat', [{}])
  const b = await nodeWithPorts('flat', [{}, {}])
  assert.equal((await req('POST', `/v1/nodes/${a.node.uuid}/vifs`, { id: 'shared' })).statusCode, 204)
  assert.equal((await req('POST', `/v1/nodes/${b.node.uuid}/vifs`, { id: 'shared' })).statusCode, 409)
  assert.equal((await req('POST', `/v1/nodes/${b.node.uuid}/vifs`, { id: 'pinned', port_uuid: b.ports[1].uuid }, '1.66')).statusCode, 406)
  assert.equal((await req('POST', `/v1/nodes/${b.node.uuid}/vifs`, { id: 'pinned', port_uuid: b.ports[1].uuid })).statusCode, 204)
  assert.equal((await req('GET', `/v1/ports/${b.ports[1].uuid}`)).json().internal_info.tenant_vif_port_id, 'pinned')
})

test('port groups are preferred to ports; a node without ports has no free port', async () => {
  const { node, ports } = await nodeWithPorts('flat', [{}, {}])
  const pg = await req('POST', '/v1/portgroups', { node_uuid: node.uuid, address: '52:54:00:00:02:01' })
  assert.equal(pg.statusCode, 201, pg.body)
  const patched = await req('PATCH', `/v1/ports/${ports[0].uuid}`, [{ op: 'add', path: '/portgroup_uuid', value: pg.json().uuid }])
  assert.equal(patched.statusCode, 200, patched.body)
  assert.equal((await req('POST', `/v1/nodes/${node.uuid}/vifs`, { id: 'bond-vif' })).statusCode, 204)
  assert.equal((await req('GET', `/v1/portgroups/${pg.json().uuid}`)).json().internal_info.tenant_vif_port_id, 'bond-vif')
  const bare = (await req('POST', '/v1/nodes', { driver: 'fake-hardware', network_interface: 'flat' })).json()
  assert.equal((await req('POST', `/v1/nodes/${bare.uuid}/vifs`, { id: 'x' })).statusCode, 400)
})

test('VIFs need 1.28', async () => {
  const { node } = await nodeWithPorts('noop', [{}])
  assert.equal((await req('GET', `/v1/nodes/${node.uuid}/vifs`, undefined, '1.27')).statusCode, 404)
  assert.equal((await req('GET', `/v1/nodes/${node.uuid}/vifs`, undefined, '1.28')).statusCode, 200)
})
