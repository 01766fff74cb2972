import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { faultOf, harness } from '../../test/helpers/conductor-fixtures.js'
import type { ConductorHarness } from '../../test/helpers/conductor-fixtures.js'
import { v } from '../../test/helpers/app.js'
import { Periodics } from './periodics.js'

let h: ConductorHarness
before(async () => {
  h = await harness({ powerSyncMaxRetries: 2 })
})
after(async () => h.close())

async function patch(uuid: string, ops: unknown[]) {
  const r = await h.app.inject({ method: 'PATCH', url: `/v1/nodes/${uuid}`, headers: v('latest'), payload: JSON.stringify(ops) })
  assert.equal(r.statusCode, 200, r.body)
}

test('power on, off and reboot; target_power_state is shown while the change is in flight', async () => {
  const n = await h.node({ driver_info: { fake_power_delay_ms: 200 } })
  assert.equal((await h.power(n.uuid, 'power on')).statusCode, 202)
  const inFlight = await h.states(n.uuid)
  assert.equal(inFlight.target_power_state, 'power on')
  await h.waitUntil(n.uuid, (s) => s.power_state === 'power on' && s.target_power_state === null && s.reservation === null, 'power on')
  assert.equal((await h.power(n.uuid, 'rebooting')).statusCode, 202)
  assert.equal((await h.states(n.uuid)).target_power_state, 'power on')
  await h.waitUntil(n.uuid, (s) => s.target_power_state === null && s.reservation === null, 'reboot done')
  assert.equal((await h.store.nodes.getByUuid(n.uuid))!.driver_internal_info.fake_reboot_count, 1)
  await h.power(n.uuid, 'power off')
  const off = await h.waitUntil(n.uuid, (s) => s.power_state === 'power off' && s.reservation === null, 'power off')
  assert.equal(off.last_error, null)
  const events = (await h.history(n.uuid)).filter((e) => e.event_type === 'power').map((e) => e.event)
  assert.equal(events.length, 3)
  assert.match(events[0], /"None" to "power on"/)
  const bad = await h.power(n.uuid, 'sideways')
  assert.equal(bad.statusCode, 400)
})

test('soft power off that the OS ignores fails after its timeout with POWER_TIMEOUT', async () => {
  const n = await h.node({ driver_info: { fake_soft_power_ignored: true } })
  await h.power(n.uuid, 'power on')
  await h.waitUntil(n.uuid, (s) => s.power_state === 'power on' && s.reservation === null, 'on')
  assert.equal((await h.power(n.uuid, 'soft power off', 1)).statusCode, 202)
  assert.equal((await h.states(n.uuid)).target_power_state, 'power off')
  const s = await h.waitUntil(n.uuid, (x) => x.target_power_state === null && x.reservation === null, 'soft power off given up', 15_000)
  assert.equal(s.power_state, 'power on', 're-read from the BMC after the failure')
  assert.match(String(s.last_error), /soft power off.*within 1 s/)
  const err = (await h.history(n.uuid)).at(-1)!.ferrum_error!
  assert.deepEqual([err.code, err.phase], ['POWER_TIMEOUT', 'power / soft power off (timeout 1 s)'])
  await h.power(n.uuid, 'soft rebooting', 1)
  await h.waitUntil(n.uuid, (x) => x.target_power_state === null && x.reservation === null, 'soft reboot given up', 15_000)
  assert.equal((await h.history(n.uuid)).at(-1)!.ferrum_error!.code, 'POWER_TIMEOUT')
})

test('a failing BMC: POWER_ACTION_FAILED with a remedy, power state unknown', async () => {
  const n = await h.node({ driver_info: { fake_power_fail: true, fake_power_read_fail: true } })
  await h.power(n.uuid, 'power on')
  const s = await h.waitUntil(n.uuid, (x) => x.target_power_state === null && x.reservation === null, 'failed')
  assert.equal(s.power_state, 'error')
  assert.match(String(s.last_error), /Failed to change power state to "power on" by the power interface "fake"/)
  const err = (await h.history(n.uuid)).at(-1)!.ferrum_error!
  assert.equal(err.code, 'POWER_ACTION_FAILED')
  assert.match(err.remedy, /BMC/)
})

test('power sync: out-of-band changes are recorded; repeated failures mean maintenance "power failure", recovery clears it', async () => {
  const periodics = new Periodics(h.conductor)
  const id = await h.available()
  const rec = (await h.store.nodes.getByUuid(id))!
  // Someone pressed the power button.
  await h.store.nodes.update(rec.id, { driver_internal_info: { ...rec.driver_internal_info, fake_power_state: 'power on' } })
  await periodics.syncPowerStates()
  assert.equal((await h.show(id)).power_state, 'power on')
  assert.ok((await h.history(id)).some((e) => /Power state sync: "power off" -> "power on"/.test(e.event)))

  await patch(id, [{ op: 'add', path: '/driver_info/fake_power_read_fail', value: true }])
  await periodics.syncPowerStates()
  assert.equal((await h.show(id)).maintenance, false, 'one failure is not enough')
  await periodics.syncPowerStates()
  const broken = await h.show(id)
  assert.equal(broken.maintenance, true)
  assert.equal(broken.fault, 'power failure')
  assert.equal(broken.power_state, null)
  assert.equal((await h.history(id)).at(-1)!.ferrum_error!.code, 'POWER_SYNC_FAILED')

  await patch(id, [{ op: 'remove', path: '/driver_info/fake_power_read_fail' }])
  await periodics.syncPowerStates()
  const healed = await h.show(id)
  assert.equal(healed.maintenance, false)
  assert.equal(healed.fault, null)
  assert.equal(healed.power_state, 'power on')
})

test('crash recovery: stale locks released, working nodes failed with CONDUCTOR_RESTARTED, parked nodes kept', async () => {
  const periodics = new Periodics(h.conductor)
  const cleaning = await h.node()
  const deploying = await h.node()
  const parked = await h.node()
  const host = h.conductor.hostname
  const c = (await h.store.nodes.getByUuid(cleaning.uuid))!
  await h.store.nodes.update(c.id, { provision_state: 'cleaning', target_provision_state: 'available', reservation: host, clean_step: { interface: 'deploy', step: 'erase_devices', priority: 10, args: {} }, driver_internal_info: { clean_steps: [], clean_step_index: 0 } })
  const d = (await h.store.nodes.getByUuid(deploying.uuid))!
  await h.store.nodes.update(d.id, { provision_state: 'deploying', target_provision_state: 'active', reservation: host, target_power_state: 'power on' })
  const p = (await h.store.nodes.getByUuid(parked.uuid))!
  await h.store.nodes.update(p.id, { provision_state: 'clean wait', target_provision_state: 'available' })
  const report = await periodics.recover()
  assert.ok(report.released >= 2 && report.failed >= 2)
  const cs = await h.show(cleaning.uuid)
  assert.deepEqual([cs.provision_state, cs.reservation, cs.maintenance], ['clean failed', null, false])
  assert.match(String(cs.last_error), /restarted while the node was "cleaning" \(step deploy\.erase_devices\)/)
  const err = (await h.history(cleaning.uuid)).at(-1)!.ferrum_error!
  assert.deepEqual([err.code, err.phase], ['CONDUCTOR_RESTARTED', 'cleaning / clean step deploy.erase_devices'])
  assert.equal((await h.store.nodes.getByUuid(cleaning.uuid))!.driver_internal_info.clean_steps, undefined)
  const ds = await h.show(deploying.uuid)
  assert.deepEqual([ds.provision_state, ds.reservation, ds.target_power_state], ['deploy failed', null, null])
  assert.equal((await h.show(parked.uuid)).provision_state, 'clean wait')
})

test('validate per interface, boot device get/set/supported, inject NMI', async () => {
  const n = await h.node({ driver_info: { fake_step_sleep_ms: 'slow' } })
  const r = await h.app.inject({ method: 'GET', url: `/v1/nodes/${n.uuid}/validate`, headers: v('latest') })
  const body = r.json() as Record<string, { result: boolean; reason?: string }>
  assert.equal(body.power.result, true)
  assert.equal(body.deploy.result, false)
  assert.match(body.deploy.reason!, /fake_step_sleep_ms/)
  // As Ironic: every interface but vendor, whatever the version.
  assert.equal('vendor' in body, false)
  const old = (await h.app.inject({ method: 'GET', url: `/v1/nodes/${n.uuid}/validate`, headers: v('1.1') })).json() as Record<string, unknown>
  assert.deepEqual(Object.keys(old).sort(), ['bios', 'boot', 'console', 'deploy', 'inspect', 'management', 'network', 'power', 'raid', 'rescue', 'storage'])
  const m = await h.node({ management_interface: 'noop' })
  const mv = (await h.app.inject({ method: 'GET', url: `/v1/nodes/${m.uuid}/validate`, headers: v('latest') })).json() as Record<string, { result: boolean }>
  assert.equal(mv.management.result, true)
  assert.equal(mv.network.result, true)

  const set = await h.app.inject({ method: 'PUT', url: `/v1/nodes/${n.uuid}/management/boot_device`, headers: v('latest'), payload: JSON.stringify({ boot_device: 'cdrom', persistent: true }) })
  assert.equal(set.statusCode, 204, set.body)
  const got = await h.app.inject({ method: 'GET', url: `/v1/nodes/${n.uuid}/management/boot_device`, headers: v('latest') })
  assert.deepEqual(got.json(), { boot_device: 'cdrom', persistent: true })
  const sup = await h.app.inject({ method: 'GET', url: `/v1/nodes/${n.uuid}/management/boot_device/supported`, headers: v('latest') })
  assert.ok((sup.json() as { supported_boot_devices: string[] }).supported_boot_devices.includes('pxe'))
  const bad = await h.app.inject({ method: 'PUT', url: `/v1/nodes/${n.uuid}/management/boot_device`, headers: v('latest'), payload: JSON.stringify({ boot_device: 'wanboot' }) })
  assert.equal(bad.statusCode, 400)
  assert.match(faultOf(bad.body), /not supported/)
  const nmi = await h.app.inject({ method: 'PUT', url: `/v1/nodes/${n.uuid}/management/inject_nmi`, headers: v('latest'), payload: '{}' })
  assert.equal(nmi.statusCode, 204)
  assert.equal((await h.store.nodes.getByUuid(n.uuid))!.driver_internal_info.fake_nmi_count, 1)
})

test('stop() cancels queued and running work without hanging; the nodes fail with CONDUCTOR_STOPPED', async () => {
  const other = await harness({ maxConcurrentCleans: 1 })
  try {
    const ids: string[] = []
    for (let i = 0; i < 2; i++) {
      const n = await other.node({ driver_info: { fake_step_sleep_ms: { erase_devices: 60_000 } } })
      await other.provision(n.uuid, 'manage')
      await other.waitFor(n.uuid, 'manageable')
      await other.provision(n.uuid, 'provide')
      ids.push(n.uuid)
    }
    await other.waitUntil(ids[1], (s) => s.provision_state === 'cleaning' && other.conductor.cleanQueue.waiting === 1, 'second node queued')
    await other.conductor.stop()
    for (const id of ids) {
      const s = await other.show(id)
      assert.deepEqual([s.provision_state, s.reservation], ['clean failed', null])
      assert.equal((await other.history(id)).at(-1)!.ferrum_error!.code, 'CONDUCTOR_STOPPED')
    }
  } finally {
    await other.close()
  }
})
