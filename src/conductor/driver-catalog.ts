import type { InterfaceKind } from '../drivers/interface-kinds.js'
import type { InterfaceByKind } from '../drivers/interfaces/by-kind.js'

/** What the conductor needs from the driver registry. */
export interface DriverCatalog {
  /** Enabled hardware type names. */
  hardwareTypes(): string[]
  /**
   * Complete interface map for a hardware type: requested names checked, the rest defaulted.
   * @throws ValidationError naming the unknown driver or the unsupported/disabled interface
   */
  resolve(hardwareType: string, requested: Partial<Record<InterfaceKind, string | null>>): Record<InterfaceKind, string>
  /** The implementation registered for (kind, name). @throws ValidationError if none. */
  implementation<K extends InterfaceKind>(kind: K, name: string): InterfaceByKind[K]
  /** Per kind: the default and the enabled implementation names for a hardware type. */
  interfaceOptions(hardwareType: string): Record<InterfaceKind, { default: string | null; enabled: string[] }>
  /** driver_info property → description for a hardware type. */
  properties(hardwareType: string): Record<string, string>
  /** Releases BMC sessions the drivers hold (conductor shutdown). */
  close?(): Promise<void>
}

import type { DriverRegistry } from '../drivers/registry.js'
import { INTERFACE_KINDS } from '../drivers/interface-kinds.js'
import { ValidationError } from '../domain/errors.js'

/** The catalog over the driver registry. */
export function catalogFromRegistry(reg: DriverRegistry): DriverCatalog {
  return {
    hardwareTypes: () => reg.enabledHardwareTypes().map((t) => t.name),
    resolve: (hw, requested) => {
      try {
        return { ...reg.resolveInterfaces(hw, requested) }
      } catch (e) {
        // An unknown hardware type on node create/update is a 400 in Ironic, not a 404.
        if ((e as { httpStatus?: number }).httpStatus === 404) throw new ValidationError((e as Error).message, { code: 'DRIVER_NOT_FOUND', cause: e })
        throw e
      }
    },
    implementation: (kind, name) => reg.getInterface(kind, name),
    interfaceOptions: (hw) => {
      const t = reg.getHardwareType(hw)
      const out = {} as ReturnType<DriverCatalog['interfaceOptions']>
      for (const k of INTERFACE_KINDS) out[k] = { default: reg.defaultInterface(t, k) ?? null, enabled: reg.supportedInterfaces(t, k) }
      return out
    },
    properties: (hw) => reg.driverProperties(hw),
    close: () => reg.close(),
  }
}
