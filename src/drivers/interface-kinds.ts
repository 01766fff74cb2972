/**
 * The interface kinds a node's driver is built from (Ironic's `*_interface` fields) and the shape
 * every implementation shares.
 */
import type { NodeView } from './node-view.js'
import type { StepProvider } from './steps.js'
import type { InterfaceKind } from '../domain/interface-kinds.js'

export { INTERFACE_KINDS, isInterfaceKind, type InterfaceKind } from '../domain/interface-kinds.js'

/** Kinds every hardware type must provide an implementation for. */
export const REQUIRED_KINDS: readonly InterfaceKind[] = ['boot', 'deploy', 'management', 'power']

/** What every interface implementation has, whatever its kind. */
export interface DriverInterface<K extends InterfaceKind = InterfaceKind> extends StepProvider {
  readonly kind: K
  /** Ironic's implementation name (`fake`, `ipmitool`, `redfish`, `no-raid`, `direct`…). */
  readonly name: string
  /**
   * Checks the node's configuration (driver_info, instance_info) without any I/O.
   * @throws ValidationError naming the missing or bad field
   */
  validate(node: NodeView): void
  /** driver_info property → description, for `GET /v1/drivers/{driver}/properties`. */
  getProperties(): Readonly<Record<string, string>>
}
