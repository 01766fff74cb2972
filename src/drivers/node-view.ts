/**
 * The read-only view of a node that the conductor hands to drivers. Drivers never load or save
 * nodes; what they need to persist goes into `DriverContext.internalInfo` or a step result.
 */
import type { PowerState } from '../domain/power-states.js'
import type { ProvisionState } from '../domain/provision-states.js'
import type { InterfaceKind } from './interface-kinds.js'

/** A JSON-like object field of a node (driver_info, properties, instance_info…). */
export type JsonObject = Readonly<Record<string, unknown>>

/** A port of the node, as drivers need it (DHCP, boot, inspection). */
export interface PortView {
  readonly uuid: string
  /** MAC address, lower case, colon separated. */
  readonly address: string
  readonly pxeEnabled: boolean
  readonly physicalNetwork: string | null
  readonly localLinkConnection: JsonObject
  readonly extra: JsonObject
}

/** The node as drivers see it. */
export interface NodeView {
  readonly uuid: string
  readonly name: string | null
  /** The hardware type name (Ironic's `driver` field). */
  readonly driver: string
  readonly driverInfo: JsonObject
  readonly driverInternalInfo: JsonObject
  readonly properties: JsonObject
  readonly instanceInfo: JsonObject
  readonly instanceUuid: string | null
  /** The implementation name chosen for each interface kind. */
  readonly interfaces: Readonly<Record<InterfaceKind, string>>
  readonly provisionState: ProvisionState
  readonly targetProvisionState: ProvisionState | null
  readonly powerState: PowerState | null
  readonly targetPowerState: PowerState | null
  readonly maintenance: boolean
  readonly bootMode: string | null
  readonly secureBoot: boolean | null
  readonly raidConfig: JsonObject
  readonly targetRaidConfig: JsonObject
  readonly traits: readonly string[]
  readonly ports: readonly PortView[]
}
