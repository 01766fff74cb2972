/**
 * The ipmitool power and management interfaces against openipmi's ipmi_sim, an independent BMC
 * (cipher suite 3 only). Its chassis_control hook records what it was asked to do.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DriverError } from '../../domain/errors.js'
import { startIpmiSim, type IpmiSim } from '../../../test/helpers/ipmi-sim.js'
import type { IpmiAccess } from './ipmi-access.js'
import { IpmiManagement } from './ipmi-management.js'
import { IpmiPower } from './ipmi-power.js'
import { ipmiContext, ipmiNode, testAccess } from '../../../test/helpers/ipmi-test-kit.js'

describe('ipmitool power and management against ipmi_sim (cipher suite 3)', () => {
  let sim: IpmiSim
  let access: IpmiAccess
  let power: IpmiPower
  let mgmt: IpmiManagement
  const ctx = (info: Record<string, unknown> = {}) => ipmiContext(ipmiNode(sim, { ipmi_cipher_suite: '3', ...info }))
  const callsSince = async (n: number) => (await sim.calls()).slice(n)

  before(async () => {
    sim = await startIpmiSim()
    // ipmi_sim needs a moment to bind: the first call retransmits until it answers.
    access = testAccess({ retry: { initialTimeoutMs: 200, backoff: 1, maxTimeoutMs: 200, maxAttempts: 50 }, callTimeoutMs: 15_000, pollMs: 200 })
    power = new IpmiPower(access)
    mgmt = new IpmiManagement(access)
  })
  after(async () => {
    await access?.close()
    await sim?.stop()
  })

  test('power on and off through the hook, read back from Get Chassis Status', async () => {
    assert.equal(await power.getPowerState(ctx()), 'power off')
    await power.setPowerState(ctx(), 'power on')
    assert.equal(await sim.power(), '1')
    assert.equal(await power.getPowerState(ctx()), 'power on')
    await power.setPowerState(ctx(), 'power off')
    assert.equal(await sim.power(), '0')
    assert.equal(await power.getPowerState(ctx()), 'power off')
  })

  test('reboot: off, then on', async () => {
    await power.setPowerState(ctx(), 'power on')
    const from = (await sim.calls()).length
    await power.reboot(ctx())
    const calls = (await callsSince(from)).filter((c) => c.startsWith('set power'))
    assert.deepEqual(calls, ['set power 0', 'set power 1'])
    assert.equal(await power.getPowerState(ctx()), 'power on')
  })

  test('soft power off reaches the hook as "set shutdown 1"', async () => {
    const from = (await sim.calls()).length
    await power.setPowerState(ctx(), 'soft power off', { timeoutMs: 10_000 })
    assert.ok((await callsSince(from)).includes('set shutdown 1'))
    assert.equal(await power.getPowerState(ctx()), 'power off')
  })

  test('boot device pxe (persistent) and disk', async () => {
    await mgmt.setBootDevice(ctx(), 'pxe', { persistent: true })
    assert.equal((await sim.calls()).at(-1), 'set boot pxe')
    assert.equal((await mgmt.getBootDevice(ctx())).bootDevice, 'pxe')
    await mgmt.setBootDevice(ctx(), 'disk')
    assert.equal((await sim.calls()).at(-1), 'set boot default')
    assert.equal((await mgmt.getBootDevice(ctx())).bootDevice, 'disk')
  })

  test('wrong password and cipher suite 17 fail with errors that say so', async () => {
    await assert.rejects(power.getPowerState(ctx({ ipmi_password: 'wrong' })), (e: unknown) => e instanceof DriverError && /wrong credentials/.test(e.message))
    await assert.rejects(power.getPowerState(ctx({ ipmi_cipher_suite: '17' })), (e: unknown) => e instanceof DriverError && e.code === 'IPMI_SESSION_FAILED' && /cipher suite 17/.test(e.message))
  })
})
