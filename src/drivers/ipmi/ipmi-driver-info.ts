/**
 * The driver_info fields of the ipmi hardware type (Ironic's names), parsed and checked without
 * any I/O. The CLI sends every value as a string ("623", "true"), so numbers and booleans are
 * read from strings too.
 */
import { Privilege } from '../../protocols/ipmi/messages.js'
import { invalidDriverInfo, requireDriverInfo } from '../driver-errors.js'
import type { InterfaceKind } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** What the ipmi interfaces need to reach a node's BMC. */
export interface IpmiDriverInfo {
  readonly address: string
  readonly port: number
  /** Empty string: the null user (Ironic's default when ipmi_username is absent). */
  readonly username: string
  readonly password: string
  readonly cipherSuite: 3 | 17
  readonly privilege: Privilege
  readonly privilegeName: PrivilegeName
  readonly kg: Buffer | null
  /** Deadline of one IPMI call in ms (ipmi_retry_timeout), or null for the driver's default. */
  readonly callTimeoutMs: number | null
  /** Send "disable the 60 s boot flag timeout" before setting the boot device (Ironic's default). */
  readonly disableBootTimeout: boolean
  readonly terminalPort: number | null
}

/** ipmi_priv_level values (Ironic's VALID_PRIV_LEVELS minus CALLBACK, which cannot control power). */
export const PRIVILEGE_LEVELS = { ADMINISTRATOR: Privilege.Administrator, OPERATOR: Privilege.Operator, USER: Privilege.User } as const
/** A privilege level name. */
export type PrivilegeName = keyof typeof PRIVILEGE_LEVELS

/** driver_info property → description, for `GET /v1/drivers/ipmi/properties`. */
export const IPMI_PROPERTIES: Readonly<Record<string, string>> = {
  ipmi_address: 'IP address or host name of the BMC. Required.',
  ipmi_port: 'UDP port of the BMC (RMCP+); default 623. Optional.',
  ipmi_username: 'User name on the BMC; default is the null user. Optional.',
  ipmi_password: 'Password on the BMC (at most 20 bytes). Optional.',
  ipmi_cipher_suite: 'RMCP+ cipher suite: 3 (SHA1, the default) or 17 (SHA256). A wrong choice makes the BMC refuse the session. Optional.',
  ipmi_priv_level: 'Session privilege: ADMINISTRATOR (default), OPERATOR or USER. USER cannot change power or boot device. Optional.',
  ipmi_hex_kg_key: 'BMC key KG for two-key logins, in hexadecimal (at most 40 digits). Optional.',
  ipmi_retry_timeout: 'Seconds one IPMI command may take, retransmissions and login included; default 20. Optional.',
  ipmi_bridging: 'Bridging type; only "no" is supported. Optional.',
  ipmi_protocol_version: 'IPMI protocol version; only "2.0" (RMCP+) is supported. Optional.',
  ipmi_disable_boot_timeout: 'Whether to disable the BMC\'s 60 s boot flag timeout before setting the boot device; default true. Optional.',
  ipmi_terminal_port: 'Console port (serial-over-LAN consoles); checked but unused until a console interface lands. Optional.',
}

const TRUE = new Set(['true', '1', 'yes', 'on', 'y', 't'])
const FALSE = new Set(['false', '0', 'no', 'off', 'n', 'f'])

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== ''
}

function shown(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v)
}

/** An integer from a number or a decimal string; undefined when it is neither. */
function toInteger(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v)
  return undefined
}

function port(node: NodeView, field: string, fallback: number | null): number | null {
  const raw = node.driverInfo[field]
  if (!present(raw)) return fallback
  const n = toInteger(raw)
  if (n === undefined || n < 1 || n > 65535) throw invalidDriverInfo(node, field, `${field} must be an integer between 1 and 65535 (got ${shown(raw)})`)
  return n
}

function optionalString(node: NodeView, field: string): string {
  const v = node.driverInfo[field]
  if (!present(v)) return ''
  if (typeof v !== 'string' && typeof v !== 'number') throw invalidDriverInfo(node, field, `${field} must be a string (got ${shown(v)})`)
  return String(v)
}

function bool(node: NodeView, field: string, fallback: boolean): boolean {
  const v = node.driverInfo[field]
  if (!present(v)) return fallback
  if (typeof v === 'boolean') return v
  const s = typeof v === 'string' ? v.trim().toLowerCase() : ''
  if (TRUE.has(s)) return true
  if (FALSE.has(s)) return false
  throw invalidDriverInfo(node, field, `${field} must be true or false (got ${shown(v)})`)
}

function cipherSuite(node: NodeView): 3 | 17 {
  const raw = node.driverInfo.ipmi_cipher_suite
  if (!present(raw)) return 3
  const n = toInteger(raw)
  if (n !== 3 && n !== 17) throw invalidDriverInfo(node, 'ipmi_cipher_suite', `ipmi_cipher_suite must be 3 or 17 (got ${shown(raw)})`)
  return n
}

function privilege(node: NodeView): PrivilegeName {
  const raw = node.driverInfo.ipmi_priv_level
  if (!present(raw)) return 'ADMINISTRATOR'
  const name = typeof raw === 'string' ? raw.trim().toUpperCase() : ''
  if (!Object.hasOwn(PRIVILEGE_LEVELS, name)) {
    throw invalidDriverInfo(node, 'ipmi_priv_level', `ipmi_priv_level must be one of ${Object.keys(PRIVILEGE_LEVELS).join(', ')} (got ${shown(raw)})`)
  }
  return name as PrivilegeName
}

function kgKey(node: NodeView): Buffer | null {
  const raw = node.driverInfo.ipmi_hex_kg_key
  if (!present(raw)) return null
  if (typeof raw !== 'string' || !/^[0-9a-fA-F]*$/.test(raw) || raw.length % 2 !== 0 || raw.length > 40) {
    throw invalidDriverInfo(node, 'ipmi_hex_kg_key', 'ipmi_hex_kg_key must be an even number of hexadecimal digits, at most 40 (20 bytes)')
  }
  return Buffer.from(raw, 'hex')
}

function retryTimeout(node: NodeView): number | null {
  const raw = node.driverInfo.ipmi_retry_timeout
  if (!present(raw)) return null
  const n = toInteger(raw)
  if (n === undefined || n < 1 || n > 3600) throw invalidDriverInfo(node, 'ipmi_retry_timeout', `ipmi_retry_timeout must be a number of seconds between 1 and 3600 (got ${shown(raw)})`)
  return n * 1000
}

/**
 * Parses and checks a node's ipmi driver_info.
 * @throws ValidationError naming the missing or bad field (400 from the API, last_error on manage)
 */
export function parseIpmiDriverInfo(node: NodeView, kind: InterfaceKind, name: string): IpmiDriverInfo {
  requireDriverInfo(node, kind, name, ['ipmi_address'])
  const addressRaw = node.driverInfo.ipmi_address
  if (typeof addressRaw !== 'string' || !/^[A-Za-z0-9.:%_-]+$/.test(addressRaw.trim())) {
    throw invalidDriverInfo(node, 'ipmi_address', `ipmi_address must be an IP address or host name (got ${shown(addressRaw)})`)
  }
  const password = optionalString(node, 'ipmi_password')
  if (Buffer.byteLength(password, 'latin1') > 20) throw invalidDriverInfo(node, 'ipmi_password', 'ipmi_password must be at most 20 bytes (IPMI v2.0 limit)')
  const username = optionalString(node, 'ipmi_username')
  if (Buffer.byteLength(username, 'latin1') > 16) throw invalidDriverInfo(node, 'ipmi_username', 'ipmi_username must be at most 16 bytes (IPMI v2.0 limit)')
  const bridging = node.driverInfo.ipmi_bridging
  if (present(bridging) && bridging !== 'no') {
    throw invalidDriverInfo(node, 'ipmi_bridging', `only "no" is supported (got ${shown(bridging)}); Ferrum does not bridge IPMI requests`)
  }
  const version = node.driverInfo.ipmi_protocol_version
  if (present(version) && String(version) !== '2.0' && String(version) !== '2') {
    throw invalidDriverInfo(node, 'ipmi_protocol_version', `only "2.0" (RMCP+) is supported (got ${shown(version)})`)
  }
  const privilegeName = privilege(node)
  return {
    address: addressRaw.trim(),
    port: port(node, 'ipmi_port', 623) as number,
    username,
    password,
    cipherSuite: cipherSuite(node),
    privilege: PRIVILEGE_LEVELS[privilegeName],
    privilegeName,
    kg: kgKey(node),
    callTimeoutMs: retryTimeout(node),
    disableBootTimeout: bool(node, 'ipmi_disable_boot_timeout', true),
    terminalPort: port(node, 'ipmi_terminal_port', null),
  }
}
