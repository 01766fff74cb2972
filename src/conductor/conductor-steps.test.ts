import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { faultOf, harness, transitions } from '../../test/helpers/conductor-fixtures.js'
import type { ConductorHarness } from '../../test/helpers/conductor-fixtures.js'
import { Periodics } from './periodics.js'
import { NOAUTH_CONTEXT } from '../domain/request-context.js'

let h: ConductorHarness
before(async () => {
  h = await harness({ cleanCallbackTimeoutS: 60, deployCallbackTimeoutS: 60 })
})
after(async () => h.close())

async function record(uuid: string) {
  return (await h.store.nodes.getByUuid(uuid))!
}

test('a step that waits parks the node until continueNode; progress is persisted meanwhile', async () => {
  const n = await h.node({ driver_info: { fake_step_wait: 'erase_devices' } })
  await h.provision(n.uuid, 'manage')
  await h.waitFor(n.uuid, 'manageable')
  await h.provision(n.uuid, 'provide')
  const parked = await h.waitFor(n.uuid, 'clean wait')
  assert.equal(parked.target_provision_state, 'available')
  assert.deepEqual((parked.clean_step as Record<string, unknown>).step, 'erase_devices')
  const rec = await record(n.uuid)
  assert.equal(rec.driver_internal_info.clean_step_index, 1, 'the waiting step counts as running on the agent')
  assert.ok(Array.isArray(rec.driver_internal_info.clean_steps))
  await h.conductor.continueNode(NOAUTH_CONTEXT, rec.uuid)
  const done = await h.waitFor(n.uuid, 'available')
  assert.equal(done.clean_step, null)
  assert.equal((await record(n.uuid)).driver_internal_info.clean_steps, undefined)
  assert.deepEqual(transitions(await h.history(n.uuid)).slice(-3), ['cleaning -> clean wait', 'clean wait -> cleaning', 'cleaning -> available'])
  await assert.rejects(h.conductor.continueNode(NOAUTH_CONTEXT, n.uuid), /not waiting for a callback/)
})

test('deploy wait and hold: wait call-back continues, deploy hold needs unhold', async () => {
  const id = await h.available({ driver_info: { fake_step_wait: 'deploy.deploy' } })
  await h.provision(id, 'deploy')
  await h.waitFor(id, 'wait call-back')
  await h.conductor.continueNode(NOAUTH_CONTEXT, id)
  await h.waitFor(id, 'active')
  const held = await h.available({ driver_info: { fake_step_hold: 'deploy.deploy' } })
  await h.provision(held, 'deploy')
  const s = await h.waitFor(held, 'deploy hold')
  assert.equal(s.target_provision_state, 'active')
  assert.equal((await h.provision(held, 'unhold')).statusCode, 202)
  await h.waitFor(held, 'active')
  assert.deepEqual(transitions(await h.history(held)).slice(-4), ['deploying -> deploy hold', 'deploy hold -> wait call-back', 'wait call-back -> deploying', 'deploying -> active'])
})

test('manual clean with requested steps, a hold step and unhold ends in manageable', async () => {
  const n = await h.node()
  await h.provision(n.uuid, 'manage')
  await h.waitFor(n.uuid, 'manageable')
  const steps = [{ interface: 'deploy', step: 'erase_devices' }, { interface: 'deploy', step: 'hold' }, { interface: 'bios', step: 'factory_reset' }]
  const r = await h.provision(n.uuid, 'clean', { clean_steps: steps })
  assert.equal(r.statusCode, 202, r.body)
  const held = await h.waitFor(n.uuid, 'clean hold')
  assert.equal(held.target_provision_state, 'manageable')
  await h.provision(n.uuid, 'unhold')
  await h.waitFor(n.uuid, 'manageable')
  const ran = (await record(n.uuid)).driver_internal_info.fake_steps_run as string[]
  assert.deepEqual(ran.slice(-2), ['deploy.erase_devices', 'bios.factory_reset'])
  const bad = await h.provision(n.uuid, 'clean', { clean_steps: [{ interface: 'raid', step: 'nope' }] })
  assert.equal(bad.statusCode, 202)
  const failed = await h.waitFor(n.uuid, 'clean failed')
  assert.match(String(failed.last_error), /"raid\.nope" is not offered/)
  const err = (await h.history(n.uuid)).at(-1)!.ferrum_error!
  assert.equal(err.code, 'STEP_INVALID')
})

test('abort from every wait and hold state lands in its failure state with code ABORTED', async () => {
  const cases: { knobs: Record<string, unknown>; setup: (id: string) => Promise<void>; parked: string; failed: string }[] = [
    { knobs: { fake_step_wait: 'erase_devices' }, setup: async (id) => void (await h.provision(id, 'provide')), parked: 'clean wait', failed: 'clean failed' },
    { knobs: { fake_step_hold: 'erase_devices' }, setup: async (id) => void (await h.provision(id, 'provide')), parked: 'clean hold', failed: 'clean failed' },
    { knobs: { fake_step_wait: 'inspect_hardware' }, setup: async (id) => void (await h.provision(id, 'inspect')), parked: 'inspect wait', failed: 'inspect failed' },
    { knobs: { fake_step_wait: 'deploy.deploy' }, setup: async (id) => toAvailableThen(id, 'deploy'), parked: 'wait call-back', failed: 'deploy failed' },
    { knobs: { fake_step_hold: 'deploy.deploy' }, setup: async (id) => toAvailableThen(id, 'deploy'), parked: 'deploy hold', failed: 'deploy failed' },
    { knobs: { fake_step_wait: 'rescue.rescue' }, setup: async (id) => toActiveThen(id, 'rescue', { rescue_password: 'pw' }), parked: 'rescue wait', failed: 'rescue failed' },
    { knobs: { fake_step_wait: 'fake_service' }, setup: async (id) => toActiveThen(id, 'service', { service_steps: [{ interface: 'deploy', step: 'fake_service' }] }), parked: 'service wait', failed: 'service failed' },
    { knobs: { fake_step_hold: 'fake_service' }, setup: async (id) => toActiveThen(id, 'service', { service_steps: [{ interface: 'deploy', step: 'fake_service' }] }), parked: 'service hold', failed: 'service failed' },
  ]
  for (const c of cases) {
    const n = await h.node({ driver_info: c.knobs })
    await h.provision(n.uuid, 'manage')
    await h.waitFor(n.uuid, 'manageable')
    await c.setup(n.uuid)
    await h.waitFor(n.uuid, c.parked)
    const r = await h.provision(n.uuid, 'abort')
    assert.equal(r.statusCode, 202, `${c.parked}: ${r.body}`)
    const s = await h.waitFor(n.uuid, c.failed)
    assert.match(String(s.last_error), /aborted on request/, c.parked)
    const last = (await h.history(n.uuid)).at(-1)!
    assert.equal(last.severity, 'ERROR')
    assert.equal(last.ferrum_error?.code, 'ABORTED', c.parked)
    assert.ok(last.ferrum_error!.phase.startsWith(c.parked), `${c.parked}: phase ${last.ferrum_error!.phase}`)
    assert.ok(last.ferrum_error!.remedy.length > 10)
    assert.equal(s.maintenance, false, 'an abort is not a hardware fault')
    const rec = await record(n.uuid)
    for (const k of ['clean_steps', 'deploy_steps', 'service_steps']) assert.equal(rec.driver_internal_info[k], undefined, `${c.parked}: ${k} forgotten`)
  }
  async function toAvailableThen(id: string, verb: string) {
    await h.provision(id, 'provide')
    await h.waitFor(id, 'available')
    await h.provision(id, verb)
  }
  async function toActiveThen(id: string, verb: string, extra: Record<string, unknown>) {
    await toAvailableThen(id, 'deploy')
    await h.waitFor(id, 'active')
    const r = await h.provision(id, verb, extra)
    assert.equal(r.statusCode, 202, r.body)
  }
})

test('service failed: abort returns to active', async () => {
  const id = await h.available({ driver_info: { fake_fail_step: 'fake_service' } })
  await h.provision(id, 'deploy')
  await h.waitFor(id, 'active')
  await h.provision(id, 'service', { service_steps: [{ interface: 'deploy', step: 'fake_service' }] })
  const failed = await h.waitFor(id, 'service failed')
  assert.match(String(failed.last_error), /service step deploy\.fake_service failed: Fake failure/)
  assert.equal((await h.provision(id, 'abort')).statusCode, 202)
  await h.waitFor(id, 'active')
})

test('abort of running work: an abortable step stops at once, a non-abortable one fails after it', async () => {
  const n = await h.node({ driver_info: { fake_step_sleep_ms: { erase_devices: 60_000 } } })
  await h.provision(n.uuid, 'manage')
  await h.waitFor(n.uuid, 'manageable')
  await h.provision(n.uuid, 'provide')
  await h.waitUntil(n.uuid, (s) => (s.clean_step as { step?: string } | null)?.step === 'erase_devices', 'erase_devices running')
  assert.equal((await h.provision(n.uuid, 'abort')).statusCode, 202)
  const s = await h.waitFor(n.uuid, 'clean failed')
  assert.match(String(s.last_error), /aborted on request \(step deploy\.erase_devices\)/)
  assert.equal((await h.history(n.uuid)).at(-1)!.ferrum_error!.phase, 'cleaning / clean step deploy.erase_devices')

  const id = await h.available({ driver_info: { fake_step_sleep_ms: { 'deploy.deploy': 300 } } })
  await h.provision(id, 'deploy')
  await h.waitUntil(id, (x) => (x.deploy_step as { step?: string } | null)?.step === 'deploy', 'deploy.deploy running')
  assert.equal((await h.provision(id, 'abort')).statusCode, 202)
  assert.equal(((await h.show(id)).deploy_step as { abort_after?: boolean }).abort_after, true)
  const d = await h.waitFor(id, 'deploy failed')
  assert.equal((await h.history(id)).at(-1)!.ferrum_error!.code, 'ABORTED')
  assert.ok(((await record(id)).driver_internal_info.fake_steps_run as string[]).includes('deploy.deploy'), 'the step was allowed to finish')
  assert.equal(d.reservation, null)
  // Tear-down cannot be interrupted: abort is refused while it runs.
  const busy = await h.available({ driver_info: { fake_power_delay_ms: 300 } })
  await h.provision(busy, 'deploy')
  await h.waitFor(busy, 'active')
  await h.provision(busy, 'undeploy')
  const refused = await h.provision(busy, 'abort')
  assert.equal(refused.statusCode, 409)
  assert.match(faultOf(refused.body), /state "deleting".*cannot be aborted/)
  await h.waitFor(busy, 'available')
})

test('a failing clean step: clean failed, maintenance with fault "clean failure", code and phase in history', async () => {
  const n = await h.node({ driver_info: { fake_fail_step: 'deploy.erase_devices' } })
  await h.provision(n.uuid, 'manage')
  await h.waitFor(n.uuid, 'manageable')
  await h.provision(n.uuid, 'provide')
  const s = await h.waitFor(n.uuid, 'clean failed')
  assert.equal(s.maintenance, true)
  assert.equal(s.fault, 'clean failure')
  assert.match(String(s.last_error), /^cleaning \/ clean step deploy\.erase_devices failed: Fake failure/)
  const err = (await h.history(n.uuid)).at(-1)!.ferrum_error!
  assert.deepEqual([err.code, err.phase], ['CLEAN_STEP_FAILED', 'cleaning / clean step deploy.erase_devices'])
  assert.match(err.remedy, /unset maintenance/)
})

test('a failing deploy step: deploy failed with DEPLOY_STEP_FAILED; deploying again restarts the plan', async () => {
  const id = await h.available({ driver_info: { fake_fail_step: 'deploy.deploy' } })
  await h.provision(id, 'deploy')
  await h.waitFor(id, 'deploy failed')
  assert.equal((await h.history(id)).at(-1)!.ferrum_error!.code, 'DEPLOY_STEP_FAILED')
  assert.equal((await record(id)).driver_internal_info.fake_prepared, undefined, 'clean-up ran after the failure')
  const patch = await h.app.inject({ method: 'PATCH', url: `/v1/nodes/${id}`, headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'content-type': 'application/json' }, payload: JSON.stringify([{ op: 'remove', path: '/driver_info/fake_fail_step' }]) })
  assert.equal(patch.statusCode, 200, patch.body)
  await h.provision(id, 'rebuild')
  await h.waitFor(id, 'active')
})

test('wait-state timeouts fail the node with CALLBACK_TIMEOUT; hold states never time out', async () => {
  const periodics = new Periodics(h.conductor)
  const waiting = await h.node({ driver_info: { fake_step_wait: 'erase_devices' } })
  const holding = await h.node({ driver_info: { fake_step_hold: 'erase_devices' } })
  for (const n of [waiting, holding]) {
    await h.provision(n.uuid, 'manage')
    await h.waitFor(n.uuid, 'manageable')
    await h.provision(n.uuid, 'provide')
  }
  await h.waitFor(waiting.uuid, 'clean wait')
  await h.waitFor(holding.uuid, 'clean hold')
  assert.equal(await periodics.checkTimeouts(Date.now() + 30_000), 0, 'not yet')
  assert.ok((await periodics.checkTimeouts(Date.now() + 61_000)) >= 1)
  const s = await h.waitFor(waiting.uuid, 'clean failed')
  assert.match(String(s.last_error), /Timeout reached while waiting for callback .* "clean wait" \(60 s\)/)
  const err = (await h.history(waiting.uuid)).at(-1)!.ferrum_error!
  assert.deepEqual([err.code, err.phase], ['CALLBACK_TIMEOUT', 'clean wait'])
  assert.equal((await h.show(holding.uuid)).provision_state, 'clean hold')
})
