/**
 * Hardware types as the API shows them ("drivers"): the enabled ones, their interfaces and
 * driver_info properties, and resolving a node's interfaces for one.
 */
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import { NotFoundError, ValidationError } from '../domain/errors.js'
import type { DriverSummary } from './api.js'
import type { ConductorCore } from './conductor-core.js'

/**
 * Ironic's 404 for a hardware type that is not enabled, when the conductor is asked for its
 * properties, vendor methods or RAID properties (its DriverNotFound).
 */
export function unknownDriverError(name: string): NotFoundError {
  return new NotFoundError(`The driver '${name}' is unknown.`, { code: 'DRIVER_NOT_FOUND', details: { ferrum_remedy: 'GET /v1/drivers lists the enabled hardware types.' } })
}

/**
 * An enabled hardware type.
 * @param use `show` for the driver itself (Ironic's text for a missing one differs), `call` for
 *   what the conductor does with it
 * @throws NotFoundError (404) when it is not enabled
 */
export function driverSummary(c: ConductorCore, name: string, use: 'show' | 'call' = 'show'): DriverSummary {
  const drivers = c.deps.drivers
  if (!drivers.hardwareTypes().includes(name)) {
    if (use === 'call') throw unknownDriverError(name)
    throw new NotFoundError(`Could not find the following driver(s) or hardware type(s): ${name}.`, { code: 'DRIVER_NOT_FOUND' })
  }
  return { name, hosts: [c.hostname], type: 'dynamic', interfaces: drivers.interfaceOptions(name) }
}

/**
 * Fills `*_interface` defaults for a hardware type and checks the requested ones.
 * @throws ValidationError (400) naming the hardware type that is not enabled, or the bad interface
 */
export function resolveInterfaces(c: ConductorCore, driver: string, requested: Partial<Record<InterfaceKind, string | null>>): Record<InterfaceKind, string> {
  const drivers = c.deps.drivers
  if (!drivers.hardwareTypes().includes(driver)) {
    throw new ValidationError(`No valid host was found. Reason: No conductor service registered which supports driver ${driver} for conductor group "". Use one of: ${drivers.hardwareTypes().join(', ')}.`, { code: 'DRIVER_NOT_FOUND' })
  }
  return drivers.resolve(driver, requested)
}

/** The hardware type's default vendor interface (driver-level passthru has no node to choose one). */
export function driverVendor(c: ConductorCore, driver: string) {
  const name = driverSummary(c, driver, 'call').interfaces.vendor?.default
  if (!name) throw new ValidationError(`Hardware type ${driver} has no enabled vendor interface.`, { code: 'UNSUPPORTED_DRIVER_EXTENSION' })
  return c.deps.drivers.implementation('vendor', name)
}
