/**
 * Hardware types as data: for each interface kind, the implementation names a type allows, in
 * order of preference (the first enabled one is the default). Names are Ironic's, so a node's
 * `*_interface` fields mean the same thing here; a name with no registered implementation is
 * simply never enabled.
 */
import { INTERFACE_KINDS, type InterfaceKind } from './interface-kinds.js'

/** A hardware type (Ironic's `driver` field of a node). */
export interface HardwareType {
  readonly name: string
  readonly description: string
  /** Allowed implementation names per kind, most preferred first. */
  readonly interfaces: Readonly<Record<InterfaceKind, readonly string[]>>
  /**
   * When true, any enabled implementation is accepted for any kind and the lists only pick
   * defaults. Ironic special-cases `fake-hardware` this way.
   */
  readonly acceptsAnyEnabled: boolean
}

/** The input of {@link defineHardwareType}: required kinds must be listed, others default to no-ops. */
export type HardwareTypeSpec = {
  readonly name: string
  readonly description: string
  readonly acceptsAnyEnabled?: boolean
} & Readonly<Record<'boot' | 'deploy' | 'management' | 'power', readonly string[]>> &
  Readonly<Partial<Record<InterfaceKind, readonly string[]>>>

/** What an optional kind allows when a hardware type does not say (Ironic's base hardware type). */
export const OPTIONAL_KIND_DEFAULTS: Readonly<Record<Exclude<InterfaceKind, 'boot' | 'deploy' | 'management' | 'power'>, readonly string[]>> = {
  bios: ['no-bios'],
  console: ['no-console'],
  firmware: ['no-firmware'],
  inspect: ['no-inspect'],
  network: ['noop'],
  raid: ['no-raid'],
  rescue: ['no-rescue'],
  storage: ['noop'],
  vendor: ['no-vendor'],
}

/** Builds a frozen hardware type, filling unlisted optional kinds with their no-op implementation. */
export function defineHardwareType(spec: HardwareTypeSpec): HardwareType {
  const interfaces = {} as Record<InterfaceKind, readonly string[]>
  for (const kind of INTERFACE_KINDS) {
    const listed = spec[kind] ?? (OPTIONAL_KIND_DEFAULTS as Partial<Record<InterfaceKind, readonly string[]>>)[kind] ?? []
    interfaces[kind] = Object.freeze([...listed])
  }
  return Object.freeze({
    name: spec.name,
    description: spec.description,
    interfaces: Object.freeze(interfaces),
    acceptsAnyEnabled: spec.acceptsAnyEnabled ?? false,
  })
}

/** The interfaces Ironic's generic hardware offers; vendor types override some kinds. */
const GENERIC = {
  boot: ['ipxe', 'pxe', 'http-ipxe', 'http'],
  // NOTE: `fake` boot and deploy come last in the generic types' lists so nodes behind real BMCs can
  // be managed, powered and (fake-)deployed until the agent's boot/deploy interfaces land. This is a
  // Ferrum extension: Ironic's GenericHardware (21.4 and master) lists neither FakeBoot nor FakeDeploy.
  deploy: ['direct', 'ramdisk', 'custom-agent', 'fake'],
  inspect: ['agent', 'no-inspect'],
  // NOTE: Ironic prefers `flat` (Neutron); Ferrum manages DHCP itself, so `noop` comes first.
  network: ['noop', 'flat'],
  raid: ['no-raid', 'agent'],
  rescue: ['no-rescue', 'agent'],
  storage: ['noop', 'external'],
  firmware: ['no-firmware'],
  console: ['no-console'],
} as const

/** Everything fake: for tests and the virtual lab without BMC emulation. */
export const FAKE_HARDWARE = defineHardwareType({
  name: 'fake-hardware',
  description: 'Fake hardware: every interface does nothing but remember state in driver_internal_info.',
  acceptsAnyEnabled: true,
  power: ['fake'],
  management: ['fake', 'noop'],
  boot: ['fake'],
  deploy: ['fake'],
  inspect: ['fake', 'no-inspect'],
  console: ['fake', 'no-console'],
  raid: ['fake', 'no-raid'],
  bios: ['fake', 'no-bios'],
  firmware: ['fake', 'no-firmware'],
  rescue: ['fake', 'no-rescue'],
  network: ['noop'],
  storage: ['noop'],
  vendor: ['fake', 'no-vendor'],
})

/** An operator powers the node and picks its boot device by hand. */
export const MANUAL_MANAGEMENT = defineHardwareType({
  name: 'manual-management',
  description: 'Manual power and boot device management, for hardware without a usable BMC.',
  ...GENERIC,
  boot: [...GENERIC.boot, 'fake'],
  power: ['agent', 'fake'],
  management: ['noop', 'fake'],
  vendor: ['no-vendor'],
})

/** IPMI 2.0 BMCs, through Ferrum's own RMCP+ client. */
export const IPMI = defineHardwareType({
  name: 'ipmi',
  description: 'IPMI 2.0 (RMCP+) power and management.',
  ...GENERIC,
  boot: [...GENERIC.boot, 'fake'],
  power: ['ipmitool'],
  management: ['ipmitool'],
  console: ['ipmitool-socat', 'ipmitool-shellinabox', 'no-console'],
  vendor: ['ipmitool', 'no-vendor'],
})

/** DMTF Redfish BMCs. */
export const REDFISH = defineHardwareType({
  name: 'redfish',
  description: 'DMTF Redfish power, management, BIOS, RAID, firmware and virtual media.',
  ...GENERIC,
  power: ['redfish'],
  management: ['redfish', 'noop'],
  // NOTE: virtual media comes last because vendor support for it varies (as in Ironic).
  boot: [...GENERIC.boot, 'redfish-virtual-media', 'redfish-https', 'fake'],
  inspect: ['redfish', ...GENERIC.inspect],
  bios: ['redfish', 'no-bios'],
  raid: ['redfish', 'no-raid', 'agent'],
  firmware: ['redfish', 'no-firmware'],
  vendor: ['redfish', 'no-vendor'],
})

/** Dell iDRAC through its Redfish service. */
export const IDRAC = defineHardwareType({
  name: 'idrac',
  description: 'Dell iDRAC (Redfish with Dell extensions).',
  ...GENERIC,
  power: ['idrac-redfish'],
  management: ['idrac-redfish'],
  boot: [...GENERIC.boot, 'idrac-redfish-virtual-media', 'fake'],
  inspect: ['idrac-redfish', ...GENERIC.inspect],
  bios: ['idrac-redfish', 'no-bios'],
  raid: ['idrac-redfish', 'no-raid', 'agent'],
  firmware: ['redfish', 'no-firmware'],
  vendor: ['idrac-redfish', 'no-vendor'],
})

/** Every hardware type Ferrum knows, in listing order. */
export const HARDWARE_TYPES: readonly HardwareType[] = [FAKE_HARDWARE, IDRAC, IPMI, MANUAL_MANAGEMENT, REDFISH]
