import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ValidationError } from '../../domain/errors.js'
import { ALLOWED_TARGETS_KEY, RedfishManagement } from './redfish-management.js'
import { RedfishPower } from './redfish-power.js'
import { type RedfishLab, startRedfishLab } from '../../../test/helpers/redfish-test-kit.js'

for (const personality of ['generic', 'idrac'] as const) {
  describe(`RedfishManagement against the ${personality} lab BMC`, () => {
    let lab: RedfishLab
    let mgmt: RedfishManagement
    before(async () => {
      lab = await startRedfishLab(personality)
      mgmt = new RedfishManagement({ connections: lab.connections })
    })
    after(() => lab.stop())

    test('no override at first', async () => {
      assert.deepEqual(await mgmt.getBootDevice(lab.ctx()), { bootDevice: null, persistent: null })
    })

    test('boot device once: used by the next boot, then gone', async () => {
      await mgmt.setBootDevice(lab.ctx(), 'pxe')
      assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: false, mode: 'uefi' })
      assert.deepEqual(await mgmt.getBootDevice(lab.ctx()), { bootDevice: 'pxe', persistent: false })
      const power = new RedfishPower({ connections: lab.connections })
      await power.setPowerState(lab.ctx(), 'power on')
      assert.deepEqual(lab.events.find((e) => e.kind === 'power-on'), { kind: 'power-on', bootedFrom: 'pxe' })
      assert.equal(lab.machine.bootSetting().device, 'none')
      await power.setPowerState(lab.ctx(), 'power off')
    })

    test('boot device persistent, for each device the BMC offers', async () => {
      for (const [device, lab_] of [['disk', 'disk'], ['cdrom', 'cdrom'], ['bios', 'bios'], ['pxe', 'pxe']] as const) {
        await mgmt.setBootDevice(lab.ctx(), device, { persistent: true })
        assert.deepEqual(lab.machine.bootSetting(), { device: lab_, persistent: true, mode: 'uefi' })
        assert.deepEqual(await mgmt.getBootDevice(lab.ctx()), { bootDevice: device, persistent: true })
      }
    })

    test('supported devices come from the AllowableValues once seen; others are refused', async () => {
      const ctx = lab.ctx()
      await mgmt.getBootDevice(ctx)
      assert.deepEqual(ctx.internalInfo[ALLOWED_TARGETS_KEY], ['None', 'Pxe', 'Cd', 'Hdd', 'BiosSetup'])
      const node = lab.node({}, { driverInternalInfo: ctx.internalInfo })
      assert.deepEqual(mgmt.getSupportedBootDevices(node), ['pxe', 'cdrom', 'disk', 'bios'])
      await assert.rejects(mgmt.setBootDevice(lab.ctx(), 'floppy'), (e: unknown) => e instanceof ValidationError && /"floppy" is not supported.*pxe, cdrom, disk, bios/.test(e.message))
      await assert.rejects(mgmt.setBootDevice(lab.ctx(), 'safe'), ValidationError)
    })

    test('boot mode: get and set UEFI/Legacy', async () => {
      assert.equal(await mgmt.getBootMode(lab.ctx()), 'uefi')
      await mgmt.setBootMode(lab.ctx(), 'bios')
      assert.equal(lab.machine.bootSetting().mode, 'bios')
      assert.equal(await mgmt.getBootMode(lab.ctx()), 'bios')
      await mgmt.setBootMode(lab.ctx(), 'uefi')
      assert.equal(lab.machine.bootSetting().mode, 'uefi')
      assert.deepEqual(mgmt.getSupportedBootModes(lab.node()), ['uefi', 'bios'])
    })
  })
}
