import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DriverError } from '../../domain/errors.js'
import type { IpmiAccess } from './ipmi-access.js'
import { IpmiPower } from './ipmi-power.js'
import { ipmiContext, ipmiNode, startIpmiLab, testAccess, type IpmiLab } from '../../../test/helpers/ipmi-test-kit.js'

for (const suite of [3, 17] as const) {
  describe(`IpmiPower against the lab BMC, cipher suite ${suite}`, () => {
    let lab: IpmiLab
    let access: IpmiAccess
    let power: IpmiPower
    const ctx = () => ipmiContext(ipmiNode(lab, { ipmi_cipher_suite: String(suite) }))
    before(async () => {
      lab = await startIpmiLab()
      access = testAccess()
      power = new IpmiPower(access)
    })
    after(async () => {
      await access.close()
      await lab.stop()
    })

    test('validates driver_info and reads the power state', async () => {
      power.validate(ctx().node)
      assert.equal(await power.getPowerState(ctx()), 'power off')
    })

    test('power on, on again is a no-op, power off', async () => {
      await power.setPowerState(ctx(), 'power on')
      assert.equal(lab.machine.powerState(), 'on')
      const seen = lab.events.length
      await power.setPowerState(ctx(), 'power on')
      assert.equal(lab.events.length, seen, 'no second power-on')
      assert.equal(await power.getPowerState(ctx()), 'power on')
      await power.setPowerState(ctx(), 'power off')
      assert.equal(lab.machine.powerState(), 'off')
      assert.deepEqual(lab.events.at(-1), { kind: 'power-off', soft: false })
    })

    test('reboot goes off then on (a stopped node is just powered on)', async () => {
      lab.events.length = 0
      await power.reboot(ctx())
      assert.deepEqual(lab.events.map((e) => e.kind), ['power-on'])
      await power.reboot(ctx())
      assert.deepEqual(lab.events.map((e) => e.kind), ['power-on', 'power-off', 'power-on'])
      assert.equal(lab.machine.powerState(), 'on')
    })

    test('soft power off and soft reboot ask the OS (ACPI soft-off)', async () => {
      lab.events.length = 0
      await power.setPowerState(ctx(), 'soft rebooting')
      assert.deepEqual(lab.events, [{ kind: 'power-off', soft: true }, { kind: 'power-on', bootedFrom: 'none' }])
      await power.setPowerState(ctx(), 'soft power off', { timeoutMs: 30_000 })
      assert.deepEqual(lab.events.at(-1), { kind: 'power-off', soft: true })
      assert.equal(await power.getPowerState(ctx()), 'power off')
    })

    test('reuses one RMCP+ session across calls and interfaces', async () => {
      assert.equal(access.pool.size, 1)
      assert.equal(lab.bmc.sessionCount, 1)
    })
  })
}

describe('IpmiPower soft power off when the OS ignores it', () => {
  let lab: IpmiLab
  let access: IpmiAccess
  before(async () => {
    lab = await startIpmiLab({ deaf: true })
    access = testAccess()
  })
  after(async () => {
    await access.close()
    await lab.stop()
  })

  test('polls until the timeout, then fails with FERRUM_POWER_TIMEOUT; the node stays on', async () => {
    const power = new IpmiPower(access)
    const ctx = ipmiContext(ipmiNode(lab))
    await power.setPowerState(ctx, 'power on')
    const start = ctx.clock.now()
    await assert.rejects(power.setPowerState(ctx, 'soft power off', { timeoutMs: 5000 }), (e: unknown) => {
      assert.ok(e instanceof DriverError)
      assert.equal(e.code, 'FERRUM_POWER_TIMEOUT')
      assert.match(e.message, /did not reach "power off" within 5 s of a "soft power off" request.*it is "power on"/)
      return true
    })
    // The manual clock moved by the poll sleeps only: the wait honoured the timeout.
    assert.ok(ctx.clock.now() - start >= 5000)
    assert.deepEqual(lab.events.at(-1), { kind: 'power-on', bootedFrom: 'none' })
    assert.equal(lab.machine.powerState(), 'on')
  })

  test('soft reboot fails the same way without powering on again', async () => {
    const power = new IpmiPower(access)
    const ctx = ipmiContext(ipmiNode(lab))
    const seen = lab.events.length
    await assert.rejects(power.setPowerState(ctx, 'soft rebooting', { timeoutMs: 3000 }), /did not reach "power off" within 3 s/)
    assert.equal(lab.events.length, seen)
  })
})
