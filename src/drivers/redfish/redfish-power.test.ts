import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { BasicMachine, defaultHardware } from '../../lab/basic-machine.js'
import { RedfishError } from '../../protocols/redfish/errors.js'
import { makeNodeView } from '../testing/fixtures.js'
import { RedfishManagement } from './redfish-management.js'
import { RedfishPower } from './redfish-power.js'
import { type RedfishLab, startRedfishLab } from '../../../test/helpers/redfish-test-kit.js'

/** A machine whose OS ignores ACPI requests. */
class StubbornMachine extends BasicMachine {
  override async softOff(): Promise<void> {}
}

for (const personality of ['generic', 'idrac'] as const) {
  describe(`RedfishPower against the ${personality} lab BMC`, () => {
    let lab: RedfishLab
    let power: RedfishPower
    before(async () => {
      lab = await startRedfishLab(personality)
      power = new RedfishPower({ connections: lab.connections })
    })
    after(() => lab.stop())

    test('reads the power state', async () => {
      assert.equal(await power.getPowerState(lab.ctx()), 'power off')
    })

    test('power on, then on again is a no-op; power off', async () => {
      await power.setPowerState(lab.ctx(), 'power on')
      assert.equal(lab.machine.powerState(), 'on')
      const events = lab.events.length
      await power.setPowerState(lab.ctx(), 'power on')
      assert.equal(lab.events.length, events, 'no second power-on')
      assert.equal(await power.getPowerState(lab.ctx()), 'power on')
      await power.setPowerState(lab.ctx(), 'power off')
      assert.equal(lab.machine.powerState(), 'off')
      assert.deepEqual(lab.events.at(-1), { kind: 'power-off', soft: false })
    })

    test('reboot resets a running node and powers on a stopped one', async () => {
      await power.reboot(lab.ctx())
      assert.equal(lab.events.at(-1)?.kind, 'power-on')
      await power.reboot(lab.ctx())
      assert.equal(lab.events.at(-1)?.kind, 'reset')
      assert.equal(lab.machine.powerState(), 'on')
    })

    test('soft power off and soft reboot go through the OS', async () => {
      await power.setPowerState(lab.ctx(), 'soft rebooting')
      assert.deepEqual(lab.events.slice(-2).map((e) => e.kind), ['power-off', 'power-on'])
      await power.setPowerState(lab.ctx(), 'soft power off', { timeoutMs: 10_000 })
      assert.deepEqual(lab.events.at(-1), { kind: 'power-off', soft: true })
      assert.equal(await power.getPowerState(lab.ctx()), 'power off')
    })

    test('NMI through management; refused while the node is off', async () => {
      const mgmt = new RedfishManagement({ connections: lab.connections })
      await assert.rejects(mgmt.injectNmi(lab.ctx()), (e: unknown) => e instanceof RedfishError && e.status === 409)
      await power.setPowerState(lab.ctx(), 'power on')
      await mgmt.injectNmi(lab.ctx())
      assert.deepEqual(lab.events.at(-1), { kind: 'nmi' })
      await power.setPowerState(lab.ctx(), 'power off')
    })

    test('wrong password: REDFISH_AUTH_FAILED, not retried forever', async () => {
      const node = lab.node({ redfish_password: 'wrong' })
      await assert.rejects(power.getPowerState(lab.ctx(node)), (e: unknown) => e instanceof RedfishError && e.code === 'REDFISH_AUTH_FAILED')
    })
  })
}

describe('RedfishPower: soft power off that the OS ignores', () => {
  let lab: RedfishLab
  before(async () => {
    const machine = new StubbornMachine({ name: 'stubborn', hardware: defaultHardware() })
    lab = await startRedfishLab('generic', { machine })
    await machine.powerOn()
  })
  after(() => lab.stop())

  test('times out with FERRUM_POWER_TIMEOUT after polling until the deadline', async () => {
    const power = new RedfishPower({ connections: lab.connections, pollMs: 1000 })
    const ctx = lab.ctx()
    const start = ctx.clock.now()
    await assert.rejects(power.setPowerState(ctx, 'soft power off', { timeoutMs: 30_000 }), (e: unknown) => {
      assert.ok(e instanceof Error && 'code' in e)
      assert.equal((e as { code: string }).code, 'FERRUM_POWER_TIMEOUT')
      assert.match(e.message, /did not reach "power off" within 30 s.*GracefulShutdown/)
      return true
    })
    assert.ok(ctx.clock.now() - start >= 30_000, 'waited on the (manual) clock until the deadline')
    assert.equal(lab.machine.powerState(), 'on')
  })
})

describe('RedfishPower: validate', () => {
  const power = new RedfishPower()
  const node = (info: Record<string, unknown>) => makeNodeView({ driver: 'redfish', driverInfo: info })

  test('requires redfish_address and checks every field', () => {
    assert.throws(() => power.validate(node({})), /missing driver_info field\(s\).*redfish_address/)
    assert.throws(() => power.validate(node({ redfish_address: 'ftp://bmc' })), /scheme must be http or https/)
    assert.throws(() => power.validate(node({ redfish_address: 'https://u:p@bmc' })), /credentials in redfish_username/)
    assert.throws(() => power.validate(node({ redfish_address: 'bmc', redfish_auth_type: 'token' })), /redfish_auth_type.*not one of auto, session, basic/)
    assert.throws(() => power.validate(node({ redfish_address: 'bmc', redfish_verify_ca: '/nonexistent/ca.pem' })), /redfish_verify_ca.*neither a boolean nor an existing CA bundle/)
    assert.throws(() => power.validate(node({ redfish_address: 'bmc', redfish_verify_ca: 3 })), /redfish_verify_ca/)
    assert.throws(() => power.validate(node({ redfish_address: 'bmc', redfish_system_id: '/Systems/1' })), /redfish_system_id/)
    assert.throws(() => power.validate(node({ redfish_address: 'bmc', redfish_username: 5 })), /redfish_username.*string/)
    power.validate(node({ redfish_address: '10.0.0.5' }))
    power.validate(node({ redfish_address: 'http://[::1]:8000', redfish_verify_ca: 'False', redfish_auth_type: 'basic', redfish_system_id: '/redfish/v1/Systems/1' }))
  })

  test('describes its driver_info properties', () => {
    assert.deepEqual(Object.keys(power.getProperties()).sort(), [
      'redfish_address',
      'redfish_auth_type',
      'redfish_password',
      'redfish_system_id',
      'redfish_username',
      'redfish_verify_ca',
    ])
  })
})
