import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, remedyOf, v } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'

let t: TestApp
before(async () => {
  t = await buildTestApp()
})
after(async () => t.close())

async function create(body: Record<string, unknown>, version = 'latest') {
  return t.app.inject({ method: 'POST', url: '/v1/nodes', headers: v(version), payload: body })
}

test('create: enroll at >= 1.11, available (shown as null below 1.2) at 1.1; secrets masked; interfaces defaulted', async () => {
  const r = await create({ driver: 'fake-hardware', name: 'create-1', driver_info: { ipmi_password: 'hunter2', ipmi_address: '10.0.0.1' } })
  assert.equal(r.statusCode, 201)
  const n = r.json()
  assert.equal(n.provision_state, 'enroll')
  assert.equal(n.driver_info.ipmi_password, '******')
  assert.equal(n.driver_info.ipmi_address, '10.0.0.1')
  assert.equal(n.power_interface, 'fake')
  assert.equal(n.network_interface, 'noop')
  assert.match(r.headers.location as string, new RegExp(`/v1/nodes/${n.uuid}$`))
  const old = await create({ driver: 'fake-hardware' }, '1.1')
  assert.equal(old.statusCode, 201)
  assert.equal(old.json().provision_state, null)
  assert.equal(old.json().name, undefined, 'name is hidden below 1.5')
  // The secret is stored, just never shown.
  const stored = await t.store.nodes.getByName('create-1')
  assert.equal(stored?.driver_info.ipmi_password, 'hunter2')
})

test('create rejects bad input with 400 naming the field, newer fields with 406, duplicates with 409', async () => {
  const cases: [Record<string, unknown>, number, RegExp][] = [
    [{ driver: 'fake-hardware', name: 'has space' }, 400, /name/],
    [{ driver: 'fake-hardware', uuid: 'not-a-uuid' }, 400, /uuid/],
    [{ driver: 'fake-hardware', driver_info: 'x' }, 400, /^Schema error for node: 'x' is not of type 'object', 'null'$/],
    [{ driver: 'fake-hardware', bogus: 1 }, 400, /bogus/],
    [{ name: 'x' }, 400, /driver/],
    [{ driver: 'no-such-driver' }, 400, /no-such-driver/],
    [{ driver: 'fake-hardware', power_interface: 'nope' }, 400, /nope/],
    // Ironic refuses a UUID-like name with its invalid-name text.
    [{ driver: 'fake-hardware', name: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }, 400, /^Cannot create node with invalid name '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'$/],
  ]
  for (const [body, status, re] of cases) {
    const r = await create(body)
    assert.equal(r.statusCode, status, JSON.stringify(body))
    assert.match(faultOf(r.body), re, JSON.stringify(body))
  }
  const tooNew = await create({ driver: 'fake-hardware', owner: 'p1' }, '1.49')
  assert.equal(tooNew.statusCode, 406)
  assert.equal(faultOf(tooNew.body), 'Request not acceptable.')
  assert.match(remedyOf(tooNew.body), /"owner" field requires API version newer than 1\.49/)
  assert.equal((await create({ driver: 'fake-hardware', name: 'dup' })).statusCode, 201)
  const dup = await create({ driver: 'fake-hardware', name: 'dup' })
  assert.equal(dup.statusCode, 409)
  assert.match(faultOf(dup.body), /dup already exists/)
})

test('list: short and detailed views, fields, filters, limit/marker/sort with next links', async () => {
  for (let i = 0; i < 5; i++) await create({ driver: 'fake-hardware', name: `page-${i}`, resource_class: i % 2 ? 'odd' : 'even', description: `rack ${i}` })
  const short = (await t.app.inject({ method: 'GET', url: '/v1/nodes', headers: v('latest') })).json()
  assert.deepEqual(Object.keys(short.nodes[0]).sort(), ['instance_uuid', 'links', 'maintenance', 'name', 'power_state', 'provision_state', 'uuid'])
  const detail = (await t.app.inject({ method: 'GET', url: '/v1/nodes/detail', headers: v('latest') })).json()
  assert.ok('driver_info' in detail.nodes[0])
  const detailQ = (await t.app.inject({ method: 'GET', url: '/v1/nodes?detail=True', headers: v('latest') })).json()
  assert.equal(detailQ.nodes.length, detail.nodes.length)
  const f = (await t.app.inject({ method: 'GET', url: '/v1/nodes?fields=uuid,resource_class', headers: v('latest') })).json()
  assert.deepEqual(Object.keys(f.nodes[0]).sort(), ['links', 'resource_class', 'uuid'], 'a fields selection keeps the links, as in Ironic')
  const odd = (await t.app.inject({ method: 'GET', url: '/v1/nodes?resource_class=odd', headers: v('latest') })).json()
  assert.equal(odd.nodes.length, 2)
  const desc = (await t.app.inject({ method: 'GET', url: '/v1/nodes?description_contains=rack%203', headers: v('latest') })).json()
  assert.deepEqual(desc.nodes.map((n: { name: string }) => n.name), ['page-3'])
  // Paging by name descending, two at a time, following next links.
  const seen: (string | null)[] = []
  let url: string | undefined = '/v1/nodes?limit=2&sort_key=name&sort_dir=desc&fields=name'
  while (url) {
    const page: { nodes: { name: string | null }[]; next?: string } = (await t.app.inject({ method: 'GET', url, headers: v('latest') })).json()
    seen.push(...page.nodes.map((n: { name: string | null }) => n.name))
    url = page.next ? new URL(page.next).pathname + new URL(page.next).search : undefined
  }
  const all = (await t.store.nodes.list()).map((n) => n.name)
  const expected = [...all].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? 1 : -1))
  assert.deepEqual(seen, expected)
  // Filters and parameters newer than the version are refused.
  assert.equal((await t.app.inject({ method: 'GET', url: '/v1/nodes?resource_class=odd', headers: v('1.20') })).statusCode, 406)
  assert.equal((await t.app.inject({ method: 'GET', url: '/v1/nodes?sort_key=bogus', headers: v('latest') })).statusCode, 400)
  assert.equal((await t.app.inject({ method: 'GET', url: '/v1/nodes?limit=-1', headers: v('latest') })).statusCode, 400)
})

test('show by name or UUID; 404 names the node', async () => {
  const n = (await create({ driver: 'fake-hardware', name: 'show-me' })).json()
  const byName = await t.app.inject({ method: 'GET', url: '/v1/nodes/show-me', headers: v('latest') })
  assert.equal(byName.json().uuid, n.uuid)
  const byUuid = await t.app.inject({ method: 'GET', url: `/v1/nodes/${n.uuid}?fields=name`, headers: v('latest') })
  // A fields selection keeps the links, as Ironic's does.
  assert.deepEqual(Object.keys(byUuid.json()), ['name', 'links'])
  assert.equal(byUuid.json().name, 'show-me')
  const missing = await t.app.inject({ method: 'GET', url: '/v1/nodes/ghost', headers: v('latest') })
  assert.equal(missing.statusCode, 404)
  assert.match(faultOf(missing.body), /ghost could not be found/)
})

test('JSON Patch: nested add/replace/remove keeps secrets; read-only fields and bad ops are 400', async () => {
  await create({ driver: 'fake-hardware', name: 'patch-me', driver_info: { ipmi_password: 'pw', ipmi_address: 'a' } })
  const patch = (ops: unknown) => t.app.inject({ method: 'PATCH', url: '/v1/nodes/patch-me', headers: v('latest'), payload: ops as object })
  const r = await patch([
    { op: 'replace', path: '/driver_info/ipmi_address', value: '10.1.1.1' },
    { op: 'add', path: '/extra/rack', value: 'r1' },
    { op: 'add', path: '/properties/cpus', value: 8 },
    { op: 'replace', path: '/description', value: 'patched' },
  ])
  assert.equal(r.statusCode, 200, r.body)
  const n = r.json()
  assert.equal(n.driver_info.ipmi_address, '10.1.1.1')
  assert.equal(n.driver_info.ipmi_password, '******')
  assert.equal(n.extra.rack, 'r1')
  const stored = await t.store.nodes.getByName('patch-me')
  assert.equal(stored?.driver_info.ipmi_password, 'pw')
  const removed = await patch([{ op: 'remove', path: '/extra/rack' }, { op: 'remove', path: '/description' }])
  assert.equal(removed.statusCode, 200)
  assert.deepEqual(removed.json().extra, {})
  assert.equal(removed.json().description, null)
  for (const [ops, re] of [
    // Ironic's texts: its PATCH_ALLOWED_FIELDS refusal, its JSON Patch schema, its boolean reading.
    [[{ op: 'replace', path: '/provision_state', value: 'active' }], /^Cannot patch \/provision_state\. Only the following can be updated: automated_clean, /],
    [[{ op: 'move', path: '/name', from: '/x' }], /^Schema error for patch: Additional properties are not allowed \('from' was unexpected\)$/],
    [[{ op: 'remove', path: '/extra/nothere' }], /non-existent/],
    [{ op: 'replace' }, /^Schema error for patch: \{'op': 'replace'\} is not of type 'array'$/],
    [[{ op: 'replace', path: '/name', value: 'bad name' }], /name/],
    [[{ op: 'replace', path: '/maintenance', value: 'maybe' }], /^Invalid maintenance: Unrecognized value 'maybe', acceptable values are: /],
  ] as const) {
    const bad = await patch(ops)
    assert.equal(bad.statusCode, 400, JSON.stringify(ops))
    assert.match(faultOf(bad.body), re, JSON.stringify(ops))
  }
  const unchanged = await t.store.nodes.getByName('patch-me')
  assert.equal(unchanged?.name, 'patch-me')
})

test('driver change re-resolves interfaces; reset_interfaces needs 1.45', async () => {
  await create({ driver: 'fake-hardware', name: 'drv', deploy_interface: 'fake' })
  const r = await t.app.inject({ method: 'PATCH', url: '/v1/nodes/drv?reset_interfaces=true', headers: v('1.44'), payload: [{ op: 'replace', path: '/driver', value: 'manual-management' }] })
  assert.equal(r.statusCode, 406)
  const bad = await t.app.inject({ method: 'PATCH', url: '/v1/nodes/drv?reset_interfaces=true', headers: v('latest'), payload: [{ op: 'replace', path: '/driver', value: 'no-such-type' }] })
  assert.equal(bad.statusCode, 400)
  assert.match(faultOf(bad.body), /no-such-type/)
  const iface = await t.app.inject({ method: 'PATCH', url: '/v1/nodes/drv', headers: v('latest'), payload: [{ op: 'replace', path: '/raid_interface', value: 'no-raid' }] })
  assert.equal(iface.statusCode, 200, iface.body)
  assert.equal(iface.json().raid_interface, 'no-raid')
  const unknown = await t.app.inject({ method: 'PATCH', url: '/v1/nodes/drv', headers: v('latest'), payload: [{ op: 'replace', path: '/raid_interface', value: 'made-up' }] })
  assert.equal(unknown.statusCode, 400)
  assert.match(faultOf(unknown.body), /made-up/)
})

test('traits: add, replace, list, remove; bad traits 400; missing trait 404', async () => {
  await create({ driver: 'fake-hardware', name: 'traits', traits: ['CUSTOM_A'] })
  const url = '/v1/nodes/traits/traits'
  assert.equal((await t.app.inject({ method: 'PUT', url: `${url}/CUSTOM_B`, headers: v('latest') })).statusCode, 204)
  assert.deepEqual((await t.app.inject({ method: 'GET', url, headers: v('latest') })).json(), { traits: ['CUSTOM_A', 'CUSTOM_B'] })
  assert.equal((await t.app.inject({ method: 'PUT', url, headers: v('latest'), payload: { traits: ['CUSTOM_C'] } })).statusCode, 204)
  assert.deepEqual((await t.app.inject({ method: 'GET', url, headers: v('latest') })).json(), { traits: ['CUSTOM_C'] })
  const bad = await t.app.inject({ method: 'PUT', url: `${url}/lower_case`, headers: v('latest') })
  assert.equal(bad.statusCode, 400)
  assert.match(faultOf(bad.body), /CUSTOM_/)
  assert.equal((await t.app.inject({ method: 'DELETE', url: `${url}/CUSTOM_Z`, headers: v('latest') })).statusCode, 404)
  assert.equal((await t.app.inject({ method: 'GET', url, headers: v('1.36') })).statusCode, 406)
})

test('maintenance set/unset with reason; delete rules', async () => {
  const n = (await create({ driver: 'fake-hardware', name: 'maint' })).json()
  assert.equal((await t.app.inject({ method: 'PUT', url: '/v1/nodes/maint/maintenance', headers: v('latest'), payload: { reason: 'disk swap' } })).statusCode, 202)
  let shown = (await t.app.inject({ method: 'GET', url: '/v1/nodes/maint', headers: v('latest') })).json()
  assert.equal(shown.maintenance, true)
  assert.equal(shown.maintenance_reason, 'disk swap')
  assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/nodes/maint/maintenance', headers: v('latest') })).statusCode, 202)
  shown = (await t.app.inject({ method: 'GET', url: '/v1/nodes/maint', headers: v('latest') })).json()
  assert.equal(shown.maintenance, false)
  assert.equal(shown.maintenance_reason, null)
  // An active node can not be deleted; an enrolled one can.
  await t.store.nodes.update(n.id ?? (await t.store.nodes.getByName('maint'))!.id, { provision_state: 'active' })
  const refused = await t.app.inject({ method: 'DELETE', url: '/v1/nodes/maint', headers: v('latest') })
  assert.equal(refused.statusCode, 409)
  assert.match(faultOf(refused.body), /provision state "active"/)
  await t.store.nodes.update((await t.store.nodes.getByName('maint'))!.id, { provision_state: 'enroll' })
  assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/nodes/maint', headers: v('latest') })).statusCode, 204)
  assert.equal(await t.store.nodes.getByName('maint'), null)
})
