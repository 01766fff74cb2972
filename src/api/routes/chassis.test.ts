import { test } from 'node:test'
import assert from 'node:assert/strict'
import { call, dialectSuite, enrollNode } from '../../../test/helpers/api-fixture.js'

const GHOST = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'

dialectSuite('chassis API', (withApp) => {
  test('chassis: create, show, list, patch, delete', () => withApp(async (t) => {
    const r = await call(t, 'POST', '/v1/chassis', { body: { description: 'rack 12', extra: { row: 'B' } } })
    assert.equal(r.status, 201, r.fault)
    assert.equal(r.body.description, 'rack 12')
    assert.deepEqual(r.body.extra, { row: 'B' })
    // The node links are nested one list deeper, as in Ironic: [[self, bookmark]].
    assert.match(r.body.nodes[0][0].href, new RegExp(`/v1/chassis/${r.body.uuid}/nodes$`))
    assert.equal(r.body.nodes[0][1].rel, 'bookmark')
    assert.match(String(r.headers.location), new RegExp(`/v1/chassis/${r.body.uuid}$`))
    const given = await call(t, 'POST', '/v1/chassis', { body: { uuid: GHOST.toUpperCase() } })
    assert.equal(given.body.uuid, GHOST)
    const dup = await call(t, 'POST', '/v1/chassis', { body: { uuid: GHOST } })
    assert.equal(dup.status, 409)
    assert.equal(dup.fault, `A chassis with UUID ${GHOST} already exists.`)

    const list = await call(t, 'GET', '/v1/chassis')
    assert.equal(list.body.chassis.length, 2)
    assert.deepEqual(Object.keys(list.body.chassis[0]).sort(), ['description', 'links', 'uuid'])
    assert.ok('extra' in (await call(t, 'GET', '/v1/chassis/detail')).body.chassis[0])
    assert.ok('nodes' in (await call(t, 'GET', '/v1/chassis?detail=true')).body.chassis[0])
    const page = await call(t, 'GET', '/v1/chassis?limit=1')
    assert.equal(page.body.chassis[0].uuid, r.body.uuid)
    assert.match(page.body.next, new RegExp(`/v1/chassis\\?limit=1&marker=${r.body.uuid}$`))
    assert.equal((await call(t, 'GET', `/v1/chassis?limit=1&marker=${r.body.uuid}`)).body.chassis[0].uuid, GHOST)
    const fields = await call(t, 'GET', `/v1/chassis/${r.body.uuid}?fields=extra`)
    assert.deepEqual(Object.keys(fields.body).sort(), ['extra', 'links'])

    const p = await call(t, 'PATCH', `/v1/chassis/${r.body.uuid}`, { body: [{ op: 'replace', path: '/description', value: 'rack 13' }, { op: 'remove', path: '/extra/row' }] })
    assert.equal(p.status, 200, p.fault)
    assert.equal(p.body.description, 'rack 13')
    assert.deepEqual(p.body.extra, {})
    assert.equal((await call(t, 'PATCH', `/v1/chassis/${r.body.uuid}`, { body: [{ op: 'replace', path: '/uuid', value: GHOST }] })).status, 400)
    assert.equal((await call(t, 'PATCH', `/v1/chassis/${r.body.uuid}`, { body: [{ op: 'replace', path: '/description', value: 'x'.repeat(256) }] })).status, 400)

    assert.equal((await call(t, 'DELETE', `/v1/chassis/${r.body.uuid}`)).status, 204)
    const gone = await call(t, 'GET', `/v1/chassis/${r.body.uuid}`)
    assert.equal(gone.status, 404)
    assert.match(gone.fault, new RegExp(`Chassis ${r.body.uuid} could not be found`))
  }))

  test('chassis: bad input is a 400, never a 500', () => withApp(async (t) => {
    const long = await call(t, 'POST', '/v1/chassis', { body: { description: 'x'.repeat(256) } })
    assert.equal(long.status, 400)
    assert.match(long.fault, /^Schema error for chassis: 'x+' is too long$/)
    assert.equal((await call(t, 'POST', '/v1/chassis', { body: { uuid: 'nope' } })).status, 400)
    assert.equal((await call(t, 'POST', '/v1/chassis', { body: { extra: 'flat' } })).status, 400)
    assert.equal((await call(t, 'POST', '/v1/chassis', { body: { name: 'c1' } })).status, 400)
    const notUuid = await call(t, 'GET', '/v1/chassis/rack-1')
    assert.equal(notUuid.status, 400)
    assert.match(notUuid.fault, /^Expected UUID for chassis_uuid: rack-1$/)
    assert.equal((await call(t, 'GET', '/v1/chassis?sort_key=extra')).status, 400)
    assert.equal((await call(t, 'GET', '/v1/chassis?fields=uuid', { version: '1.7' })).status, 406)
    assert.equal((await call(t, 'GET', '/v1/chassis?fields=bogus')).status, 400)
    assert.equal((await call(t, 'GET', `/v1/chassis?marker=${GHOST}`)).status, 404)
    assert.equal((await call(t, 'DELETE', `/v1/chassis/${GHOST}`)).status, 404)
  }))

  test('chassis nodes: listed under the chassis; a chassis with nodes can not be deleted', () => withApp(async (t) => {
    const c = (await call(t, 'POST', '/v1/chassis', { body: {} })).body
    const a = await enrollNode(t, 'a', { chassis_uuid: c.uuid })
    await enrollNode(t, 'b', { chassis_uuid: c.uuid, resource_class: 'gpu' })
    await enrollNode(t, 'c')
    const nodes = await call(t, 'GET', `/v1/chassis/${c.uuid}/nodes`)
    assert.equal(nodes.status, 200, nodes.fault)
    assert.deepEqual(nodes.body.nodes.map((n: { name: string }) => n.name).sort(), ['a', 'b'])
    // Node filters apply within the chassis; arguments the list does not take are refused.
    const gpu = await call(t, 'GET', `/v1/chassis/${c.uuid}/nodes?resource_class=gpu`)
    assert.deepEqual(gpu.body.nodes.map((n: { name: string }) => n.name), ['b'])
    assert.equal((await call(t, 'GET', `/v1/chassis/${c.uuid}/nodes?colour=red`)).fault, 'Unexpected arguments: colour')
    assert.equal(nodes.body.nodes[0].driver, undefined)
    const detail = await call(t, 'GET', `/v1/chassis/${c.uuid}/nodes/detail`)
    assert.equal(detail.body.nodes[0].chassis_uuid, c.uuid)
    const page = await call(t, 'GET', `/v1/chassis/${c.uuid}/nodes?limit=1`)
    assert.equal(page.body.nodes[0].uuid, a.uuid)
    assert.match(page.body.next, new RegExp(`/v1/chassis/${c.uuid}/nodes\\?limit=1&marker=${a.uuid}$`))
    const fields = await call(t, 'GET', `/v1/chassis/${c.uuid}/nodes?fields=uuid,driver`)
    assert.equal(fields.body.nodes[0].driver, 'fake-hardware')
    assert.equal((await call(t, 'GET', `/v1/chassis/${GHOST}/nodes`)).status, 404)

    const busy = await call(t, 'DELETE', `/v1/chassis/${c.uuid}`)
    assert.equal(busy.status, 400)
    assert.match(busy.fault, /contains nodes/)
  }))
})
