/**
 * The driver_info fields of the redfish and idrac hardware types (Ironic's names), parsed and
 * checked without any I/O. The CLI sends every value as a string, so booleans arrive as
 * "true"/"False" and are read as such.
 */
import { existsSync } from 'node:fs'
import { REDFISH_AUTH_TYPES, type RedfishAuthType } from '../../protocols/redfish/client.js'
import { invalidDriverInfo, requireDriverInfo } from '../driver-errors.js'
import type { InterfaceKind } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** What a redfish driver needs to reach a node's BMC. */
export interface RedfishDriverInfo {
  /** Base URL of the service: scheme, host and port, no trailing slash. */
  readonly address: string
  /** `redfish_system_id` as given (a path or an id), or the vendor default, or null for "the only one". */
  readonly systemId: string | null
  readonly username: string | undefined
  readonly password: string | undefined
  /** true, false, or the path of a CA bundle. */
  readonly verify: boolean | string
  readonly authType: RedfishAuthType
}

/** Vendor defaults (the iDRAC's fixed resource ids). */
export interface RedfishDefaults {
  readonly systemId?: string
}

/** driver_info property → description, for `GET /v1/drivers/{driver}/properties`. */
export const REDFISH_PROPERTIES: Readonly<Record<string, string>> = {
  redfish_address: 'The URL of the Redfish service (https://host[:port]); a bare host means https. Required.',
  redfish_system_id:
    'The ComputerSystem to manage: its path (/redfish/v1/Systems/1) or id. Optional when the BMC has exactly one system.',
  redfish_username: 'User name on the BMC. Optional, but most BMCs refuse anonymous requests.',
  redfish_password: 'Password on the BMC. Optional.',
  redfish_verify_ca:
    'true (verify the BMC certificate against the system CAs, the default), false (do not verify), or the path of a CA bundle. Optional.',
  redfish_auth_type: 'auto (a session when offered, else HTTP Basic; the default), session or basic. Optional.',
}

const TRUE = new Set(['true', '1', 'yes', 'on', 'y', 't'])
const FALSE = new Set(['false', '0', 'no', 'off', 'n', 'f'])

/** Reads a boolean given as a JSON boolean or as one of the usual strings; undefined otherwise. */
export function parseBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (typeof value !== 'string') return undefined
  const v = value.trim().toLowerCase()
  if (TRUE.has(v)) return true
  if (FALSE.has(v)) return false
  return undefined
}

function optionalString(node: NodeView, field: string): string | undefined {
  const v = node.driverInfo[field]
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v !== 'string') throw invalidDriverInfo(node, field, 'expected a string')
  return v
}

/** The service's base URL from `redfish_address`. */
function parseAddress(node: NodeView, raw: unknown): string {
  if (typeof raw !== 'string') throw invalidDriverInfo(node, 'redfish_address', 'expected a string such as https://10.0.0.5')
  const text = raw.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw invalidDriverInfo(node, 'redfish_address', `"${raw}" is not a URL or host name`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidDriverInfo(node, 'redfish_address', `the scheme must be http or https, not "${url.protocol.replace(':', '')}"`)
  }
  if (url.hostname === '') throw invalidDriverInfo(node, 'redfish_address', `"${raw}" names no host`)
  if (url.username !== '' || url.password !== '') {
    throw invalidDriverInfo(node, 'redfish_address', 'put credentials in redfish_username and redfish_password, not in the URL')
  }
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.protocol}//${url.host}${path}`
}

function parseVerify(node: NodeView, raw: unknown): boolean | string {
  if (raw === undefined || raw === null || raw === '') return true
  const b = parseBool(raw)
  if (b !== undefined) return b
  if (typeof raw !== 'string') throw invalidDriverInfo(node, 'redfish_verify_ca', 'expected true, false or the path of a CA bundle')
  if (!existsSync(raw)) {
    throw invalidDriverInfo(node, 'redfish_verify_ca', `"${raw}" is neither a boolean nor an existing CA bundle file`)
  }
  return raw
}

/**
 * Parses and checks a node's redfish driver_info.
 * @throws ValidationError naming the missing or bad field
 */
export function parseRedfishDriverInfo(node: NodeView, kind: InterfaceKind, name: string, defaults: RedfishDefaults = {}): RedfishDriverInfo {
  requireDriverInfo(node, kind, name, ['redfish_address'])
  const address = parseAddress(node, node.driverInfo.redfish_address)
  const systemId = optionalString(node, 'redfish_system_id') ?? defaults.systemId ?? null
  if (systemId !== null && systemId.startsWith('/') && !systemId.startsWith('/redfish/')) {
    throw invalidDriverInfo(node, 'redfish_system_id', `"${systemId}" is not a Redfish path (/redfish/v1/Systems/<id>) nor an id`)
  }
  const authRaw = optionalString(node, 'redfish_auth_type') ?? 'auto'
  if (!(REDFISH_AUTH_TYPES as readonly string[]).includes(authRaw)) {
    throw invalidDriverInfo(node, 'redfish_auth_type', `"${authRaw}" is not one of ${REDFISH_AUTH_TYPES.join(', ')}`)
  }
  return {
    address,
    systemId,
    username: optionalString(node, 'redfish_username'),
    password: optionalString(node, 'redfish_password'),
    verify: parseVerify(node, node.driverInfo.redfish_verify_ca),
    authType: authRaw as RedfishAuthType,
  }
}
