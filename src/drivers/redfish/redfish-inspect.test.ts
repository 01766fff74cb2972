import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { BasicMachine, defaultHardware } from '../../lab/basic-machine.js'
import { IdracRedfishInspect } from '../idrac/idrac-redfish-inspect.js'
import type { InspectInterface } from '../interfaces/inspect.js'
import { RedfishInspect } from './redfish-inspect.js'
import { type RedfishLab, startRedfishLab } from '../../../test/helpers/redfish-test-kit.js'

for (const personality of ['generic', 'idrac'] as const) {
  describe(`${personality === 'idrac' ? 'IdracRedfishInspect' : 'RedfishInspect'} against the ${personality} lab BMC`, () => {
    let lab: RedfishLab
    let inspect: InspectInterface
    before(async () => {
      lab = await startRedfishLab(personality)
      inspect = personality === 'idrac' ? new IdracRedfishInspect({ connections: lab.connections }) : new RedfishInspect({ connections: lab.connections })
    })
    after(() => lab.stop())

    test('reports CPUs, architecture, memory, local_gb of the smallest usable disk, boot mode and the NIC MACs', async () => {
      const result = await inspect.inspectHardware(lab.ctx())
      assert.deepEqual(result, {
        done: true,
        updates: { properties: { cpus: 8, cpu_arch: 'x86_64', memory_mb: 16384, local_gb: 63, boot_mode: 'uefi' } },
        // Lower-cased: the lab reports eno1's MAC in upper case.
        macAddresses: ['52:54:00:aa:00:01', '52:54:00:aa:00:02'],
      })
    })
  })
}

describe('RedfishInspect: an aarch64 machine without disks', () => {
  let lab: RedfishLab
  before(async () => {
    const machine = new BasicMachine({ name: 'arm-1', hardware: defaultHardware({ cpuArch: 'aarch64', cpus: 2, memoryMiB: 3072, disks: [], nics: [] }) })
    lab = await startRedfishLab('generic', { machine })
  })
  after(() => lab.stop())

  test('maps ARM-A64 to aarch64 and leaves local_gb out rather than guessing', async () => {
    const ctx = lab.ctx()
    const result = await new RedfishInspect({ connections: lab.connections }).inspectHardware(ctx)
    assert.deepEqual(result, { done: true, updates: { properties: { cpus: 2, cpu_arch: 'aarch64', memory_mb: 3072, boot_mode: 'uefi' } }, macAddresses: [] })
    assert.ok(ctx.log.lines.some((l) => l.level === 'warn' && /could not determine local_gb/.test(l.msg)))
  })
})
