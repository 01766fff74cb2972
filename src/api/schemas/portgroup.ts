import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'

const NullableObj = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])
const NullableStr = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()])

/** POST /v1/portgroups. The MAC address, UUIDs and name get their own checks with clear messages. */
export const PortgroupCreateBody = Type.Object(
  {
    uuid: Type.Optional(NullableStr(36)),
    node_uuid: Type.String({ maxLength: 64 }),
    address: Type.Optional(NullableStr(64)),
    name: Type.Optional(NullableStr(255)),
    extra: Type.Optional(NullableObj),
    mode: Type.Optional(NullableStr(255)),
    properties: Type.Optional(NullableObj),
    /** A boolean or one of its string spellings, as Ironic accepts. */
    standalone_ports_supported: Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 5 }), Type.Null()])),
  },
  { additionalProperties: false },
)
export type PortgroupCreateBody = Static<typeof PortgroupCreateBody>

/** What a port group must look like after a JSON Patch. */
export const PortgroupPatchedShape = Type.Omit(PortgroupCreateBody, ['uuid'], { additionalProperties: false })

/** Fields a port group PATCH may change. */
export const PORTGROUP_PATCHABLE = ['address', 'extra', 'mode', 'name', 'node_uuid', 'properties', 'standalone_ports_supported'] as const
