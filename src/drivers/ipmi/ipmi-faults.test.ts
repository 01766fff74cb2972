/**
 * How the ipmitool interfaces fail: wrong credentials, a dead port, an unreachable BMC, a name
 * that does not resolve, aborts, and 30% packet loss with latency (succeed within retries or fail
 * clearly; every call is bounded by its deadline, so none hangs).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createSocket } from 'node:dgram'
import { DriverError, FerrumError } from '../../domain/errors.js'
import type { IpmiAccess } from './ipmi-access.js'
import { IpmiManagement } from './ipmi-management.js'
import { IpmiPower } from './ipmi-power.js'
import { ipmiContext, ipmiNode, seeded, startIpmiLab, testAccess, type IpmiLab } from '../../../test/helpers/ipmi-test-kit.js'

/** A UDP port nobody listens on (bound, read, released). */
async function deadPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const { port } = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

function driverError(code: string, pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof DriverError, String(e))
    assert.equal(e.code, code)
    assert.match(e.message, pattern)
    return true
  }
}

describe('IpmiPower failures say what is wrong', () => {
  let lab: IpmiLab
  let access: IpmiAccess
  let power: IpmiPower
  before(async () => {
    lab = await startIpmiLab()
    access = testAccess({ retry: { initialTimeoutMs: 50, backoff: 1, maxTimeoutMs: 50, maxAttempts: 3 } })
    power = new IpmiPower(access)
  })
  after(async () => {
    await access.close()
    await lab.stop()
  })

  for (const suite of [3, 17]) {
    test(`wrong password, cipher suite ${suite}: "wrong credentials", not retryable`, async () => {
      const ctx = ipmiContext(ipmiNode(lab, { ipmi_password: 'nope', ipmi_cipher_suite: suite }))
      await assert.rejects(power.getPowerState(ctx), (e: unknown) => {
        driverError('IPMI_AUTH_FAILED', /IPMI BMC 127\.0\.0\.1:\d+ rejected the credentials while reading the power state \(wrong credentials: check ipmi_username "admin", ipmi_password/)(e)
        assert.equal((e as DriverError).retryable, false)
        return true
      })
    })
  }

  test('unknown user: "wrong credentials" too', async () => {
    const ctx = ipmiContext(ipmiNode(lab, { ipmi_username: 'root' }))
    await assert.rejects(power.setPowerState(ctx, 'power on'), driverError('IPMI_AUTH_FAILED', /wrong credentials: check ipmi_username "root"/))
    assert.equal(lab.machine.powerState(), 'off')
  })

  test('a port nobody answers on: "unreachable"', async () => {
    const ctx = ipmiContext(ipmiNode({ host: '127.0.0.1', port: await deadPort() }))
    await assert.rejects(power.getPowerState(ctx), driverError('IPMI_TIMEOUT', /is unreachable: no answer while reading the power state .*Check ipmi_address, ipmi_port/))
  })

  test('a BMC that drops everything (lab fault "unreachable"): "unreachable", then fine again', async () => {
    lab.machine.faults.unreachable = true
    try {
      await assert.rejects(power.setPowerState(ipmiContext(ipmiNode(lab)), 'power on'), driverError('IPMI_TIMEOUT', /unreachable/))
    } finally {
      lab.machine.faults.unreachable = false
    }
    assert.equal(await power.getPowerState(ipmiContext(ipmiNode(lab))), 'power off')
  })

  test('a host name that does not resolve: "unreachable" naming the address', async () => {
    const ctx = ipmiContext(ipmiNode({ host: 'no-such-bmc.invalid', port: 623 }))
    await assert.rejects(power.getPowerState(ctx), driverError('IPMI_TIMEOUT', /no-such-bmc\.invalid:623 is unreachable/))
  })

  test('an abort of the call rethrows the abort reason (the conductor keeps its own code)', async () => {
    const ac = new AbortController()
    const reason = new FerrumError('DRIVER_TIMEOUT', 'the driver call did not finish within 1 s', 500, true)
    ac.abort(reason)
    await assert.rejects(power.getPowerState(ipmiContext(ipmiNode(lab), ac.signal)), (e: unknown) => e === reason)
  })

  test('bad driver_info fails validate() and every call with a ValidationError', async () => {
    const node = ipmiNode(lab, { ipmi_port: 'abc' })
    assert.throws(() => power.validate(node), /ipmi_port must be an integer between 1 and 65535 \(got 'abc'\)/)
    await assert.rejects(power.getPowerState(ipmiContext(node)), /ipmi_port must be an integer/)
  })
})

describe('30% packet loss and 20 ms latency', () => {
  let lab: IpmiLab
  let access: IpmiAccess
  before(async () => {
    lab = await startIpmiLab({ faults: { packetLoss: 0.3, latencyMs: 20 }, random: seeded(42) })
    // Each exchange retries up to 8 times; each call is bounded by a 6 s deadline.
    access = testAccess({ retry: { initialTimeoutMs: 100, backoff: 1.5, maxTimeoutMs: 300, maxAttempts: 8 }, callTimeoutMs: 6000 })
  })
  after(async () => {
    await access.close()
    await lab.stop()
  })

  test('every operation succeeds within retries or fails with a clear error; the machine follows the successes', async () => {
    const power = new IpmiPower(access)
    const mgmt = new IpmiManagement(access)
    const ctx = () => ipmiContext(ipmiNode(lab))
    const outcomes: string[] = []
    const attempt = async (name: string, op: () => Promise<void>, check: () => void) => {
      try {
        await op()
        check()
        outcomes.push(`${name}: ok`)
      } catch (e) {
        assert.ok(e instanceof DriverError, String(e))
        assert.match(e.message, /unreachable|did not reach/, e.message)
        outcomes.push(`${name}: ${e.code}`)
      }
    }
    for (let round = 0; round < 4; round++) {
      await attempt('power on', () => power.setPowerState(ctx(), 'power on'), () => assert.equal(lab.machine.powerState(), 'on'))
      await attempt('pxe', () => mgmt.setBootDevice(ctx(), 'pxe', { persistent: true }), () => assert.equal(lab.machine.bootSetting().device, 'pxe'))
      await attempt('power off', () => power.setPowerState(ctx(), 'power off'), () => assert.equal(lab.machine.powerState(), 'off'))
      await attempt('disk', () => mgmt.setBootDevice(ctx(), 'disk', { persistent: true }), () => assert.equal(lab.machine.bootSetting().device, 'disk'))
    }
    assert.equal(outcomes.length, 16)
    assert.ok(outcomes.filter((o) => o.endsWith(': ok')).length >= 8, outcomes.join('\n'))
    assert.ok(lab.bmc.stats.faultDropped > 0, 'the fault dropped datagrams')
  })
})
