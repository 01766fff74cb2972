/**
 * Interop: Ferrum's IpmiClient against openipmi's ipmi_sim, an independent BMC implementation.
 * ipmi_sim speaks cipher suite 3 only; its chassis_control hook records what it was asked to do.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { IpmiClient } from '../../src/protocols/ipmi/client.js'
import { IpmiAuthError, IpmiSessionError } from '../../src/protocols/ipmi/errors.js'
import { startIpmiSim } from '../helpers/ipmi-sim.js'
import type { IpmiSim } from '../helpers/ipmi-sim.js'

describe('IpmiClient against ipmi_sim (cipher suite 3)', () => {
  let sim: IpmiSim
  let ipmi: IpmiClient

  before(async () => {
    sim = await startIpmiSim()
    ipmi = new IpmiClient({
      host: sim.host,
      port: sim.port,
      username: 'admin',
      password: 'secret',
      cipherSuite: 3,
      minCommandIntervalMs: 0,
      // ipmi_sim needs a moment to bind: the first call retransmits until it answers.
      retry: { initialTimeoutMs: 200, backoff: 1, maxTimeoutMs: 200, maxAttempts: 50 },
      timeoutMs: 15_000,
    })
  })
  after(async () => {
    await ipmi?.close()
    await sim?.stop()
  })

  it('establishes an RMCP+ session and reads the device ID from bmc.emu', async () => {
    const id = await ipmi.getDeviceId()
    assert.equal(id.manufacturerId, 0x1291)
    assert.equal(id.productId, 0x0f02)
    assert.equal(id.ipmiVersion, 0x02)
    assert.ok(ipmi.hasSession)
  })

  it('powers on and off through the chassis_control hook', async () => {
    assert.equal(await ipmi.getPowerState(), 'off')
    await ipmi.chassisControl('power-on')
    assert.equal(await sim.power(), '1')
    assert.equal(await ipmi.getPowerState(), 'on')
    await ipmi.chassisControl('power-off')
    assert.equal(await sim.power(), '0')
    assert.equal(await ipmi.getPowerState(), 'off')
    const calls = await sim.calls()
    assert.ok(calls.includes('set power 1') && calls.includes('set power 0'), calls.join('|'))
  })

  it('hard reset and soft off reach the hook', async () => {
    await ipmi.chassisControl('power-on')
    await ipmi.chassisControl('hard-reset')
    await ipmi.chassisControl('soft-off')
    const calls = await sim.calls()
    assert.ok(calls.includes('set reset 1'), calls.join('|'))
    assert.ok(calls.includes('set shutdown 1'), calls.join('|'))
    assert.equal(await ipmi.getPowerState(), 'off')
  })

  it('power cycle: ipmi_sim powers off, then on again by itself', async () => {
    await ipmi.chassisControl('power-on')
    const from = (await sim.calls()).length
    await ipmi.chassisControl('power-cycle')
    // ipmi_sim turns power back on about a second later; poll the hook log (bounded, not timed).
    for (let i = 0; i < 200; i++) {
      const after = (await sim.calls()).slice(from)
      const off = after.indexOf('set power 0')
      if (off >= 0 && after.indexOf('set power 1', off) > off) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const after = (await sim.calls()).slice(from)
    assert.ok(after.indexOf('set power 1', after.indexOf('set power 0')) > after.indexOf('set power 0'), after.join('|'))
    assert.equal(await ipmi.getPowerState(), 'on')
    await ipmi.chassisControl('power-off')
  })

  it('sets and reads the boot device (pxe, disk)', async () => {
    await ipmi.setBootDevice('pxe', { persistent: true })
    assert.equal((await sim.calls()).at(-1), 'set boot pxe')
    assert.equal((await ipmi.getBootDevice()).device, 'pxe')
    await ipmi.setBootDevice('disk')
    assert.ok((await sim.calls()).includes('set boot default'))
    assert.equal((await ipmi.getBootDevice()).device, 'disk')
  })

  it('refuses cipher suite 17 clearly, and a wrong password', async () => {
    const opts = { host: sim.host, port: sim.port, username: 'admin', minCommandIntervalMs: 0, timeoutMs: 5000 }
    const c17 = new IpmiClient({ ...opts, password: 'secret', cipherSuite: 17 })
    await assert.rejects(c17.getPowerState(), (e: unknown) => e instanceof IpmiSessionError && !e.retryable)
    await c17.close()
    const bad = new IpmiClient({ ...opts, password: 'wrong', cipherSuite: 3 })
    await assert.rejects(bad.getPowerState(), IpmiAuthError)
    await bad.close()
  })
})
