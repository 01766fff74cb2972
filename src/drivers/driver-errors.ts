/** Errors drivers raise for configuration problems and unsupported operations. */
import { ValidationError } from '../domain/errors.js'
import type { InterfaceKind } from './interface-kinds.js'
import type { NodeView } from './node-view.js'

/**
 * Throws a ValidationError listing the driver_info fields that are missing or empty.
 * @throws ValidationError (code FERRUM_MISSING_DRIVER_INFO)
 */
export function requireDriverInfo(node: NodeView, kind: InterfaceKind, name: string, fields: readonly string[]): void {
  const missing = fields.filter((f) => {
    const v = node.driverInfo[f]
    return v === undefined || v === null || v === ''
  })
  if (missing.length > 0) {
    throw new ValidationError(
      `Node ${node.uuid} is missing driver_info field(s) required by the ${kind} interface "${name}": ${missing.join(', ')}.`,
      { code: 'FERRUM_MISSING_DRIVER_INFO', details: { missing } },
    )
  }
}

/** A ValidationError for a driver_info field with a bad value. */
export function invalidDriverInfo(node: NodeView, field: string, reason: string): ValidationError {
  return new ValidationError(`Node ${node.uuid} has an invalid driver_info field "${field}": ${reason}.`, {
    code: 'FERRUM_INVALID_DRIVER_INFO',
    details: { field },
  })
}

/** The error for an operation the node's chosen interface does not offer (Ironic's UnsupportedDriverExtension). */
export function unsupportedOperation(node: NodeView, kind: InterfaceKind, name: string, operation: string): ValidationError {
  return new ValidationError(
    `${operation} is not supported for node ${node.uuid}: its ${kind} interface is "${name}".`,
    { code: 'UNSUPPORTED_DRIVER_EXTENSION', details: { kind, interface: name, operation } },
  )
}
