import type { InterfaceKind } from '../../domain/interface-kinds.js'
import type { DriverSummary } from '../../conductor/api.js'
import type { ApiVersion, Feature } from '../microversions.js'
import type { FieldTable } from '../collection.js'
import { pickFields } from '../collection.js'
import { selfLinks } from '../links.js'

/**
 * Interface kinds a detailed driver shows `default_<kind>_interface` and
 * `enabled_<kind>_interfaces` for (1.30+), each with the feature that added it.
 */
const DRIVER_INTERFACES: ReadonlyArray<readonly [InterfaceKind, Feature]> = [
  ['bios', 'bios_interface'], ['boot', 'dynamic_drivers'], ['console', 'dynamic_drivers'], ['deploy', 'dynamic_drivers'],
  ['firmware', 'firmware_interface'], ['inspect', 'dynamic_drivers'], ['management', 'dynamic_drivers'],
  ['network', 'dynamic_drivers'], ['power', 'dynamic_drivers'], ['raid', 'dynamic_drivers'], ['rescue', 'rescue'],
  ['storage', 'storage_interface'], ['vendor', 'dynamic_drivers'],
]

/** Driver fields in Ironic's order, each with the feature that made it visible. */
export const DRIVER_FIELDS: FieldTable = [
  ['name', null], ['hosts', null], ['type', 'dynamic_drivers'], ['links', null], ['properties', 'node_states_links'],
  ...DRIVER_INTERFACES.map(([k, f]) => [`default_${k}_interface`, f] as const),
  ...DRIVER_INTERFACES.map(([k, f]) => [`enabled_${k}_interfaces`, f] as const),
]

/**
 * A hardware type as Ironic shows it at `v`. `detail` adds the default and enabled
 * implementation of every interface kind the version knows.
 */
export function driverView(d: DriverSummary, base: string, v: ApiVersion, detail: boolean, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    name: d.name,
    hosts: d.hosts,
    type: d.type,
    links: selfLinks(base, `drivers/${d.name}`),
    properties: selfLinks(base, `drivers/${d.name}/properties`),
  }
  if (detail || fields !== undefined) {
    for (const [kind] of DRIVER_INTERFACES) {
      const opt = d.interfaces[kind]
      all[`default_${kind}_interface`] = opt?.default ?? null
      all[`enabled_${kind}_interfaces`] = opt?.enabled ?? []
    }
  }
  return pickFields(all, DRIVER_FIELDS, v, fields)
}
