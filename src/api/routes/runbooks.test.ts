import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { harness, faultOf } from '../../../test/helpers/conductor-fixtures.js'
import type { ConductorHarness } from '../../../test/helpers/conductor-fixtures.js'
import { v } from '../../../test/helpers/app.js'

let h: ConductorHarness
before(async () => {
  h = await harness()
})
after(async () => h.close())

function req(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, version = 'latest') {
  return h.app.inject({ method, url, headers: v(version), payload: body === undefined ? undefined : JSON.stringify(body) })
}

const STEPS = [
  { interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'ProcVirtualization', value: 'Disabled' }] }, order: 2 },
  { interface: 'raid', step: 'delete_configuration', args: {}, order: 1 },
]

test('runbook CRUD with 1.92 gating and validation', async () => {
  assert.equal((await req('GET', '/v1/runbooks', undefined, '1.91')).statusCode, 404)
  const r = await req('POST', '/v1/runbooks', { name: 'CUSTOM_RB_CRUD', steps: STEPS, public: true, extra: { a: 1 } })
  assert.equal(r.statusCode, 201, r.body)
  const rb = r.json()
  assert.deepEqual(rb.steps.map((s: { order: number }) => s.order), [1, 2], 'steps come back in order')
  assert.equal(rb.public, true)
  assert.deepEqual(Object.keys((await req('GET', '/v1/runbooks')).json().runbooks[0]).sort(), ['links', 'name', 'uuid'])
  const p = await req('PATCH', `/v1/runbooks/${rb.uuid}`, [{ op: 'replace', path: '/public', value: false }, { op: 'add', path: '/owner', value: 'proj' }])
  assert.equal(p.statusCode, 200, p.body)
  assert.equal(p.json().owner, 'proj')
  assert.equal((await req('POST', '/v1/runbooks', { name: 'lower', steps: STEPS })).statusCode, 400)
  assert.equal((await req('POST', '/v1/runbooks', { name: 'CUSTOM_RB_X', steps: [{ ...STEPS[0], interface: 'nope' }] })).statusCode, 400)
  assert.equal((await req('POST', '/v1/runbooks', { name: 'CUSTOM_RB_CRUD', steps: STEPS })).statusCode, 409)
  assert.equal((await req('DELETE', '/v1/runbooks/CUSTOM_RB_CRUD')).statusCode, 204)
})

test('manual clean with a runbook runs its steps in order, only on nodes with the matching trait', async () => {
  await req('POST', '/v1/runbooks', { name: 'CUSTOM_RB_CLEAN', steps: STEPS, public: true })
  const n = await h.node()
  assert.equal((await h.provision(n.uuid, 'manage')).statusCode, 202)
  await h.waitFor(n.uuid, 'manageable')
  const refused = await h.provision(n.uuid, 'clean', { runbook: 'CUSTOM_RB_CLEAN' })
  assert.equal(refused.statusCode, 400)
  assert.match(faultOf(refused.body), /does not have the trait CUSTOM_RB_CLEAN/)
  await h.store.nodes.setTraits((await h.store.nodes.getByUuid(n.uuid))!.id, ['CUSTOM_RB_CLEAN'])
  assert.equal((await h.provision(n.uuid, 'clean', { runbook: 'CUSTOM_RB_CLEAN' }, '1.91')).statusCode, 406)
  assert.equal((await h.provision(n.uuid, 'clean', { runbook: 'CUSTOM_RB_CLEAN' })).statusCode, 202)
  await h.waitFor(n.uuid, 'manageable')
  const rec = (await h.store.nodes.getByUuid(n.uuid))!
  assert.deepEqual(rec.driver_internal_info.fake_bios_settings, { ProcVirtualization: 'Disabled' })
  const steps = (await h.history(n.uuid)).map((e) => e.event).join('\n')
  assert.doesNotMatch(steps, /fail/i)
})

test('a private runbook serves only nodes its owner owns or leases', async () => {
  await req('POST', '/v1/runbooks', { name: 'CUSTOM_RB_PRIV', steps: STEPS, owner: 'proj-a' })
  const other = await h.node({ owner: 'proj-b' })
  const mine = await h.node({ lessee: 'proj-a' })
  for (const n of [other, mine]) {
    await h.store.nodes.setTraits((await h.store.nodes.getByUuid(n.uuid))!.id, ['CUSTOM_RB_PRIV'])
    await h.provision(n.uuid, 'manage')
    await h.waitFor(n.uuid, 'manageable')
  }
  const no = await h.provision(other.uuid, 'clean', { runbook: 'CUSTOM_RB_PRIV' })
  assert.equal(no.statusCode, 400)
  assert.match(faultOf(no.body), /private to project proj-a/)
  assert.equal((await h.provision(mine.uuid, 'clean', { runbook: 'CUSTOM_RB_PRIV' })).statusCode, 202)
  await h.waitFor(mine.uuid, 'manageable')
})
