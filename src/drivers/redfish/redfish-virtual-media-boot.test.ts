import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ValidationError } from '../../domain/errors.js'
import { IdracRedfishVirtualMediaBoot } from '../idrac/idrac-redfish-virtual-media-boot.js'
import type { BootInterface } from '../interfaces/boot.js'
import { makeNodeView } from '../testing/fixtures.js'
import { RedfishPower } from './redfish-power.js'
import { type RedfishLab, startIsoServer, startRedfishLab } from '../../../test/helpers/redfish-test-kit.js'
import { RedfishVirtualMediaBoot, VMEDIA_KEY } from './redfish-virtual-media-boot.js'

for (const personality of ['generic', 'idrac'] as const) {
  describe(`${personality === 'idrac' ? 'IdracRedfishVirtualMediaBoot' : 'RedfishVirtualMediaBoot'} against the ${personality} lab BMC`, () => {
    let lab: RedfishLab
    let iso: Awaited<ReturnType<typeof startIsoServer>>
    let boot: BootInterface
    before(async () => {
      iso = await startIsoServer()
      lab = await startRedfishLab(personality, { asyncVirtualMedia: personality === 'idrac' })
      boot = personality === 'idrac'
        ? new IdracRedfishVirtualMediaBoot({ connections: lab.connections, pollMs: 20 })
        : new RedfishVirtualMediaBoot({ connections: lab.connections, pollMs: 20 })
    })
    after(async () => {
      await lab.stop()
      await iso.stop()
    })

    test('prepareRamdisk inserts the deploy ISO and boots the CD once; cleanUpRamdisk ejects it', async () => {
      const node = lab.node({ redfish_deploy_iso: `${iso.url}/deploy.iso` })
      boot.validate(node)
      const ctx = lab.ctx(node)
      await boot.prepareRamdisk(ctx, { ipa_api_url: 'http://127.0.0.1:6385' })
      assert.deepEqual(lab.machine.virtualMedia(), { image: `${iso.url}/deploy.iso`, inserted: true })
      assert.ok(iso.requests.includes('/deploy.iso'), 'the BMC fetched the image')
      assert.deepEqual(lab.machine.bootSetting(), { device: 'cdrom', persistent: false, mode: 'uefi' })
      assert.match(String((ctx.internalInfo[VMEDIA_KEY] as { slot: string }).slot), /VirtualMedia\/(Cd|CD)$/)
      await new RedfishPower({ connections: lab.connections }).setPowerState(lab.ctx(node), 'power on')
      assert.deepEqual(lab.events.find((e) => e.kind === 'power-on'), { kind: 'power-on', bootedFrom: 'cdrom' })
      await boot.cleanUpRamdisk(ctx)
      assert.equal(lab.machine.virtualMedia(), null)
      assert.equal(ctx.internalInfo[VMEDIA_KEY], undefined)
      await boot.cleanUpRamdisk(ctx)
    })

    test('instance_info deploy_iso wins; a different image already inserted is swapped', async () => {
      const node = lab.node({ redfish_deploy_iso: `${iso.url}/deploy.iso` }, { instanceInfo: { deploy_iso: `${iso.url}/instance.iso` } })
      await boot.prepareRamdisk(lab.ctx(lab.node({ deploy_iso: `${iso.url}/deploy.iso` })), {})
      await boot.prepareRamdisk(lab.ctx(node), {})
      assert.deepEqual(lab.machine.virtualMedia(), { image: `${iso.url}/instance.iso`, inserted: true })
    })

    test('prepareInstance boots from disk and ejects; with boot_iso it keeps the CD', async () => {
      await boot.prepareInstance(lab.ctx())
      assert.equal(lab.machine.virtualMedia(), null)
      assert.deepEqual(lab.machine.bootSetting(), { device: 'disk', persistent: true, mode: 'uefi' })
      const node = lab.node({}, { instanceInfo: { boot_iso: `${iso.url}/instance.iso` } })
      await boot.prepareInstance(lab.ctx(node))
      assert.deepEqual(lab.machine.virtualMedia(), { image: `${iso.url}/instance.iso`, inserted: true })
      assert.deepEqual(lab.machine.bootSetting(), { device: 'cdrom', persistent: true, mode: 'uefi' })
      await boot.cleanUpInstance(lab.ctx(node))
      assert.equal(lab.machine.virtualMedia(), null)
    })

    test('an image the BMC cannot fetch fails clearly', async () => {
      const node = lab.node({ redfish_deploy_iso: `${iso.url}/missing.iso` })
      await assert.rejects(boot.prepareRamdisk(lab.ctx(node), {}), (e: unknown) => e instanceof Error && /missing\.iso|fetch|image/i.test(e.message))
      assert.equal(lab.machine.virtualMedia(), null)
    })
  })
}

describe('RedfishVirtualMediaBoot: validate', () => {
  const boot = new RedfishVirtualMediaBoot()
  const node = (driverInfo: Record<string, unknown>, instanceInfo: Record<string, unknown> = {}) =>
    makeNodeView({ driver: 'redfish', driverInfo: { redfish_address: 'https://bmc', ...driverInfo }, instanceInfo })

  test('needs a deploy ISO URL', () => {
    assert.throws(() => boot.validate(node({})), (e: unknown) => e instanceof ValidationError && /no deploy ISO.*redfish_deploy_iso/.test(e.message))
    assert.throws(() => boot.validate(node({ redfish_deploy_iso: 'ftp://images/x.iso' })), /invalid driver_info field "redfish_deploy_iso"/)
    assert.throws(() => boot.validate(node({ redfish_deploy_iso: 'images/x.iso' })), /invalid driver_info field "redfish_deploy_iso"/)
    // Local files on the conductor are served from Ferrum's boot server (see the local-iso test).
    boot.validate(node({ redfish_deploy_iso: 'file:///tmp/x.iso' }))
    boot.validate(node({ redfish_deploy_iso: '/var/lib/ferrum/deploy.iso' }))
    assert.throws(() => boot.validate(node({}, { deploy_iso: 'nope' })), /instance_info field "deploy_iso"/)
    assert.throws(() => boot.validate(makeNodeView({ driverInfo: { deploy_iso: 'http://x/a.iso' } })), /redfish_address/)
    boot.validate(node({ deploy_iso: 'http://images/deploy.iso' }))
    boot.validate(node({}, { deploy_iso: 'https://images/deploy.iso' }))
    assert.ok('redfish_deploy_iso' in boot.getProperties())
    assert.deepEqual(boot.capabilities, ['ramdisk_boot'])
  })
})
