import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ValidationError } from '../../domain/errors.js'
import type { IpmiAccess } from './ipmi-access.js'
import { bootModeOf, IpmiManagement } from './ipmi-management.js'
import { IpmiVendor } from './ipmi-vendor.js'
import { ipmiContext, ipmiNode, startIpmiLab, testAccess, type IpmiLab } from '../../../test/helpers/ipmi-test-kit.js'
import type { NodeView } from '../node-view.js'

for (const suite of [3, 17] as const) {
  describe(`IpmiManagement against the lab BMC, cipher suite ${suite}`, () => {
    let lab: IpmiLab
    let access: IpmiAccess
    let mgmt: IpmiManagement
    const node = (extra: Partial<NodeView> = {}, info: Record<string, unknown> = {}) => ipmiNode(lab, { ipmi_cipher_suite: suite, ...info }, extra)
    before(async () => {
      lab = await startIpmiLab()
      access = testAccess()
      mgmt = new IpmiManagement(access)
    })
    after(async () => {
      await access.close()
      await lab.stop()
    })

    test('pxe, persistent, UEFI (boot_mode capability in properties)', async () => {
      const n = node({ properties: { capabilities: 'boot_mode:uefi,secure_boot:false' } })
      await mgmt.setBootDevice(ipmiContext(n), 'pxe', { persistent: true })
      assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
      assert.deepEqual(await mgmt.getBootDevice(ipmiContext(n)), { bootDevice: 'pxe', persistent: true })
    })

    test('disk, one-time, legacy BIOS (node boot_mode)', async () => {
      const n = node({ bootMode: 'bios' })
      await mgmt.setBootDevice(ipmiContext(n), 'disk')
      assert.deepEqual(lab.machine.bootSetting(), { device: 'disk', persistent: false, mode: 'bios' })
      assert.deepEqual(await mgmt.getBootDevice(ipmiContext(n)), { bootDevice: 'disk', persistent: false })
      // A power-on uses the one-time setting up: the BMC then reports no override.
      await lab.machine.powerOn()
      assert.deepEqual(await mgmt.getBootDevice(ipmiContext(n)), { bootDevice: null, persistent: false })
      await lab.machine.powerOff()
    })

    test('pxe persistent in UEFI mode by default; cdrom and bios too', async () => {
      await mgmt.setBootDevice(ipmiContext(node()), 'pxe', { persistent: true })
      assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
      await mgmt.setBootDevice(ipmiContext(node()), 'cdrom')
      assert.equal(lab.machine.bootSetting().device, 'cdrom')
      await mgmt.setBootDevice(ipmiContext(node()), 'bios', { persistent: true })
      assert.deepEqual(await mgmt.getBootDevice(ipmiContext(node())), { bootDevice: 'bios', persistent: true })
    })

    test('disables the 60 s boot flag timeout first (parameter 3), unless told not to', async () => {
      const vendor = new IpmiVendor(access)
      const param3 = async () => (await vendor.sendRaw(ipmiContext(node()), '0x00 0x09 0x03 0x00 0x00')).bytes
      await vendor.sendRaw(ipmiContext(node()), '0x00 0x08 0x03 0x00')
      await mgmt.setBootDevice(ipmiContext(node({}, { ipmi_disable_boot_timeout: 'false' })), 'disk')
      assert.deepEqual(await param3(), [0x01, 0x03, 0x00])
      await mgmt.setBootDevice(ipmiContext(node()), 'disk')
      assert.deepEqual(await param3(), [0x01, 0x03, 0x08])
    })

    test('refuses devices it does not offer without talking to the BMC', async () => {
      assert.deepEqual(mgmt.getSupportedBootDevices(node()), ['pxe', 'disk', 'cdrom', 'bios', 'safe'])
      const received = lab.bmc.stats.received
      await assert.rejects(mgmt.setBootDevice(ipmiContext(node()), 'floppy'), (e: unknown) => e instanceof ValidationError && /"floppy" is not supported.*pxe, disk, cdrom, bios, safe/.test(e.message))
      assert.equal(lab.bmc.stats.received, received)
    })

    test('injects an NMI with chassis control "diagnostic interrupt"', async () => {
      lab.events.length = 0
      await mgmt.injectNmi(ipmiContext(node()))
      assert.deepEqual(lab.events, [{ kind: 'nmi' }])
    })
  })
}

describe('bootModeOf', () => {
  const at = { host: '127.0.0.1', port: 623 }
  test('instance_info, then properties, then driver_info capabilities, then boot_mode, then uefi', () => {
    assert.equal(bootModeOf(ipmiNode(at)), 'uefi')
    assert.equal(bootModeOf(ipmiNode(at, {}, { bootMode: 'bios' })), 'bios')
    assert.equal(bootModeOf(ipmiNode(at, { capabilities: 'boot_mode:bios' }, { bootMode: 'uefi' })), 'bios')
    assert.equal(bootModeOf(ipmiNode(at, { capabilities: 'boot_mode:bios' }, { properties: { capabilities: { boot_mode: 'uefi' } } })), 'uefi')
    assert.equal(bootModeOf(ipmiNode(at, {}, { properties: { capabilities: 'boot_mode:uefi' }, instanceInfo: { capabilities: { boot_mode: 'bios' } } })), 'bios')
  })
})
