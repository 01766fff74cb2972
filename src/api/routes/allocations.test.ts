import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'
import type { ProvisionState } from '../../domain/provision-states.js'
import { startPostgres } from '../../../test/helpers/postgres.js'

let t: TestApp
before(async () => {
  t = await buildTestApp()
})
after(async () => t.close())

/** An available, powered-off fake node straight in the DB (allocation only looks at the DB). */
async function availableNode(t: TestApp, opts: { rc?: string; traits?: string[]; name?: string; state?: ProvisionState; owner?: string } = {}) {
  const n = await t.store.nodes.create({
    driver: 'fake-hardware', name: opts.name ?? null, provision_state: opts.state ?? 'available', power_state: 'power off',
    resource_class: opts.rc ?? 'gold', owner: opts.owner ?? null,
  })
  if (opts.traits) await t.store.nodes.setTraits(n.id, opts.traits)
  return n
}

/**
 * POSTs an allocation. As on Ironic, a 201 answers `allocating` and the conductor processes it
 * afterwards; this waits for that and answers with the processed allocation (`created` is the
 * POST's own body).
 */
async function post(body: unknown, version = 'latest') {
  const r = await t.app.inject({ method: 'POST', url: '/v1/allocations', headers: v(version), payload: JSON.stringify(body) })
  if (r.statusCode !== 201 || r.json().state !== 'allocating') return Object.assign(r, { created: null })
  await t.conductor.idle()
  const done = await t.app.inject({ url: `/v1/allocations/${r.json().uuid}`, headers: v(version) })
  return { statusCode: r.statusCode, headers: r.headers, body: done.body, json: () => done.json(), created: r.json() as { state: string; node_uuid: string | null } }
}

test('create picks a matching node: active, node_uuid set, node gets instance_uuid, allocation_uuid and instance traits', async () => {
  await availableNode(t, { rc: 'silver', traits: ['CUSTOM_A'] })
  const good = await availableNode(t, { rc: 'silver', traits: ['CUSTOM_A', 'CUSTOM_B'] })
  await availableNode(t, { rc: 'bronze', traits: ['CUSTOM_A', 'CUSTOM_B'] })
  const r = await post({ resource_class: 'silver', traits: ['CUSTOM_A', 'CUSTOM_B'], name: 'alloc-1', extra: { k: 'v' } })
  assert.equal(r.statusCode, 201, r.body)
  // Ironic's asynchronous contract: the create answers "allocating", without a node yet.
  assert.deepEqual([r.created?.state, r.created?.node_uuid], ['allocating', null])
  const a = r.json()
  assert.equal(a.state, 'active')
  assert.equal(a.node_uuid, good.uuid)
  assert.equal(a.last_error, null)
  assert.deepEqual(a.extra, { k: 'v' })
  assert.match(r.headers.location as string, new RegExp(`/v1/allocations/${a.uuid}$`))
  const node = (await t.app.inject({ url: `/v1/nodes/${good.uuid}`, headers: v('latest') })).json()
  assert.equal(node.instance_uuid, a.uuid)
  assert.equal(node.allocation_uuid, a.uuid)
  assert.deepEqual(node.instance_info.traits, ['CUSTOM_A', 'CUSTOM_B'])
  const viaNode = await t.app.inject({ url: `/v1/nodes/${good.uuid}/allocation`, headers: v('latest') })
  assert.equal(viaNode.json().uuid, a.uuid)
  const byName = await t.app.inject({ url: '/v1/allocations/alloc-1', headers: v('latest') })
  assert.equal(byName.json().uuid, a.uuid)
})

test('no match: state error with last_error naming the reason; resource_class is mandatory', async () => {
  const none = (await post({ resource_class: 'nonexistent' })).json()
  assert.equal(none.state, 'error')
  assert.equal(none.node_uuid, null)
  assert.match(none.last_error, /no available nodes match the resource class nonexistent/)
  await availableNode(t, { rc: 'copper' })
  const traits = (await post({ resource_class: 'copper', traits: ['CUSTOM_NOPE'] })).json()
  assert.equal(traits.state, 'error')
  assert.match(traits.last_error, /requested traits CUSTOM_NOPE/)
  const missing = await post({ name: 'x' })
  assert.equal(missing.statusCode, 400)
  assert.match(faultOf(missing.body), /resource_class field is mandatory/)
  const badTrait = await post({ resource_class: 'copper', traits: ['lowercase'] })
  assert.equal(badTrait.statusCode, 400)
})

test('candidate_nodes restrict the choice; names resolve to UUIDs; unknown candidates are a 400', async () => {
  await availableNode(t, { rc: 'tin', name: 'tin-1' })
  const n2 = await availableNode(t, { rc: 'tin', name: 'tin-2' })
  const a = (await post({ resource_class: 'tin', candidate_nodes: ['tin-2'] })).json()
  assert.equal(a.node_uuid, n2.uuid)
  assert.deepEqual(a.candidate_nodes, [n2.uuid])
  const bad = await post({ resource_class: 'tin', candidate_nodes: ['no-such-node'] })
  assert.equal(bad.statusCode, 400)
})

test('a node named like the allocation is preferred', async () => {
  for (let i = 0; i < 5; i++) await availableNode(t, { rc: 'named' })
  const n = await availableNode(t, { rc: 'named', name: 'pick-me' })
  const a = (await post({ resource_class: 'named', name: 'pick-me' })).json()
  assert.equal(a.node_uuid, n.uuid)
})

test('maintenance, associated, non-available and unknown-power nodes are never picked', async () => {
  const m = await availableNode(t, { rc: 'lead' })
  await t.store.nodes.update(m.id, { maintenance: true })
  const p = await availableNode(t, { rc: 'lead' })
  await t.store.nodes.update(p.id, { power_state: null })
  await availableNode(t, { rc: 'lead', state: 'manageable' })
  const a = (await post({ resource_class: 'lead' })).json()
  assert.equal(a.state, 'error')
})

test('update changes name and extra only (1.57+); delete frees the node', async () => {
  const n = await availableNode(t, { rc: 'zinc' })
  const a = (await post({ resource_class: 'zinc' })).json()
  const patch = (body: unknown, version = 'latest') =>
    t.app.inject({ method: 'PATCH', url: `/v1/allocations/${a.uuid}`, headers: v(version), payload: JSON.stringify(body) })
  const ok = await patch([{ op: 'add', path: '/name', value: 'zinc-alloc' }, { op: 'add', path: '/extra/x', value: 1 }])
  assert.equal(ok.statusCode, 200, ok.body)
  assert.equal(ok.json().name, 'zinc-alloc')
  assert.deepEqual(ok.json().extra, { x: 1 })
  assert.equal((await patch([{ op: 'replace', path: '/resource_class', value: 'x' }])).statusCode, 400)
  assert.equal((await patch([{ op: 'add', path: '/name', value: 'y' }], '1.56')).statusCode, 405)
  const del = await t.app.inject({ method: 'DELETE', url: '/v1/allocations/zinc-alloc', headers: v('latest') })
  assert.equal(del.statusCode, 204)
  const node = await t.store.nodes.getById(n.id)
  assert.equal(node?.instance_uuid, null)
  assert.equal(node?.allocation_id, null)
  assert.equal((await t.app.inject({ url: `/v1/allocations/${a.uuid}`, headers: v('latest') })).statusCode, 404)
})

test('an allocation can not be removed from an active node outside maintenance', async () => {
  const n = await availableNode(t, { rc: 'iron' })
  const a = (await post({ resource_class: 'iron' })).json()
  await t.store.nodes.update(n.id, { provision_state: 'active' })
  const del = await t.app.inject({ method: 'DELETE', url: `/v1/nodes/${n.uuid}/allocation`, headers: v('latest') })
  assert.equal(del.statusCode, 409)
  assert.match(faultOf(del.body), /because the node is active/)
  await t.store.nodes.update(n.id, { maintenance: true })
  assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/nodes/${n.uuid}/allocation`, headers: v('latest') })).statusCode, 204)
  assert.equal((await t.app.inject({ url: `/v1/allocations/${a.uuid}`, headers: v('latest') })).statusCode, 404)
})

test('clearing instance_uuid on the node ends its allocation', async () => {
  const n = await availableNode(t, { rc: 'cobalt' })
  const a = (await post({ resource_class: 'cobalt' })).json()
  await t.store.nodes.update(n.id, { instance_uuid: null })
  assert.equal((await t.app.inject({ url: `/v1/allocations/${a.uuid}`, headers: v('latest') })).statusCode, 404)
  assert.equal((await t.store.nodes.getById(n.id))?.allocation_id, null)
})

test('backfill (1.58+): an active node with an instance gets an allocation with the instance UUID', async () => {
  const inst = '0b2d1c8e-6f1a-4a57-9d0e-52b5a1f0c001'
  const n = await availableNode(t, { rc: 'nickel', state: 'active' })
  await t.store.nodes.update(n.id, { instance_uuid: inst })
  assert.equal((await post({ node: n.uuid }, '1.57')).statusCode, 400)
  const r = await post({ node: n.uuid })
  assert.equal(r.statusCode, 201, r.body)
  assert.equal(r.json().uuid, inst)
  assert.equal(r.json().state, 'active')
  assert.equal(r.json().resource_class, 'nickel')
  assert.equal(r.json().node_uuid, n.uuid)
  const avail = await availableNode(t, { rc: 'nickel' })
  const refused = await post({ node: avail.uuid })
  assert.equal(refused.statusCode, 409)
  assert.match(faultOf(refused.body), /must be in the "active" state/)
})

test('owner (1.60+): shown, filterable, hidden before; allocations 404 before 1.52', async () => {
  await availableNode(t, { rc: 'owned', owner: 'proj-a' })
  const a = (await post({ resource_class: 'owned', owner: 'proj-a' })).json()
  assert.equal(a.state, 'active')
  assert.equal(a.owner, 'proj-a')
  assert.equal((await post({ resource_class: 'owned', owner: 'p' }, '1.59')).statusCode, 406)
  const old = (await t.app.inject({ url: `/v1/allocations/${a.uuid}`, headers: v('1.59') })).json()
  assert.equal(old.owner, undefined)
  const filtered = (await t.app.inject({ url: '/v1/allocations?owner=proj-a', headers: v('latest') })).json()
  assert.deepEqual(filtered.allocations.map((x: { uuid: string }) => x.uuid), [a.uuid])
  assert.equal((await t.app.inject({ url: '/v1/allocations?owner=proj-a', headers: v('1.59') })).statusCode, 406)
  assert.equal((await t.app.inject({ url: '/v1/allocations', headers: v('1.51') })).statusCode, 404)
  assert.equal((await post({ resource_class: 'x' }, '1.51')).statusCode, 405)
})

test('list: filters by state, resource_class and node; pages with limit and marker; fields', async () => {
  const page1 = (await t.app.inject({ url: '/v1/allocations?limit=2', headers: v('latest') })).json()
  assert.equal(page1.allocations.length, 2)
  assert.match(page1.next, /marker=/)
  const marker = page1.allocations[1].uuid
  const page2 = (await t.app.inject({ url: `/v1/allocations?limit=2&marker=${marker}`, headers: v('latest') })).json()
  assert.notEqual(page2.allocations[0].uuid, page1.allocations[0].uuid)
  const errors = (await t.app.inject({ url: '/v1/allocations?state=error', headers: v('latest') })).json()
  assert.ok(errors.allocations.length > 0 && errors.allocations.every((x: { state: string }) => x.state === 'error'))
  const fields = (await t.app.inject({ url: '/v1/allocations?fields=uuid,state', headers: v('latest') })).json()
  assert.deepEqual(Object.keys(fields.allocations[0]).sort(), ['links', 'state', 'uuid'])
  assert.equal((await t.app.inject({ url: '/v1/allocations?sort_key=traits', headers: v('latest') })).statusCode, 400)
  assert.equal((await t.app.inject({ url: '/v1/allocations?node=nope', headers: v('latest') })).statusCode, 400)
})

/** 50 allocations race for 20 nodes: 20 win distinct nodes, 30 fail, no node is shared. */
async function race(app: TestApp): Promise<void> {
  const nodes = []
  for (let i = 0; i < 20; i++) nodes.push(await availableNode(app, { rc: 'race' }))
  const results = await Promise.all(
    Array.from({ length: 50 }, () => app.app.inject({ method: 'POST', url: '/v1/allocations', headers: v('latest'), payload: JSON.stringify({ resource_class: 'race' }) })),
  )
  for (const r of results) {
    assert.equal(r.statusCode, 201, r.body)
    assert.equal(r.json().state, 'allocating')
  }
  await app.conductor.idle()
  const bodies = await Promise.all(results.map(async (r) => (await app.app.inject({ url: `/v1/allocations/${r.json().uuid}`, headers: v('latest') })).json() as { state: string; node_uuid: string | null; uuid: string }))
  const active = bodies.filter((b) => b.state === 'active')
  assert.equal(active.length, 20)
  assert.equal(bodies.filter((b) => b.state === 'error').length, 30)
  assert.equal(new Set(active.map((b) => b.node_uuid)).size, 20)
  for (const n of nodes) {
    const fresh = await app.store.nodes.getById(n.id)
    const owner = active.find((b) => b.node_uuid === n.uuid)
    assert.equal(fresh?.instance_uuid, owner?.uuid)
  }
}

test('race: 50 concurrent allocations over 20 nodes on SQLite', async () => {
  const app = await buildTestApp()
  try {
    await race(app)
  } finally {
    await app.close()
  }
})

test('race: 50 concurrent allocations over 20 nodes on PostgreSQL', async () => {
  const pg = await startPostgres()
  try {
    const app = await buildTestApp({ dbUrl: await pg.createDatabase('alloc_race') })
    try {
      await race(app)
    } finally {
      await app.close()
    }
  } finally {
    await pg.stop()
  }
})
