/** The interface kinds a node's driver is built from (Ironic's `*_interface` fields). */

/** Every interface kind, in the order Ironic lists a node's `*_interface` fields. */
export const INTERFACE_KINDS = [
  'bios', 'boot', 'console', 'deploy', 'firmware', 'inspect', 'management',
  'network', 'power', 'raid', 'rescue', 'storage', 'vendor',
] as const

/** One interface kind. */
export type InterfaceKind = (typeof INTERFACE_KINDS)[number]

/** True if `value` names an interface kind. */
export function isInterfaceKind(value: unknown): value is InterfaceKind {
  return typeof value === 'string' && (INTERFACE_KINDS as readonly string[]).includes(value)
}
