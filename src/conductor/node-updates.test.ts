import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../test/helpers/app.js'
import type { TestApp } from '../../test/helpers/app.js'
import { NOAUTH_CONTEXT } from '../domain/request-context.js'

let t: TestApp
before(async () => {
  t = await buildTestApp()
})
after(async () => t.close())

const patch = (node: string, ops: unknown[]) => t.app.inject({ method: 'PATCH', url: `/v1/nodes/${node}`, headers: v('latest'), payload: JSON.stringify(ops) })

test('PATCH and DELETE take the node lock: a node another conductor holds answers 409 and is left as it was', async () => {
  const n = await t.store.nodes.create({ driver: 'fake-hardware', name: 'locked-update', provision_state: 'manageable' })
  await t.store.nodes.update(n.id, { reservation: 'other-conductor' })
  const p = await patch(n.uuid, [{ op: 'add', path: '/description', value: 'x' }])
  assert.equal(p.statusCode, 409, p.body)
  assert.match(faultOf(p.body), /locked by host other-conductor/)
  const d = await t.app.inject({ method: 'DELETE', url: `/v1/nodes/${n.uuid}`, headers: v('latest') })
  assert.equal(d.statusCode, 409, d.body)
  const kept = (await t.store.nodes.getById(n.id))!
  assert.equal(kept.description, null)
  assert.equal(kept.reservation, 'other-conductor', 'the holder keeps its lock')

  await t.store.nodes.update(n.id, { reservation: null })
  const ok = await patch(n.uuid, [{ op: 'add', path: '/description', value: 'x' }])
  assert.equal(ok.statusCode, 200, ok.body)
  assert.equal(ok.json().description, 'x')
  assert.equal(ok.json().reservation, null, 'the update released its lock')
  assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/nodes/${n.uuid}`, headers: v('latest') })).statusCode, 204)
  assert.equal(await t.store.nodes.getById(n.id), null)
})

test('updateNode checks the locked record: protection is judged on the state the lock found', async () => {
  const n = await t.store.nodes.create({ driver: 'fake-hardware', name: 'protected-update', provision_state: 'active', protected: true })
  await assert.rejects(
    t.conductor.updateNode(NOAUTH_CONTEXT, n.uuid, { changes: { instance_info: { image_source: 'http://x' } } }),
    (e: unknown) => (e as { httpStatus?: number }).httpStatus === 403 && /protected/.test((e as Error).message),
  )
  await t.conductor.updateNode(NOAUTH_CONTEXT, n.uuid, { changes: { protected: false, protected_reason: null, instance_info: { image_source: 'http://x' } } })
  const after = (await t.store.nodes.getById(n.id))!
  assert.deepEqual([after.protected, after.instance_info, after.reservation], [false, { image_source: 'http://x' }, null])
})
