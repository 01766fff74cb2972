import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'
import { parseIndicatorId } from './indicators.js'

let t: TestApp
before(async () => {
  t = await buildTestApp()
})
after(async () => t.close())

function req(method: 'GET' | 'PUT' | 'POST', url: string, body?: unknown, version = 'latest') {
  return t.app.inject({ method, url, headers: v(version), payload: body === undefined ? undefined : JSON.stringify(body) })
}

let seq = 0
async function node(fields: Record<string, unknown> = {}): Promise<{ uuid: string; name: string }> {
  const r = await req('POST', '/v1/nodes', { driver: 'fake-hardware', name: `ind-${++seq}`, ...fields })
  assert.equal(r.statusCode, 201, r.body)
  return r.json()
}

const base = (n: { uuid: string }) => `/v1/nodes/${n.uuid}/management/indicators`

test('list: fake management shows led@system (settable) and led@chassis (read-only) in Ironic\'s shape', async () => {
  const n = await node()
  const r = await req('GET', base(n), undefined, '1.63')
  assert.equal(r.statusCode, 200, r.body)
  const body = r.json()
  assert.deepEqual(Object.keys(body), ['indicators'])
  assert.deepEqual(
    body.indicators.map((i: Record<string, unknown>) => ({ ...i, links: undefined })),
    [
      { name: 'led@system', component: 'system', readonly: false, states: ['off', 'on', 'blinking'], links: undefined },
      { name: 'led@chassis', component: 'chassis', readonly: true, states: ['off', 'on'], links: undefined },
    ],
  )
  const links = body.indicators[0].links as { href: string; rel: string }[]
  assert.deepEqual(links.map((l) => l.rel), ['self', 'bookmark'])
  assert.match(links[0].href, new RegExp(`/v1/nodes/${n.uuid}/management/indicators/led%40system$`))
  assert.match(links[1].href, new RegExp(`[^1]/nodes/${n.uuid}/management/indicators/led%40system$`))
})

test('the self link of an indicator leads to its state; the node may be named by name', async () => {
  const n = await node()
  const listed = (await req('GET', `/v1/nodes/${n.name}/management/indicators`)).json()
  const href = new URL(listed.indicators[0].links[0].href)
  const r = await req('GET', href.pathname)
  assert.equal(r.statusCode, 200, r.body)
  assert.deepEqual(r.json(), { state: 'off' })
})

test('get/set: PUT blinking is a 204, GET then answers blinking (Ironic sends lower case); upper-case input is accepted', async () => {
  const n = await node()
  assert.deepEqual((await req('GET', `${base(n)}/led@system`)).json(), { state: 'off' })
  const put = await req('PUT', `${base(n)}/led@system`, { state: 'blinking' })
  assert.equal(put.statusCode, 204, put.body)
  assert.equal(put.body, '')
  assert.deepEqual((await req('GET', `${base(n)}/led@system`)).json(), { state: 'blinking' })
  // The encoded form of the id works too.
  assert.equal((await req('PUT', `${base(n)}/led%40system`, { state: 'ON' })).statusCode, 204)
  assert.deepEqual((await req('GET', `${base(n)}/led%40system`)).json(), { state: 'on' })
  // The state lives on the node: another node is untouched, and the set released the lock.
  const other = await node()
  assert.deepEqual((await req('GET', `${base(other)}/led@system`)).json(), { state: 'off' })
  const shown = (await req('GET', `/v1/nodes/${n.uuid}`)).json()
  assert.equal(shown.reservation, null)
  assert.deepEqual(shown.driver_internal_info.fake_indicators, { 'system/led': 'on' })
})

test('any version: Ironic 21.4 does not gate the indicator API (documented as 1.63), so neither does Ferrum', async () => {
  const n = await node()
  for (const version of ['1.1', '1.62']) {
    const list = await req('GET', base(n), undefined, version)
    assert.equal(list.statusCode, 200, list.body)
    assert.ok((list.json() as { indicators: { name: string }[] }).indicators.some((x) => x.name === 'led@system'))
    assert.equal((await req('PUT', `${base(n)}/led@system`, { state: version === '1.1' ? 'ON' : 'OFF' }, version)).statusCode, 204)
    assert.deepEqual((await req('GET', `${base(n)}/led@system`, undefined, version)).json(), { state: version === '1.1' ? 'on' : 'off' })
  }
})

test('errors: unknown indicator 404; bad state, read-only, unsupported state, malformed id and bad body 400', async () => {
  const n = await node()
  const cases: { method: 'GET' | 'PUT'; path: string; body?: unknown; status: number; fault: RegExp }[] = [
    { method: 'GET', path: 'disk0@drive', status: 404, fault: /no indicator "disk0@drive".*led@system, led@chassis/ },
    { method: 'GET', path: 'led@toaster', status: 404, fault: /no indicator/ },
    { method: 'PUT', path: 'nope@system', body: { state: 'ON' }, status: 404, fault: /no indicator/ },
    { method: 'GET', path: 'constructor@system', status: 404, fault: /no indicator/ },
    { method: 'PUT', path: 'led@system', body: { state: 'PURPLE' }, status: 400, fault: /"PURPLE" is not an indicator state.*off, on, blinking, unknown/ },
    { method: 'PUT', path: 'led@chassis', body: { state: 'ON' }, status: 400, fault: /read-only/ },
    { method: 'PUT', path: 'led@system', body: { state: 'UNKNOWN' }, status: 400, fault: /cannot be UNKNOWN.*OFF, ON, BLINKING/ },
    { method: 'GET', path: 'ledsystem', status: 400, fault: /Malformed indicator name/ },
    { method: 'GET', path: '@system', status: 400, fault: /Malformed/ },
    { method: 'PUT', path: 'led@', body: { state: 'ON' }, status: 400, fault: /Malformed/ },
    { method: 'PUT', path: 'led@system', body: {}, status: 400, fault: /state/ },
    { method: 'PUT', path: 'led@system', body: { state: 'ON', colour: 'red' }, status: 400, fault: /colour/ },
    { method: 'PUT', path: 'led@system', body: { state: 1 }, status: 400, fault: /state/ },
    { method: 'PUT', path: 'led@system', body: ['ON'], status: 400, fault: /./ },
  ]
  for (const c of cases) {
    const r = await req(c.method, `${base(n)}/${c.path}`, c.body)
    assert.equal(r.statusCode, c.status, `${c.method} ${c.path} ${JSON.stringify(c.body)}: ${r.body}`)
    assert.match(faultOf(r.body), c.fault, `${c.method} ${c.path}`)
  }
  // Unknown node: 404 on all three.
  for (const m of ['GET', 'PUT'] as const) {
    const r = await req(m, '/v1/nodes/no-such-node/management/indicators/led@system', { state: 'on' })
    assert.equal(r.statusCode, 404, r.body)
  }
  assert.equal((await req('GET', '/v1/nodes/no-such-node/management/indicators')).statusCode, 404)
  // None of the refusals changed anything or left a lock.
  assert.deepEqual((await req('GET', `${base(n)}/led@system`)).json(), { state: 'off' })
  assert.equal((await req('GET', `/v1/nodes/${n.uuid}`)).json().reservation, null)
})

test('a locked node: PUT is a 409 (it takes the lock), GET and list still answer (shared reads)', async () => {
  const n = await node()
  const rec = (await t.store.nodes.getByUuid(n.uuid))!
  assert.ok(await t.store.nodes.reserve(rec.id, 'other-conductor'))
  try {
    const put = await req('PUT', `${base(n)}/led@system`, { state: 'on' })
    assert.equal(put.statusCode, 409, put.body)
    assert.match(faultOf(put.body), /locked by host other-conductor/)
    assert.deepEqual((await req('GET', `${base(n)}/led@system`)).json(), { state: 'off' })
    assert.equal((await req('GET', base(n))).json().indicators.length, 2)
  } finally {
    await t.store.nodes.release(rec.id, 'other-conductor')
  }
})

test('a management interface without indicators: empty list, get/set 404 (nothing to find)', async () => {
  const n = await node({ management_interface: 'noop' })
  const list = await req('GET', base(n))
  assert.equal(list.statusCode, 200, list.body)
  assert.deepEqual(list.json(), { indicators: [] })
  const get = await req('GET', `${base(n)}/led@system`)
  assert.equal(get.statusCode, 404, get.body)
  assert.match(faultOf(get.body), /Its indicators: none/)
})

test('parseIndicatorId splits at the first "@"', () => {
  assert.deepEqual(parseIndicatorId('led@system'), { name: 'led', component: 'system' })
  assert.deepEqual(parseIndicatorId('a@b@c'), { name: 'a', component: 'b@c' })
  assert.throws(() => parseIndicatorId('led'), /Malformed/)
})
