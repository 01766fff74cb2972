import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ValidationError } from '../../domain/errors.js'
import { makeContext, makeNodeView } from '../testing/fixtures.js'
import { NoBios } from './no-bios.js'
import { NoConsole } from './no-console.js'
import { NoFirmware } from './no-firmware.js'
import { NoInspect } from './no-inspect.js'
import { NoRaid } from './no-raid.js'
import { NoRescue } from './no-rescue.js'
import { NoVendor } from './no-vendor.js'
import { NoopManagement } from './noop-management.js'
import { NoopNetwork } from './noop-network.js'
import { NoopStorage } from './noop-storage.js'

const unsupported = (e: unknown) => e instanceof ValidationError && e.code === 'UNSUPPORTED_DRIVER_EXTENSION'

describe('no-* interfaces', () => {
  it('fail validation and every operation with UnsupportedDriverExtension', async () => {
    const node = makeNodeView()
    const ctx = makeContext(node)
    for (const iface of [new NoBios(), new NoConsole(), new NoFirmware(), new NoInspect(), new NoRaid(), new NoRescue(), new NoVendor()]) {
      assert.throws(() => iface.validate(node), unsupported, iface.name)
      assert.deepEqual(iface.getProperties(), {})
    }
    await assert.rejects(new NoConsole().startConsole(ctx), unsupported)
    await assert.rejects(new NoInspect().inspectHardware(ctx), unsupported)
    await assert.rejects(new NoRaid().createConfiguration(ctx), unsupported)
    await assert.rejects(new NoRescue().rescue(ctx), unsupported)
    await assert.rejects(new NoBios().applySettings(ctx), unsupported)
    await assert.rejects(new NoFirmware().update(ctx), unsupported)
    assert.match(
      (() => { try { new NoRaid().validateRaidConfig(node); return '' } catch (e) { return (e as Error).message } })(),
      new RegExp(`RAID configuration is not supported for node ${node.uuid}: its raid interface is "no-raid"\\.`),
    )
  })

  it('report empty caches instead of failing', async () => {
    const ctx = makeContext()
    assert.deepEqual(await new NoBios().getSettings(ctx), [])
    assert.deepEqual(await new NoFirmware().getComponents(ctx), [])
    assert.deepEqual(new NoVendor().methods, {})
  })
})

describe('noop interfaces', () => {
  it('accept everything and change nothing', async () => {
    const node = makeNodeView()
    const ctx = makeContext(node)
    const mgmt = new NoopManagement()
    mgmt.validate(node)
    await mgmt.setBootDevice(ctx, 'pxe')
    assert.deepEqual(await mgmt.getBootDevice(ctx), { bootDevice: null, persistent: null })
    await assert.rejects(mgmt.injectNmi(ctx), unsupported)
    const net = new NoopNetwork()
    await net.vifAttach(ctx, { id: 'vif-1' })
    assert.deepEqual(await net.vifList(ctx), [])
    assert.equal(net.needPowerOn(node), false)
    assert.equal(new NoopStorage().shouldWriteImage(node), true)
    assert.deepEqual(ctx.internalInfo, {})
  })
})
