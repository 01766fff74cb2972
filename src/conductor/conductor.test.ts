import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { verify } from 'unixcrypt'
import { faultOf, harness, transitions } from '../../test/helpers/conductor-fixtures.js'
import type { ConductorHarness } from '../../test/helpers/conductor-fixtures.js'

let h: ConductorHarness
before(async () => {
  h = await harness({ maxConcurrentDeploys: 1 })
})
after(async () => h.close())

test('enroll -> manage -> provide -> deploy (config drive) -> active -> undeploy -> available, all in history', async () => {
  const n = await h.node()
  assert.equal((await h.provision(n.uuid, 'manage')).statusCode, 202)
  await h.waitFor(n.uuid, 'manageable')
  assert.equal((await h.provision(n.uuid, 'provide')).statusCode, 202)
  await h.waitFor(n.uuid, 'available')
  const r = await h.provision(n.uuid, 'deploy', { configdrive: 'H4sICDw-config-drive' })
  assert.equal(r.statusCode, 202, r.body)
  const active = await h.waitFor(n.uuid, 'active')
  assert.equal(active.power_state, 'power on')
  assert.equal(active.target_provision_state, null)
  assert.equal((active.instance_info as Record<string, unknown>).configdrive !== undefined, true)
  const stored = await h.store.nodes.getByUuid(n.uuid)
  assert.ok((stored!.driver_internal_info.fake_steps_run as string[]).includes('deploy.deploy'))
  assert.equal(stored!.driver_internal_info.fake_deployed, true)
  assert.equal(stored!.driver_internal_info.deploy_steps, undefined, 'the plan is forgotten once done')
  assert.equal((await h.provision(n.uuid, 'undeploy')).statusCode, 202)
  const back = await h.waitFor(n.uuid, 'available')
  assert.equal(back.power_state, 'power off')
  assert.deepEqual(back.instance_info, {})
  const history = await h.history(n.uuid)
  assert.deepEqual(transitions(history), [
    'enroll -> verifying', 'verifying -> manageable', 'manageable -> cleaning', 'cleaning -> available',
    'available -> deploying', 'deploying -> active', 'active -> deleting', 'deleting -> cleaning', 'cleaning -> available',
  ])
  for (const e of history.filter((x) => x.event_type === 'provisioning')) {
    assert.equal(typeof e.ferrum_duration_ms, 'number', `${e.event} has a duration`)
    assert.ok(e.ferrum_duration_ms! >= 0)
    assert.match(e.created_at, /^\d{4}-\d\d-\d\dT/)
  }
})

test('invalid verbs: 400 naming the state and the verbs allowed there (per microversion); unknown verb 400', async () => {
  const n = await h.node()
  const r = await h.provision(n.uuid, 'deploy')
  assert.equal(r.statusCode, 400, 'a 400, as Ironic answers, so clients do not retry')
  assert.match(faultOf(r.body), /"deploy" can not be performed on node "[0-9a-f-]{36}" while it is in state "enroll"\. Allowed: manage\./)
  const id = await h.available()
  const old = await h.provision(id, 'clean', { clean_steps: [] }, '1.20')
  assert.equal(old.statusCode, 400)
  const msg = faultOf(old.body)
  assert.match(msg, /state "available"/)
  assert.match(msg, /Allowed: manage, active\.$/, '"deploy" needs 1.73, the client asked for 1.20')
  assert.match(faultOf((await h.provision(id, 'clean', { clean_steps: [] })).body), /Allowed: manage, active, deploy\.$/)
  const bogus = await h.provision(id, 'explode')
  assert.equal(bogus.statusCode, 400)
  // As Ironic: an unknown verb is one the node's state does not take; the allowed ones follow.
  assert.match(faultOf(bogus.body), /^The requested action "explode" can not be performed on node "[0-9a-f-]+" while it is in state "available"\. Allowed: manage, active, deploy\.$/)
  const tooNew = await h.provision(id, 'deploy', {}, '1.60')
  assert.equal(tooNew.statusCode, 406)
})

test('a busy node answers 409 "locked by <conductor>" and unlocks when done', async () => {
  const id = await h.available({ driver_info: { fake_step_sleep_ms: { 'deploy.deploy': 300 } } })
  assert.equal((await h.provision(id, 'deploy')).statusCode, 202)
  const second = await h.power(id, 'power off')
  assert.equal(second.statusCode, 409)
  assert.match(faultOf(second.body), /is locked by host test-conductor/)
  const verb = await h.provision(id, 'undeploy')
  assert.equal(verb.statusCode, 409, 'a verb the busy state refuses is "locked", as in Ironic')
  assert.match(faultOf(verb.body), /is locked by host test-conductor/)
  await h.waitFor(id, 'active')
  assert.equal((await h.power(id, 'power off')).statusCode, 202)
  await h.waitUntil(id, (s) => s.power_state === 'power off' && s.reservation === null, 'power off')
})

test('past maxConcurrentDeploys, deploys wait in a fair queue and show ferrum_queue_position', async () => {
  const ids: string[] = []
  for (let i = 0; i < 3; i++) ids.push(await h.available({ driver_info: { fake_step_sleep_ms: { 'deploy.deploy': 200 } } }))
  for (const id of ids) assert.equal((await h.provision(id, 'deploy')).statusCode, 202)
  const positions = await Promise.all(ids.map(async (id) => (await h.states(id)).ferrum_queue_position))
  assert.deepEqual(positions, [null, 1, 2])
  assert.equal((await h.states(ids[1])).provision_state, 'deploying')
  const finished: string[] = []
  await Promise.all(ids.map(async (id) => {
    await h.waitFor(id, 'active')
    finished.push(id)
  }))
  assert.deepEqual(finished, ids, 'first come, first served')
  assert.equal((await h.states(ids[2])).ferrum_queue_position, null)
})

test('rebuild, rescue/unrescue, service and the delete rules', async () => {
  const id = await h.available()
  assert.equal((await h.provision(id, 'active')).statusCode, 202)
  await h.waitFor(id, 'active')
  assert.equal((await h.provision(id, 'rebuild', { configdrive: 'H4sIAnew' })).statusCode, 202)
  await h.waitFor(id, 'active')
  const rescue = await h.provision(id, 'rescue', { rescue_password: 's3cret' })
  assert.equal(rescue.statusCode, 202, rescue.body)
  await h.waitFor(id, 'rescue')
  // Only the password's SHA-512 crypt hash is stored; the plain text is nowhere in the row.
  const rescued = await h.store.nodes.getByUuid(id)
  const ii = rescued!.instance_info as Record<string, string>
  assert.equal(ii.rescue_password, '******')
  assert.ok(verify('s3cret', ii.hashed_rescue_password), ii.hashed_rescue_password)
  assert.doesNotMatch(JSON.stringify(rescued), /s3cret/)
  assert.equal((await h.provision(id, 'unrescue')).statusCode, 202)
  const unrescued = await h.waitFor(id, 'active')
  assert.equal((unrescued.instance_info as Record<string, unknown>).rescue_password, undefined)
  const svc = await h.provision(id, 'service', { service_steps: [{ interface: 'deploy', step: 'fake_service' }] })
  assert.equal(svc.statusCode, 202, svc.body)
  await h.waitFor(id, 'active')
  const stored = await h.store.nodes.getByUuid(id)
  assert.ok((stored!.driver_internal_info.fake_steps_run as string[]).includes('deploy.fake_service'))
  // An active node cannot be deleted; a protected one cannot be undeployed either.
  const del = await h.app.inject({ method: 'DELETE', url: `/v1/nodes/${id}`, headers: { 'X-OpenStack-Ironic-API-Version': 'latest' } })
  assert.equal(del.statusCode, 409)
  const patch = await h.app.inject({ method: 'PATCH', url: `/v1/nodes/${id}`, headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'content-type': 'application/json' }, payload: JSON.stringify([{ op: 'replace', path: '/protected', value: true }]) })
  assert.equal(patch.statusCode, 200, patch.body)
  const refused = await h.provision(id, 'undeploy')
  assert.equal(refused.statusCode, 403) // Ironic's NodeProtected is an HTTPForbidden
  assert.match(faultOf(refused.body), /protected/)
  assert.equal((await h.show(id)).provision_state, 'active')
  assert.deepEqual(transitions(await h.history(id)).slice(-8), [
    'active -> deploying', 'deploying -> active', 'active -> rescuing', 'rescuing -> rescue',
    'rescue -> unrescuing', 'unrescuing -> active', 'active -> servicing', 'servicing -> active',
  ])
})

test('maintenance refuses work that needs a healthy node and is recorded in history', async () => {
  const n = await h.node()
  const put = await h.app.inject({ method: 'PUT', url: `/v1/nodes/${n.uuid}/maintenance`, headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'content-type': 'application/json' }, payload: JSON.stringify({ reason: 'disk swap' }) })
  assert.equal(put.statusCode, 202)
  const r = await h.provision(n.uuid, 'manage')
  assert.equal(r.statusCode, 400)
  assert.match(faultOf(r.body), /maintenance mode \(disk swap\)/)
  const history = await h.history(n.uuid)
  assert.ok(history.some((e) => e.event_type === 'maintenance' && /disk swap/.test(e.event)))
})
