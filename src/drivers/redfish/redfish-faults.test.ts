import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { RedfishError } from '../../protocols/redfish/errors.js'
import { IdracRedfishBios } from '../idrac/idrac-redfish-bios.js'
import { IdracRedfishManagement } from '../idrac/idrac-redfish-management.js'
import { IdracRedfishPower } from '../idrac/idrac-redfish-power.js'
import type { BiosInterface } from '../interfaces/bios.js'
import type { ManagementInterface } from '../interfaces/management.js'
import type { PowerInterface } from '../interfaces/power.js'
import { RedfishBios } from './redfish-bios.js'
import { RedfishConnections } from './redfish-connections.js'
import { RedfishInspect } from './redfish-inspect.js'
import { RedfishManagement } from './redfish-management.js'
import { RedfishPower } from './redfish-power.js'
import { type RedfishLab, startRedfishLab } from '../../../test/helpers/redfish-test-kit.js'

/** A deterministic random source (an LCG), so the dropped requests are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
}

for (const personality of ['generic', 'idrac'] as const) {
  describe(`Redfish drivers under faults (${personality} lab BMC)`, () => {
    let lab: RedfishLab
    let drops = 0
    let power: PowerInterface
    let mgmt: ManagementInterface
    let bios: BiosInterface
    before(async () => {
      const random = seeded(personality === 'idrac' ? 7 : 42)
      lab = await startRedfishLab(personality, {
        random: () => {
          const r = random()
          if (r < lab.machine.faults.packetLoss) drops++
          return r
        },
      })
      const o = { connections: lab.connections }
      power = personality === 'idrac' ? new IdracRedfishPower(o) : new RedfishPower(o)
      mgmt = personality === 'idrac' ? new IdracRedfishManagement(o) : new RedfishManagement(o)
      bios = personality === 'idrac' ? new IdracRedfishBios(o) : new RedfishBios(o)
    })
    after(() => lab.stop())

    test('30% packet loss: every operation succeeds within its retries', async () => {
      lab.machine.faults.packetLoss = 0.3
      try {
        await power.setPowerState(lab.ctx(), 'power on')
        await mgmt.setBootDevice(lab.ctx(), 'pxe', { persistent: true })
        assert.deepEqual(await mgmt.getBootDevice(lab.ctx()), { bootDevice: 'pxe', persistent: true })
        const inspected = await new RedfishInspect({ connections: lab.connections }).inspectHardware(lab.ctx())
        assert.ok('done' in inspected && inspected.updates?.properties?.memory_mb === 16384)
        await bios.applySettings(lab.ctx(), [{ name: 'NumLock', value: 'Off' }])
        assert.equal(lab.bmc.service.systems[0].bios.current.NumLock, 'Off')
        await power.reboot(lab.ctx())
        await power.setPowerState(lab.ctx(), 'power off')
        assert.equal(lab.machine.powerState(), 'off')
        assert.ok(drops > 0, 'some requests were really dropped')
      } finally {
        lab.machine.faults.packetLoss = 0
      }
    })

    test('added latency below the timeout only slows things down', async () => {
      lab.machine.faults.latencyMs = 30
      try {
        await power.setPowerState(lab.ctx(), 'power on')
        assert.equal(await power.getPowerState(lab.ctx()), 'power on')
        await power.setPowerState(lab.ctx(), 'power off')
      } finally {
        lab.machine.faults.latencyMs = 0
      }
    })

    test('latency beyond the timeout: bounded retries, then REDFISH_TIMEOUT', async () => {
      const impatient = new RedfishConnections({ timeoutMs: 100, retries: 2, retryDelayMs: 5 })
      const p = personality === 'idrac' ? new IdracRedfishPower({ connections: impatient }) : new RedfishPower({ connections: impatient })
      lab.machine.faults.latencyMs = 400
      try {
        await assert.rejects(p.getPowerState(lab.ctx()), (e: unknown) => e instanceof RedfishError && e.code === 'REDFISH_TIMEOUT' && /3 attempt/.test(e.message))
      } finally {
        lab.machine.faults.latencyMs = 0
        await impatient.closeAll()
      }
    })

    test('an unreachable BMC: REDFISH_UNREACHABLE naming the address', async () => {
      const fresh = new RedfishConnections({ timeoutMs: 1000, retries: 2, retryDelayMs: 5 })
      const p = personality === 'idrac' ? new IdracRedfishPower({ connections: fresh }) : new RedfishPower({ connections: fresh })
      lab.machine.faults.unreachable = true
      try {
        await assert.rejects(p.setPowerState(lab.ctx(), 'power on'), (e: unknown) => {
          assert.ok(e instanceof RedfishError)
          assert.equal(e.code, 'REDFISH_UNREACHABLE')
          assert.ok(e.message.includes(lab.url))
          assert.equal(e.retryable, true)
          return true
        })
        assert.equal(lab.machine.powerState(), 'off')
      } finally {
        lab.machine.faults.unreachable = false
        await fresh.closeAll()
      }
    })

    test('a caller that gives up aborts the call at once', async () => {
      lab.machine.faults.latencyMs = 500
      try {
        const ac = new AbortController()
        const pending = power.getPowerState(lab.ctx(undefined, ac.signal))
        ac.abort(new Error('conductor timeout'))
        await assert.rejects(pending, /conductor timeout/)
      } finally {
        lab.machine.faults.latencyMs = 0
      }
    })
  })
}
