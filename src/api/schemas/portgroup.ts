import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'

const NullableObj = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])
const NullableStr = () => Type.Union([Type.String(), Type.Null()])

/** POST /v1/portgroups. The MAC address, UUIDs and name get their own checks with clear messages. */
export const PortgroupCreateBody = Type.Object(
  {
    address: Type.Optional(NullableStr()),
    extra: Type.Optional(NullableObj),
    mode: Type.Optional(NullableStr()),
    name: Type.Optional(NullableStr()),
    node_uuid: Type.String(),
    properties: Type.Optional(NullableObj),
    /** A boolean or one of its string spellings, as Ironic accepts. */
    standalone_ports_supported: Type.Optional(Type.Union([Type.String(), Type.Boolean(), Type.Null()])),
    uuid: Type.Optional(NullableStr()),
  },
  { additionalProperties: false, ironicName: 'portgroup' },
)
export type PortgroupCreateBody = Static<typeof PortgroupCreateBody>

/** What a port group must look like after a JSON Patch. */
export const PortgroupPatchedShape = Type.Omit(PortgroupCreateBody, ['uuid'], { additionalProperties: false })

/** Fields a port group PATCH may change. */
export const PORTGROUP_PATCHABLE = ['address', 'extra', 'mode', 'name', 'node_uuid', 'properties', 'standalone_ports_supported'] as const
