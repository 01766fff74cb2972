import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { IpmiClient } from './client.js'
import type { IpmiClientOptions } from './client.js'
import { IpmiSessionPool } from './connection.js'
import { IpmiAbortedError, IpmiAuthError, IpmiClosedError, IpmiCompletionCodeError, IpmiError, IpmiTimeoutError } from './errors.js'
import { DriverError } from '../../domain/errors.js'
import { IpmiBmc } from '../../lab/ipmi-bmc.js'
import { startLabBmc, USER, PASSWORD } from '../../../test/helpers/ipmi.js'
import type { LabBmc } from '../../../test/helpers/ipmi.js'

const FAST_RETRY = { initialTimeoutMs: 150, backoff: 1.5, maxTimeoutMs: 400, maxAttempts: 5 }

function clientFor(lab: { host: string; port: number }, extra: Partial<IpmiClientOptions> = {}): IpmiClient {
  return new IpmiClient({ host: lab.host, port: lab.port, username: USER, password: PASSWORD, minCommandIntervalMs: 0, retry: FAST_RETRY, timeoutMs: 10_000, ...extra })
}

/** A seeded generator, so packet loss drops the same datagrams on every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

for (const cipherSuite of [3, 17] as const) {
  describe(`IpmiClient, cipher suite ${cipherSuite}, against the lab BMC`, () => {
    let lab: LabBmc
    let ipmi: IpmiClient
    before(async () => {
      lab = await startLabBmc()
      ipmi = clientFor(lab, { cipherSuite })
    })
    after(async () => {
      await ipmi.close()
      await lab.stop()
    })

    it('reads the device ID and power state', async () => {
      const id = await ipmi.getDeviceId()
      assert.equal(id.ipmiVersion, 0x02)
      assert.equal(await ipmi.getPowerState(), 'off')
    })

    it('drives every chassis control action onto the machine', async () => {
      await ipmi.chassisControl('power-on')
      assert.equal(lab.machine.powerState(), 'on')
      assert.equal(await ipmi.getPowerState(), 'on')
      lab.events.length = 0
      await ipmi.chassisControl('power-cycle')
      await ipmi.chassisControl('hard-reset')
      await ipmi.chassisControl('diagnostic-interrupt')
      await ipmi.chassisControl('soft-off')
      assert.deepEqual(lab.events.map((e) => e.kind), ['power-off', 'power-on', 'reset', 'nmi', 'power-off'])
      assert.equal(await ipmi.getPowerState(), 'off')
    })

    it('sets and reads the boot device with persistent and EFI flags', async () => {
      await ipmi.setBootDevice('pxe', { persistent: true, efi: true })
      assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
      assert.deepEqual(await ipmi.getBootDevice(), { device: 'pxe', valid: true, persistent: true, efi: true })
      await ipmi.setBootDevice('disk')
      assert.deepEqual(lab.machine.bootSetting(), { device: 'disk', persistent: false, mode: 'bios' })
      assert.deepEqual(await ipmi.getBootDevice(), { device: 'disk', valid: true, persistent: false, efi: false })
    })

    it('sends raw requests and maps completion codes to typed errors', async () => {
      const raw = await ipmi.sendRaw(0x06, 0x01)
      assert.equal(raw[4], 0x02)
      await assert.rejects(ipmi.sendRaw(0x06, 0x99), (e: unknown) => {
        assert.ok(e instanceof IpmiCompletionCodeError && e instanceof DriverError)
        assert.deepEqual([e.code, e.completionCode, e.httpStatus, e.retryable], ['IPMI_COMPLETION_CODE', 0xc1, 500, false])
        assert.match(e.message, /invalid command/)
        return true
      })
      await assert.rejects(ipmi.setBootDevice('diagnostic'), (e: unknown) => e instanceof IpmiCompletionCodeError && e.completionCode === 0xcc)
    })

    it('reuses one session for all calls, concurrent ones included, in FIFO order', async () => {
      lab.events.length = 0
      await Promise.all([ipmi.chassisControl('power-on'), ipmi.chassisControl('power-off'), ipmi.chassisControl('power-on'), ipmi.getPowerState()])
      assert.deepEqual(lab.events.map((e) => e.kind), ['power-on', 'power-off', 'power-on'])
      assert.equal(lab.bmc.sessionCount, 1)
      assert.ok(ipmi.hasSession)
    })
  })
}

describe('IpmiClient sessions, errors and faults', () => {
  let lab: LabBmc
  before(async () => {
    lab = await startLabBmc()
  })
  after(() => lab.stop())

  it('shares a session between clients of one pool; close() ends it with Close Session', async () => {
    const pool = new IpmiSessionPool()
    const a = clientFor(lab, { pool })
    const b = clientFor(lab, { pool })
    await a.getPowerState()
    await b.getPowerState()
    assert.equal(pool.size, 1)
    assert.equal(lab.bmc.sessionCount, 1)
    // Other credentials for the same host:port:user replace the pooled connection.
    const c = clientFor(lab, { pool, cipherSuite: 17 })
    await c.getPowerState()
    assert.equal(pool.size, 1)
    await Promise.all([a.close(), b.close(), c.close()])
    await pool.closeAll()
    await assert.rejects(a.getPowerState(), IpmiClosedError)
    // Close Session was answered before the socket closed; only the replaced session may linger.
    assert.ok(lab.bmc.sessionCount <= 1)
  })

  it('rejects a wrong password and an unknown user with IpmiAuthError', async () => {
    for (const extra of [{ password: 'wrong' }, { username: 'mallory' }]) {
      const c = clientFor(lab, extra)
      await assert.rejects(c.getPowerState(), (e: unknown) => e instanceof IpmiAuthError && e.code === 'IPMI_AUTH_FAILED' && !e.retryable)
      await c.close()
    }
  })

  it('times out against an unreachable BMC, and honours an AbortSignal', async () => {
    lab.machine.faults.unreachable = true
    try {
      const c = clientFor(lab, { retry: { initialTimeoutMs: 50, maxAttempts: 3 } })
      await assert.rejects(c.getPowerState(), (e: unknown) => e instanceof IpmiTimeoutError && e.retryable)
      await assert.rejects(c.getPowerState({ timeoutMs: 120 }), IpmiTimeoutError)
      const ac = new AbortController()
      const p = c.getPowerState({ signal: ac.signal })
      ac.abort(new Error('operator cancelled'))
      await assert.rejects(p, (e: unknown) => e instanceof IpmiAbortedError && e instanceof IpmiError)
      await c.close()
    } finally {
      lab.machine.faults.unreachable = false
    }
  })

  it('logs in again after the BMC forgot the session (restart on the same port)', async () => {
    const c = clientFor(lab, { retry: { initialTimeoutMs: 100, maxAttempts: 3 } })
    await c.chassisControl('power-on')
    await lab.bmc.stop()
    const restarted = new IpmiBmc({ machine: lab.machine, username: USER, password: PASSWORD, port: lab.port })
    await restarted.start()
    try {
      assert.equal(await c.getPowerState(), 'on')
      assert.equal(restarted.sessionCount, 1)
    } finally {
      await c.close()
      await restarted.stop()
      lab.port = (await lab.bmc.start()).port
    }
  })

  it('keeps an idle session alive with keepalives', async () => {
    const c = clientFor(lab, { keepaliveMs: 20 })
    await c.getPowerState()
    const before = lab.bmc.stats.received
    while (lab.bmc.stats.received < before + 2) await new Promise((r) => setTimeout(r, 5))
    assert.ok(c.hasSession)
    await c.close()
  })
})

for (const cipherSuite of [3, 17] as const) {
  describe(`IpmiClient over a lossy, slow link (30 % loss, 25 ms latency), suite ${cipherSuite}`, () => {
    let lab: LabBmc
    before(async () => {
      lab = await startLabBmc({ faults: { packetLoss: 0.3, latencyMs: 25 }, random: lcg(cipherSuite) })
    })
    after(() => lab.stop())

    it('every call succeeds within its retries or fails with IpmiTimeoutError, never hangs', async () => {
      const c = clientFor(lab, { cipherSuite, retry: { initialTimeoutMs: 120, backoff: 1.5, maxTimeoutMs: 300, maxAttempts: 6 }, timeoutMs: 5000 })
      const outcomes: string[] = []
      for (const action of ['power-on', 'power-off', 'power-on'] as const) {
        try {
          await c.chassisControl(action)
          outcomes.push('ok')
        } catch (e) {
          assert.ok(e instanceof IpmiTimeoutError, String(e))
          outcomes.push('timeout')
        }
      }
      for (let i = 0; i < 6; i++) {
        try {
          outcomes.push(await c.getPowerState())
        } catch (e) {
          assert.ok(e instanceof IpmiTimeoutError, String(e))
          outcomes.push('timeout')
        }
      }
      assert.ok(lab.bmc.stats.faultDropped > 0, 'the link did lose packets')
      assert.ok(outcomes.filter((o) => o !== 'timeout').length >= 7, outcomes.join(','))
      assert.equal(lab.machine.powerState(), 'on')
      await c.close()
    })
  })
}
