import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'
import { ValidationError } from '../../domain/errors.js'
import { truncate } from '../errors.js'
import { check, ironicBool, pyRepr } from '../validate.js'

const Obj = Type.Record(Type.String(), Type.Unknown())
const NullableObj = Type.Union([Obj, Type.Null()])
/** Ironic accepts booleans and their string spellings ("true", "False", "1"…) for flags. */
const BoolLike = Type.Union([Type.String(), Type.Boolean(), Type.Null()])
const NullableStr = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()])

/** POST /v1/ports. MAC address, UUIDs and local_link_connection get their own checks with clear messages. */
export const PortCreateBody = Type.Object(
  {
    address: Type.String(),
    extra: Type.Optional(NullableObj),
    local_link_connection: Type.Optional(Type.Union([Type.Null(), Obj])),
    node_uuid: Type.String(),
    portgroup_uuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    uuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    name: Type.Optional(NullableStr(255)),
    pxe_enabled: Type.Optional(BoolLike),
    physical_network: Type.Optional(NullableStr(64)),
    is_smartnic: Type.Optional(BoolLike),
  },
  { additionalProperties: false, ironicName: 'port' },
)
export type PortCreateBody = Static<typeof PortCreateBody>

/** What a port must look like after a JSON Patch (the same fields; uuid is read-only there). */
export const PortPatchedShape = Type.Omit(PortCreateBody, ['uuid'], { additionalProperties: false })

/** Fields a port PATCH may change. */
export const PORT_PATCHABLE = [
  'address', 'extra', 'is_smartnic', 'local_link_connection', 'node_uuid', 'physical_network', 'portgroup_uuid', 'pxe_enabled', 'name',
] as const

/** The keys local_link_connection may hold, and what each needs. */
const LocalLinkShape = Type.Object(
  {
    port_id: Type.Optional(Type.String({ maxLength: 255 })),
    switch_id: Type.Optional(Type.String({ maxLength: 255 })),
    hostname: Type.Optional(Type.String({ maxLength: 255 })),
    switch_info: Type.Optional(Type.String({ maxLength: 255 })),
    network_type: Type.Optional(Type.Union([Type.Literal('managed'), Type.Literal('unmanaged')])),
    'vtep-logical-switch': Type.Optional(Type.String({ maxLength: 255 })),
    'vtep-physical-switch': Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
)

const MAC_RE = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i
const DATAPATH_ID_RE = /^[0-9a-f]{16}$/i

/** Whether `v` is a MAC address in colon or dash form. */
export function isMac(v: string): boolean {
  return MAC_RE.test(v)
}

/** Lower-case colon form of a MAC address (colon or dash separated). @throws ValidationError naming the field and value. */
export function normaliseMac(v: unknown, field = 'address'): string {
  if (typeof v !== 'string' || !MAC_RE.test(v)) {
    throw new ValidationError(
      `Expected valid MAC address for ${field}: ${typeof v === 'string' ? truncate(v, 100) : pyRepr(v)}`,
      { code: 'FERRUM_INVALID_MAC', details: { ferrum_remedy: 'A MAC address looks like 52:54:00:12:34:56.' } },
    )
  }
  return v.toLowerCase().replace(/-/g, ':')
}

/** Ironic's boolean spellings. @throws ValidationError naming the field. */
export function boolLike(v: unknown, field: string): boolean | null {
  if (v === null || v === undefined || typeof v === 'boolean') return (v ?? null) as boolean | null
  return ironicBool(v, field) ?? null
}

/**
 * Checks local_link_connection and normalises switch_id. A non-empty link names the switch port
 * (port_id + switch_id), a smart NIC's host (port_id + hostname), an unmanaged network
 * (network_type "unmanaged") or an OVN VTEP switch pair. switch_id is a MAC address or a
 * 16-hex-digit OpenFlow datapath id.
 */
export function checkLocalLink(v: unknown): Record<string, string> {
  if (v === null || v === undefined) return {}
  const link = { ...check(LocalLinkShape, v, 'local_link_connection') } as Record<string, string>
  const keys = Object.keys(link)
  if (keys.length === 0) return link
  const ok = (link.port_id !== undefined && (link.switch_id !== undefined || link.hostname !== undefined))
    || link.network_type === 'unmanaged'
    || (link['vtep-logical-switch'] !== undefined && link['vtep-physical-switch'] !== undefined)
  if (!ok) {
    throw new ValidationError(
      `Invalid local_link_connection ${truncate(JSON.stringify(v), 200)}: it needs port_id and switch_id, or port_id and hostname (smart NIC), or network_type "unmanaged".`,
      { code: 'FERRUM_INVALID_LOCAL_LINK' },
    )
  }
  if (link.switch_id !== undefined) {
    if (MAC_RE.test(link.switch_id)) link.switch_id = link.switch_id.toLowerCase().replace(/-/g, ':')
    else if (DATAPATH_ID_RE.test(link.switch_id)) link.switch_id = link.switch_id.toLowerCase()
    else {
      throw new ValidationError(
        `Invalid local_link_connection.switch_id ${truncate(JSON.stringify(link.switch_id), 100)}: expected a MAC address or a 16-hex-digit OpenFlow datapath ID.`,
        { code: 'FERRUM_INVALID_SWITCH_ID' },
      )
    }
  }
  return link
}

/** A smart NIC port must name the port and the host it lives in. */
export function checkSmartNicLink(link: Record<string, string>): void {
  if (link.port_id === undefined || link.hostname === undefined) {
    throw new ValidationError('A smart NIC port (is_smartnic true) needs port_id and hostname in local_link_connection.', { code: 'FERRUM_INVALID_LOCAL_LINK' })
  }
}
