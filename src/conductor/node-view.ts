import { INTERFACE_KINDS } from '../domain/interface-kinds.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { NodeView, PortView } from '../drivers/node-view.js'
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import type { PowerState } from '../domain/power-states.js'

/** The read-only view drivers get of a node. */
export function toNodeView(n: NodeRecord, traits: readonly string[] = [], ports: readonly PortView[] = []): NodeView {
  const interfaces = {} as Record<InterfaceKind, string>
  for (const k of INTERFACE_KINDS) interfaces[k] = (n as unknown as Record<string, string | null>)[`${k}_interface`] ?? ''
  return {
    uuid: n.uuid,
    name: n.name,
    driver: n.driver,
    driverInfo: n.driver_info,
    driverInternalInfo: n.driver_internal_info,
    properties: n.properties,
    instanceInfo: n.instance_info,
    instanceUuid: n.instance_uuid,
    interfaces,
    provisionState: n.provision_state,
    targetProvisionState: n.target_provision_state,
    powerState: n.power_state as PowerState | null,
    targetPowerState: n.target_power_state as PowerState | null,
    maintenance: n.maintenance,
    bootMode: n.boot_mode,
    secureBoot: n.secure_boot,
    raidConfig: n.raid_config ?? {},
    targetRaidConfig: n.target_raid_config ?? {},
    traits,
    ports,
  }
}
