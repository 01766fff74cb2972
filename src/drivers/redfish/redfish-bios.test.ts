import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ValidationError } from '../../domain/errors.js'
import { RedfishError } from '../../protocols/redfish/errors.js'
import { IdracRedfishBios } from '../idrac/idrac-redfish-bios.js'
import type { BiosInterface } from '../interfaces/bios.js'
import type { DriverStep } from '../steps.js'
import { RedfishBios } from './redfish-bios.js'
import { type RedfishLab, startRedfishLab } from '../../../test/helpers/redfish-test-kit.js'

const step = (name: string, args: Record<string, unknown> = {}): DriverStep => ({ interface: 'bios', step: name, priority: 0, args })

const CASES = [
  { personality: 'generic', make: (lab: RedfishLab): BiosInterface => new RedfishBios({ connections: lab.connections }), attr: 'ProcTurboMode' },
  { personality: 'idrac', make: (lab: RedfishLab): BiosInterface => new IdracRedfishBios({ connections: lab.connections }), attr: 'LogicalProc' },
] as const

for (const c of CASES) {
  describe(`${c.personality === 'idrac' ? 'IdracRedfishBios' : 'RedfishBios'} against the ${c.personality} lab BMC`, () => {
    let lab: RedfishLab
    let bios: BiosInterface
    before(async () => {
      lab = await startRedfishLab(c.personality)
      bios = c.make(lab)
    })
    after(() => lab.stop())

    test('reads the current attributes as strings', async () => {
      const settings = await bios.getSettings(lab.ctx())
      const byName = Object.fromEntries(settings.map((s) => [s.name, s.value]))
      assert.equal(byName.BootMode, 'Uefi')
      assert.equal(byName[c.attr], 'Enabled')
      assert.equal(byName.NumLock, 'On')
    })

    test('offers apply_configuration and factory_reset as manual clean, deploy and service steps', () => {
      const node = lab.node()
      for (const list of [bios.getCleanSteps?.(node), bios.getDeploySteps?.(node), bios.getServiceSteps?.(node)]) {
        assert.deepEqual(list?.map((s) => [s.step, s.priority]), [['apply_configuration', 0], ['factory_reset', 0]])
      }
    })

    test('apply_configuration: staged, applied by the reboot, node powered off again', async () => {
      const svc = lab.bmc.service.systems[0]
      const ctx = lab.ctx()
      let stagedDuringReset: Record<string, unknown> | null = null
      const hook = (): void => {
        stagedDuringReset ??= { ...svc.bios.pending }
      }
      lab.bmc.service.bootHooks.unshift(hook)
      try {
        const result = await bios.executeStep?.(ctx, step('apply_configuration', { settings: [{ name: c.attr, value: 'Disabled' }, { name: 'NumLock', value: 'Off' }] }))
        assert.deepEqual(result, { done: true })
      } finally {
        lab.bmc.service.bootHooks.splice(lab.bmc.service.bootHooks.indexOf(hook), 1)
      }
      assert.deepEqual(stagedDuringReset, { [c.attr]: 'Disabled', NumLock: 'Off' }, 'pending when the node booted')
      assert.equal(svc.bios.current[c.attr], 'Disabled')
      assert.equal(svc.bios.current.NumLock, 'Off')
      assert.deepEqual(svc.bios.pending, {})
      assert.equal(lab.events.filter((e) => e.kind === 'power-on').length, 1)
      assert.equal(lab.machine.powerState(), 'off', 'was off before, off after')
      const now = Object.fromEntries((await bios.getSettings(lab.ctx())).map((s) => [s.name, s.value]))
      assert.equal(now[c.attr], 'Disabled')
      if (c.personality === 'idrac') {
        assert.deepEqual(svc.jobs.map((j) => [j.jobType, j.state]), [['BIOSConfiguration', 'Completed']])
        assert.equal(ctx.internalInfo.idrac_bios_job, undefined)
      }
    })

    test('a running node stays on; a non-string type keeps its type', async () => {
      await lab.machine.powerOn()
      const attr = c.personality === 'idrac' ? 'MemTest' : 'BootTimeoutSeconds'
      const value = c.personality === 'idrac' ? 'Enabled' : '12'
      await bios.applySettings(lab.ctx(), [{ name: attr, value }])
      assert.equal(lab.machine.powerState(), 'on')
      assert.equal(lab.bmc.service.systems[0].bios.current[attr], c.personality === 'idrac' ? 'Enabled' : 12)
      await lab.machine.powerOff()
    })

    test('an unknown attribute or value is refused by the BMC before any reboot', async () => {
      const events = lab.events.length
      await assert.rejects(bios.applySettings(lab.ctx(), [{ name: 'NoSuchThing', value: 'x' }]), (e: unknown) => e instanceof RedfishError && e.status === 400 && e.messageId === 'Base.1.16.PropertyUnknown')
      await assert.rejects(bios.applySettings(lab.ctx(), [{ name: 'NumLock', value: 'Sideways' }]), (e: unknown) => e instanceof RedfishError && e.messageId === 'Base.1.16.PropertyValueNotInList')
      assert.equal(lab.events.length, events)
      await assert.rejects(bios.executeStep?.(lab.ctx(), step('apply_configuration', { settings: 'NumLock=On' })) as Promise<unknown>, ValidationError)
    })

    test('factory_reset restores the defaults at the next boot', async () => {
      const result = await bios.executeStep?.(lab.ctx(), step('factory_reset'))
      assert.deepEqual(result, { done: true })
      const svc = lab.bmc.service.systems[0]
      assert.equal(svc.bios.current[c.attr], 'Enabled')
      assert.equal(svc.bios.current.NumLock, 'On')
      assert.equal(lab.machine.powerState(), 'off')
    })
  })
}
