import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DriverError, ValidationError } from '../../domain/errors.js'
import { makeContext, makeNodeView } from '../testing/fixtures.js'
import { FakeBios } from './fake-bios.js'
import { FakeBoot } from './fake-boot.js'
import { FakeConsole } from './fake-console.js'
import { FakeDeploy } from './fake-deploy.js'
import { FakeFirmware } from './fake-firmware.js'
import { FakeInspect } from './fake-inspect.js'
import { FakeManagement } from './fake-management.js'
import { FakePower } from './fake-power.js'
import { FakeRaid } from './fake-raid.js'
import { FakeRescue } from './fake-rescue.js'
import { FakeVendor } from './fake-vendor.js'

describe('FakePower', () => {
  it('starts off, remembers its state and counts reboots', async () => {
    const power = new FakePower()
    const ctx = makeContext()
    assert.equal(await power.getPowerState(ctx), 'power off')
    await power.setPowerState(ctx, 'power on')
    assert.equal(await power.getPowerState(ctx), 'power on')
    assert.equal(ctx.internalInfo.fake_power_state, 'power on')
    await power.setPowerState(ctx, 'soft power off')
    assert.equal(await power.getPowerState(ctx), 'power off')
    await power.reboot(ctx)
    await power.setPowerState(ctx, 'soft rebooting')
    assert.equal(await power.getPowerState(ctx), 'power on')
    assert.equal(ctx.internalInfo.fake_reboot_count, 2)
  })

  it('reads the state persisted by an earlier call', async () => {
    const ctx = makeContext(makeNodeView({ driverInternalInfo: { fake_power_state: 'power on' } }))
    assert.equal(await new FakePower().getPowerState(ctx), 'power on')
  })

  it('fails on demand and honours an aborted signal', async () => {
    const power = new FakePower()
    const failing = makeContext(makeNodeView({ driverInfo: { fake_power_fail: true } }))
    await assert.rejects(power.setPowerState(failing, 'power on'), DriverError)
    assert.equal(failing.internalInfo.fake_power_state, undefined)
    const ac = new AbortController()
    ac.abort(new Error('timed out'))
    await assert.rejects(power.getPowerState(makeContext(makeNodeView(), { signal: ac.signal })), /timed out/)
  })
})

describe('FakeManagement', () => {
  it('remembers boot device, boot mode, NMIs and indicators', async () => {
    const mgmt = new FakeManagement()
    const ctx = makeContext()
    assert.deepEqual(await mgmt.getBootDevice(ctx), { bootDevice: 'pxe', persistent: false })
    await mgmt.setBootDevice(ctx, 'disk', { persistent: true })
    assert.deepEqual(await mgmt.getBootDevice(ctx), { bootDevice: 'disk', persistent: true })
    await assert.rejects(mgmt.setBootDevice(ctx, 'wanboot'), ValidationError)
    assert.equal(await mgmt.getBootMode(ctx), 'uefi')
    await mgmt.setBootMode(ctx, 'bios')
    assert.equal(await mgmt.getBootMode(ctx), 'bios')
    await mgmt.injectNmi(ctx)
    assert.equal(ctx.internalInfo.fake_nmi_count, 1)
    assert.equal(await mgmt.getIndicatorState(ctx, 'system', 'led'), 'off')
    await mgmt.setIndicatorState(ctx, 'system', 'led', 'blinking')
    assert.equal(await mgmt.getIndicatorState(ctx, 'system', 'led'), 'blinking')
    await assert.rejects(mgmt.setIndicatorState(ctx, 'chassis', 'led', 'on'), /cannot be set/)
    await assert.rejects(mgmt.getIndicatorState(ctx, 'nic', 'led'), ValidationError)
    assert.ok('Temperature' in (await mgmt.getSensorsData(ctx)))
  })
})

describe('FakeDeploy steps', () => {
  it('offers deploy, clean and service steps with Ironic field names', () => {
    const deploy = new FakeDeploy()
    const node = makeNodeView()
    assert.deepEqual(deploy.getDeploySteps(node), [{ interface: 'deploy', step: 'deploy', priority: 100, args: {}, abortable: false }])
    assert.deepEqual(deploy.getCleanSteps(node).map((s) => [s.step, s.priority, s.abortable]), [['erase_devices', 10, true]])
    assert.deepEqual(deploy.getServiceSteps(node).map((s) => [s.step, s.priority]), [['fake_service', 0]])
  })

  it('finishes at once and logs the steps it ran', async () => {
    const deploy = new FakeDeploy()
    const ctx = makeContext()
    const [step] = deploy.getDeploySteps(ctx.node)
    assert.deepEqual(await deploy.executeStep(ctx, step), { done: true })
    assert.equal(ctx.internalInfo.fake_deployed, true)
    assert.deepEqual(ctx.internalInfo.fake_steps_run, ['deploy.deploy'])
  })

  it('waits when fake_step_wait names the step, holds for fake_step_hold', async () => {
    const deploy = new FakeDeploy()
    const ctx = makeContext(makeNodeView({ driverInfo: { fake_step_wait: ['deploy.deploy'] } }))
    const [step] = deploy.getDeploySteps(ctx.node)
    const first = await deploy.executeStep(ctx, step)
    assert.ok('wait' in first && /fake_step_wait/.test(first.wait) && first.hold === undefined)
    assert.equal(ctx.internalInfo.fake_deployed, undefined)
    const held = await deploy.executeStep(makeContext(makeNodeView({ driverInfo: { fake_step_hold: 'deploy' } })), step)
    assert.ok('wait' in held && held.hold === true)
  })

  it('sleeps for fake_step_sleep_ms and stops early when aborted', async () => {
    const deploy = new FakeDeploy()
    const ctx = makeContext(makeNodeView({ driverInfo: { fake_step_sleep_ms: { erase_devices: 5000 } } }))
    const [clean] = deploy.getCleanSteps(ctx.node)
    const started = ctx.clock.now()
    assert.deepEqual(await deploy.executeStep(ctx, clean), { done: true })
    assert.equal(ctx.clock.now() - started, 5000)
    const ac = new AbortController()
    ac.abort(new Error('stop'))
    await assert.rejects(deploy.executeStep({ ...ctx, signal: ac.signal }, clean), /stop/)
    assert.throws(() => deploy.validate(makeNodeView({ driverInfo: { fake_step_sleep_ms: 'slow' } })), /fake_step_sleep_ms/)
  })

  it('fails the step fake_fail_step names', async () => {
    const deploy = new FakeDeploy()
    const ctx = makeContext(makeNodeView({ driverInfo: { fake_fail_step: 'erase_devices' } }))
    const [clean] = deploy.getCleanSteps(ctx.node)
    await assert.rejects(deploy.executeStep(ctx, clean), (e: unknown) => e instanceof DriverError && e.code === 'FERRUM_FAKE_FAILURE')
    assert.deepEqual(await deploy.deploy(ctx), { done: true })
  })

  it('validates the knobs and refuses unknown steps', async () => {
    const deploy = new FakeDeploy()
    assert.throws(
      () => deploy.validate(makeNodeView({ driverInfo: { fake_fail_step: 42 } })),
      (e: unknown) => e instanceof ValidationError && e.code === 'FERRUM_INVALID_DRIVER_INFO' && /fake_fail_step/.test(e.message),
    )
    const ctx = makeContext()
    await assert.rejects(deploy.executeStep(ctx, { interface: 'deploy', step: 'nope', priority: 0, args: {} }), /has no step "deploy\.nope"/)
    await assert.rejects(deploy.executeStep(ctx, { interface: 'raid', step: 'deploy', priority: 0, args: {} }), ValidationError)
  })

  it('tracks prepare, tear-down and clean-up', async () => {
    const deploy = new FakeDeploy()
    const ctx = makeContext()
    await deploy.prepare(ctx)
    await deploy.deploy(ctx)
    await deploy.tearDown(ctx)
    await deploy.cleanUp(ctx)
    assert.equal(ctx.internalInfo.fake_deployed, false)
    assert.equal(ctx.internalInfo.fake_prepared, undefined)
  })
})

describe('other fakes', () => {
  it('boot records the next boot target', async () => {
    const boot = new FakeBoot()
    const ctx = makeContext()
    await boot.prepareRamdisk(ctx, { 'ipa-api-url': 'http://conductor:6385' })
    assert.equal(ctx.internalInfo.fake_boot_target, 'ramdisk')
    await boot.cleanUpRamdisk(ctx)
    await boot.prepareInstance(ctx)
    assert.equal(ctx.internalInfo.fake_boot_target, 'instance')
    assert.equal(ctx.internalInfo.fake_ramdisk_params, undefined)
  })

  it('inspect reports properties and MACs, or waits', async () => {
    const inspect = new FakeInspect()
    const port = { uuid: 'p1', address: '52:54:00:12:34:56', pxeEnabled: true, physicalNetwork: null, localLinkConnection: {}, extra: {} }
    const ctx = makeContext(makeNodeView({ ports: [port], driverInfo: { fake_inspect_properties: { memory_mb: 8192 } } }))
    const result = await inspect.inspectHardware(ctx)
    assert.ok('done' in result)
    assert.deepEqual(result.updates?.properties, { cpu_arch: 'x86_64', cpus: 2, memory_mb: 8192, local_gb: 40 })
    assert.deepEqual(result.macAddresses, ['52:54:00:12:34:56'])
    const waiting = makeContext(makeNodeView({ driverInfo: { fake_step_wait: 'inspect_hardware' } }))
    assert.ok('wait' in (await inspect.inspectHardware(waiting)))
    assert.throws(() => inspect.validate(makeNodeView({ driverInfo: { fake_inspect_properties: 'x' } })), /fake_inspect_properties/)
  })

  it('raid builds the target configuration and deletes it', async () => {
    const raid = new FakeRaid()
    const target = { logical_disks: [{ size_gb: 100, raid_level: '1', is_root_volume: true }, { size_gb: 'MAX', raid_level: '5' }] }
    const ctx = makeContext(makeNodeView({ targetRaidConfig: target }))
    assert.deepEqual(await raid.createConfiguration(ctx, { createNonrootVolumes: false }), {
      done: true,
      updates: { raidConfig: { logical_disks: [target.logical_disks[0]] } },
    })
    const [create] = raid.getCleanSteps(ctx.node)
    assert.deepEqual(await raid.executeStep(ctx, create), { done: true, updates: { raidConfig: target } })
    assert.deepEqual(await raid.deleteConfiguration(ctx), { done: true, updates: { raidConfig: {} } })
    assert.throws(() => raid.validateRaidConfig(ctx.node, { logical_disks: [{ size_gb: 0, raid_level: '1' }] }), /size_gb/)
    assert.throws(() => raid.validateRaidConfig(ctx.node, { logical_disks: [{ size_gb: 1, raid_level: '7' }] }), /raid_level/)
    const [apply] = raid.getDeploySteps(ctx.node)
    assert.deepEqual(await raid.executeStep(ctx, { ...apply, args: { raid_config: target } }), { done: true, updates: { raidConfig: target } })
  })

  it('bios applies settings and resets to factory defaults', async () => {
    const bios = new FakeBios()
    const ctx = makeContext()
    const apply = bios.getCleanSteps(ctx.node).find((s) => s.step === 'apply_configuration')
    assert.ok(apply)
    await bios.executeStep(ctx, { ...apply, args: { settings: [{ name: 'LogicalProc', value: 'Disabled' }] } })
    assert.ok((await bios.getSettings(ctx)).some((s) => s.name === 'LogicalProc' && s.value === 'Disabled'))
    await assert.rejects(bios.executeStep(ctx, { ...apply, args: { settings: 'x' } }), ValidationError)
    await bios.factoryReset(ctx)
    assert.ok((await bios.getSettings(ctx)).some((s) => s.name === 'LogicalProc' && s.value === 'Enabled'))
  })

  it('firmware flashes known components', async () => {
    const fw = new FakeFirmware()
    const ctx = makeContext()
    await fw.update(ctx, [{ component: 'bmc', url: 'http://images/bmc-2.1.0.bin', version: '2.1.0' }])
    const bmc = (await fw.getComponents(ctx)).find((c) => c.component === 'bmc')
    assert.deepEqual(bmc, { component: 'bmc', initial_version: '1.0.0', current_version: '2.1.0', last_version_flashed: '2.1.0' })
    await assert.rejects(fw.update(ctx, [{ component: 'nic', url: 'x' }]), /Unknown firmware component/)
  })

  it('console and rescue keep flags', async () => {
    const ctx = makeContext()
    const console_ = new FakeConsole()
    await console_.startConsole(ctx)
    assert.equal(ctx.internalInfo.fake_console_enabled, true)
    assert.deepEqual(await console_.getConsole(ctx), { type: 'fake', url: `fake://console/${ctx.node.uuid}` })
    const rescue = new FakeRescue()
    assert.deepEqual(await rescue.rescue(ctx), { done: true })
    assert.equal(ctx.internalInfo.fake_rescued, true)
    await rescue.unrescue(ctx)
    assert.equal(ctx.internalInfo.fake_rescued, false)
  })

  it('vendor passthru echoes, counts and pings', async () => {
    const vendor = new FakeVendor()
    const ctx = makeContext()
    assert.deepEqual(await vendor.methods.echo.run(ctx, { a: 1 }, 'POST'), { args: { a: 1 }, httpMethod: 'POST' })
    await vendor.methods.count.run(ctx, {}, 'POST')
    await vendor.methods.count.run(ctx, {}, 'POST')
    assert.equal(ctx.internalInfo.fake_vendor_calls, 2)
    assert.deepEqual(await vendor.driverMethods.ping.run(ctx, {}, 'GET'), { pong: true, at: ctx.clock.now() })
  })
})
