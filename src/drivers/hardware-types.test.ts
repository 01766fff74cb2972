import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { defineHardwareType, FAKE_HARDWARE, HARDWARE_TYPES, IPMI, MANUAL_MANAGEMENT, REDFISH } from './hardware-types.js'
import { INTERFACE_KINDS, REQUIRED_KINDS } from './interface-kinds.js'

describe('hardware types', () => {
  it('have unique names and list every kind, required kinds non-empty', () => {
    assert.equal(new Set(HARDWARE_TYPES.map((t) => t.name)).size, HARDWARE_TYPES.length)
    for (const t of HARDWARE_TYPES) {
      assert.deepEqual(Object.keys(t.interfaces).sort(), [...INTERFACE_KINDS].sort(), t.name)
      for (const k of REQUIRED_KINDS) assert.ok(t.interfaces[k].length > 0, `${t.name}.${k}`)
      for (const k of INTERFACE_KINDS) assert.equal(new Set(t.interfaces[k]).size, t.interfaces[k].length, `${t.name}.${k} repeats`)
    }
  })

  it('fills optional kinds with no-op implementations', () => {
    const t = defineHardwareType({ name: 'x', description: 'x', power: ['p'], management: ['m'], boot: ['b'], deploy: ['d'] })
    assert.deepEqual(t.interfaces.raid, ['no-raid'])
    assert.deepEqual(t.interfaces.network, ['noop'])
    assert.equal(t.acceptsAnyEnabled, false)
    assert.ok(Object.isFrozen(t.interfaces.power))
  })

  it('prefers fake for every fake-hardware kind Ironic has a fake for', () => {
    for (const k of INTERFACE_KINDS) {
      const first = FAKE_HARDWARE.interfaces[k][0]
      assert.equal(first, k === 'network' || k === 'storage' ? 'noop' : 'fake', k)
    }
    assert.equal(FAKE_HARDWARE.acceptsAnyEnabled, true)
  })

  it('uses Ironic interface names for the vendor types', () => {
    assert.deepEqual(IPMI.interfaces.power, ['ipmitool'])
    assert.deepEqual(REDFISH.interfaces.management, ['redfish', 'noop'])
    assert.ok(REDFISH.interfaces.boot.includes('redfish-virtual-media'))
    assert.deepEqual(MANUAL_MANAGEMENT.interfaces.management, ['noop', 'fake'])
    assert.deepEqual(MANUAL_MANAGEMENT.interfaces.power, ['agent', 'fake'])
  })
})
