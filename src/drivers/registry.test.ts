import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { NotFoundError, ValidationError } from '../domain/errors.js'
import { builtInInterfaces, createDriverRegistry } from './default-registry.js'
import { FakeBoot } from './fake/fake-boot.js'
import { FakePower } from './fake/fake-power.js'
import { defineHardwareType, FAKE_HARDWARE } from './hardware-types.js'
import type { BootInterface } from './interfaces/boot.js'
import type { DeployInterface } from './interfaces/deploy.js'
import { DriverRegistry } from './registry.js'

/** A boot/deploy implementation under another name, standing in for pxe/direct until they exist. */
function renamed<T extends BootInterface | DeployInterface>(impl: T, name: string): T {
  return Object.assign(Object.create(Object.getPrototypeOf(impl) as object) as T, impl, { name })
}

function errorMatching(type: new (...a: never[]) => Error, code: string, text: RegExp) {
  return (e: unknown) => e instanceof type && (e as { code?: string }).code === code && text.test(e.message)
}

describe('DriverRegistry', () => {
  it('lists every hardware type but enables only those with required interfaces', () => {
    const r = createDriverRegistry()
    assert.deepEqual(r.listHardwareTypes().map((t) => t.name), ['fake-hardware', 'idrac', 'ipmi', 'manual-management', 'redfish'])
    assert.deepEqual(r.enabledHardwareTypes().map((t) => t.name), ['fake-hardware', 'idrac', 'ipmi', 'manual-management', 'redfish'])
    const noFakeBoot = createDriverRegistry({ enabled: { boot: [] } })
    assert.deepEqual(noFakeBoot.enabledHardwareTypes().map((t) => t.name), [])
    assert.throws(() => noFakeBoot.getHardwareType('manual-management'), NotFoundError)
    assert.throws(() => r.resolveInterfaces('nope'), (e: unknown) => e instanceof NotFoundError && e.code === 'DRIVER_NOT_FOUND')
  })

  it('defaults fake-hardware to fake everywhere it can', () => {
    const names = createDriverRegistry().resolveInterfaces('fake-hardware')
    assert.deepEqual(names, {
      bios: 'fake', boot: 'fake', console: 'fake', deploy: 'fake', firmware: 'fake', inspect: 'fake',
      management: 'fake', network: 'noop', power: 'fake', raid: 'fake', rescue: 'fake', storage: 'noop', vendor: 'fake',
    })
  })

  it('lets fake-hardware take any enabled implementation, preferred ones first', () => {
    const r = createDriverRegistry()
    const names = r.resolveInterfaces('fake-hardware', { management: 'noop', raid: 'no-raid', console: null })
    assert.equal(names.management, 'noop')
    assert.equal(names.raid, 'no-raid')
    assert.equal(names.console, 'fake')
    // Its preferred ones first, then every other enabled implementation (redfish, idrac-redfish…).
    const management = r.supportedInterfaces(FAKE_HARDWARE, 'management')
    assert.deepEqual(management.slice(0, 2), ['fake', 'noop'])
    assert.ok(management.includes('redfish'))
  })

  it('falls back along the preference list as config disables implementations', () => {
    const r = createDriverRegistry({ enabled: { management: ['noop'], raid: ['no-raid'] } })
    const names = r.resolveInterfaces('fake-hardware')
    assert.equal(names.management, 'noop')
    assert.equal(names.raid, 'no-raid')
    assert.throws(
      () => r.resolveInterfaces('fake-hardware', { management: 'fake' }),
      errorMatching(ValidationError, 'FERRUM_INTERFACE_NOT_ENABLED', /management interface "fake" is not enabled\. Enabled management interfaces: noop\./),
    )
  })

  it('honours configured defaults when the hardware type supports them', () => {
    const r = createDriverRegistry({ defaults: { management: 'noop', power: 'agent' } })
    const names = r.resolveInterfaces('fake-hardware')
    assert.equal(names.management, 'noop')
    assert.equal(names.power, 'fake')
  })

  it('refuses implementations a strict hardware type does not list', () => {
    const r = new DriverRegistry()
      .registerHardwareType(defineHardwareType({ name: 'strict', description: 't', power: ['fake'], management: ['noop'], boot: ['fake'], deploy: ['fake'] }))
    for (const impl of builtInInterfaces()) r.register(impl)
    assert.equal(r.resolveInterfaces('strict').bios, 'no-bios')
    assert.throws(
      () => r.resolveInterfaces('strict', { management: 'fake' }),
      errorMatching(ValidationError, 'FERRUM_INCOMPATIBLE_INTERFACE', /management interface "fake" is not supported by hardware type "strict"\. Supported management interfaces: noop\./),
    )
    assert.throws(() => r.resolveInterfaces('strict', { power: 'agent' }), errorMatching(ValidationError, 'FERRUM_INTERFACE_NOT_ENABLED', /"agent"/))
    assert.throws(() => r.resolveInterfaces('strict', { power: 'ipmitool' }), errorMatching(ValidationError, 'FERRUM_INCOMPATIBLE_INTERFACE', /"ipmitool"/))
  })

  it('enables manual-management with the built-in ipxe boot and direct deploy, preferring agent then fake power', () => {
    const r = createDriverRegistry({})
    assert.ok(r.enabledHardwareTypes().some((t) => t.name === 'manual-management'))
    const names = r.resolveInterfaces('manual-management')
    assert.equal(names.power, 'fake')
    assert.equal(names.management, 'noop')
    assert.equal(names.boot, 'ipxe')
    assert.equal(names.deploy, 'direct')
    assert.equal(names.vendor, 'no-vendor')
    // An implementation registered from outside takes its place in the hardware type's order.
    const extra = createDriverRegistry({ enabled: { boot: ['http-ipxe', 'pxe', 'fake'] } }, [renamed(new FakeBoot(), 'http-ipxe')])
    assert.equal(extra.resolveInterfaces('manual-management').boot, 'pxe')
    const first = createDriverRegistry({ enabled: { boot: ['http', 'fake'] } }, [renamed(new FakeBoot(), 'http')])
    assert.equal(first.resolveInterfaces('manual-management').boot, 'http')
  })

  it('reports a kind with no enabled default', () => {
    const r = createDriverRegistry({ enabled: { vendor: [] } })
    assert.throws(() => r.resolveInterfaces('fake-hardware'), errorMatching(ValidationError, 'FERRUM_NO_DEFAULT_INTERFACE', /No vendor interface is enabled/))
  })

  it('restricts hardware types to the enabled list', () => {
    const r = createDriverRegistry({ enabledHardwareTypes: ['manual-management'], enabled: { boot: ['http-ipxe'] } })
    assert.deepEqual(r.enabledHardwareTypes(), [])
    assert.deepEqual(r.problems(), [
      'enabled boot interface "http-ipxe" has no implementation in this build',
      'hardware type "manual-management" is disabled: none of its boot interfaces (ipxe, pxe, http-ipxe, http, fake) is enabled',
    ])
    assert.deepEqual(createDriverRegistry({ enabledHardwareTypes: ['manual-management'] }).enabledHardwareTypes().map((t) => t.name), ['manual-management'])
    assert.deepEqual(createDriverRegistry({ enabledHardwareTypes: ['ipmi'] }).enabledHardwareTypes().map((t) => t.name), ['ipmi'])
  })

  it('reports enabled names without an implementation', () => {
    const r = createDriverRegistry({ enabled: { power: ['fake', 'agent'] } })
    assert.deepEqual(r.enabledInterfaceNames('power'), ['fake'])
    assert.deepEqual(r.problems(), ['enabled power interface "agent" has no implementation in this build'])
  })

  it('loads a node\'s interfaces and refuses one that was disabled since', () => {
    const r = createDriverRegistry()
    const loaded = r.loadInterfaces(r.resolveInterfaces('fake-hardware'))
    assert.ok(loaded.power instanceof FakePower)
    assert.equal(loaded.network.name, 'noop')
    const narrowed = createDriverRegistry({ enabled: { power: [] } })
    assert.throws(() => narrowed.loadInterfaces(r.resolveInterfaces('fake-hardware')), ValidationError)
    assert.throws(() => narrowed.getInterface('power', 'fake'), /power interface "fake" is not enabled\. Enabled power interfaces: \(none\)\./)
  })

  it('aggregates driver properties over the supported implementations', () => {
    const props = createDriverRegistry().driverProperties('fake-hardware')
    assert.match(props.fake_step_wait ?? '', /waits for a callback/)
    assert.match(props.fake_power_fail ?? '', /fails/)
    assert.ok('fake_inspect_properties' in props)
  })

  it('refuses duplicate registrations', () => {
    const r = createDriverRegistry()
    assert.throws(() => r.register(new FakePower()), /already registered/)
    assert.throws(() => r.registerHardwareType(FAKE_HARDWARE), /already registered/)
  })
})
