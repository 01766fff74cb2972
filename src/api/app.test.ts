import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../test/helpers/app.js'
import type { TestApp } from '../../test/helpers/app.js'
import { MAX_VERSION } from './microversions.js'
import { visibleResources } from './routes/root.js'

let t: TestApp
before(async () => {
  t = await buildTestApp()
})
after(async () => t.close())

test('GET / lists v1 with min and max versions', async () => {
  const r = await t.app.inject({ method: 'GET', url: '/' })
  assert.equal(r.statusCode, 200)
  const body = r.json()
  assert.equal(body.default_version.id, 'v1')
  assert.equal(body.default_version.min_version, '1.1')
  assert.equal(body.default_version.version, MAX_VERSION)
  assert.equal(r.headers['x-openstack-ironic-api-minimum-version'], '1.1')
  assert.equal(r.headers['x-openstack-ironic-api-maximum-version'], MAX_VERSION)
})

test('no version header means 1.1; latest means the maximum; both header forms work', async () => {
  const none = await t.app.inject({ method: 'GET', url: '/v1' })
  assert.equal(none.headers['x-openstack-ironic-api-version'], '1.1')
  const latest = await t.app.inject({ method: 'GET', url: '/v1', headers: { 'X-OpenStack-Ironic-API-Version': 'latest' } })
  assert.equal(latest.headers['x-openstack-ironic-api-version'], MAX_VERSION)
  const generic = await t.app.inject({ method: 'GET', url: '/v1', headers: { 'OpenStack-API-Version': 'baremetal 1.31' } })
  assert.equal(generic.headers['x-openstack-ironic-api-version'], '1.31')
  assert.equal(generic.headers['openstack-api-version'], 'baremetal 1.31')
})

test('versions outside the range and garbage get 406 with an Ironic error body', async () => {
  for (const bad of ['1.0', `1.${Number(MAX_VERSION.split('.')[1]) + 1}`, '2.1', 'banana']) {
    const r = await t.app.inject({ method: 'GET', url: '/v1/nodes', headers: { 'X-OpenStack-Ironic-API-Version': bad } })
    assert.equal(r.statusCode, 406, bad)
    assert.match(faultOf(r.body), /version/i)
    // Below /v1/ Ironic's version hook answers in webob's body; /v1 itself in the usual one.
    const e = JSON.parse(JSON.parse(r.body).error_message) as Record<string, unknown>
    assert.deepEqual([e.code, e.title], [406, 'Not Acceptable'], bad)
    const v1 = await t.app.inject({ method: 'GET', url: '/v1', headers: { 'X-OpenStack-Ironic-API-Version': bad } })
    assert.equal(v1.statusCode, 406)
    assert.equal(typeof JSON.parse(JSON.parse(v1.body).error_message).faultstring, 'string')
    // The root document does not look at the header, as Ironic's.
    assert.equal((await t.app.inject({ method: 'GET', url: '/', headers: { 'X-OpenStack-Ironic-API-Version': bad } })).statusCode, 200, bad)
  }
  assert.match(faultOf((await t.app.inject({ method: 'GET', url: '/v1', headers: { 'X-OpenStack-Ironic-API-Version': '2.1' } })).body), /^Mutually exclusive versions requested\. Version 2\.1 requested but not supported by this service\./)
})

test('GET /v1 links exactly the resources visible at the version', async () => {
  const old = (await t.app.inject({ method: 'GET', url: '/v1', headers: v('1.1') })).json()
  assert.ok(old.nodes && old.ports && old.chassis && old.drivers)
  assert.equal(old.portgroups, undefined)
  assert.equal(old.conductors, undefined)
  const newer = (await t.app.inject({ method: 'GET', url: '/v1', headers: v('1.49') })).json()
  assert.ok(newer.portgroups && newer.conductors && newer.volume)
  assert.equal(newer.allocations, undefined)
  assert.deepEqual(visibleResources({ minor: 22, defaulted: false }).includes('lookup'), true)
  assert.deepEqual(visibleResources({ minor: 21, defaulted: false }).includes('lookup'), false)
})

test('unknown paths are 404 in Ironic format; malformed JSON is 400 naming the problem', async () => {
  const r = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' })
  assert.equal(r.statusCode, 404)
  assert.match(faultOf(r.body), /could not be found/)
  const bad = await t.app.inject({ method: 'POST', url: '/v1/nodes', headers: v('latest'), payload: '{"driver": ' })
  assert.equal(bad.statusCode, 400)
  assert.match(faultOf(bad.body), /not valid JSON/)
})
