import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'

const Str255 = Type.String({ maxLength: 255 })
const NullableStr255 = Type.Union([Str255, Type.Null()])
const Obj = Type.Record(Type.String(), Type.Unknown())
const NullableBool = Type.Union([Type.Boolean(), Type.Null()])
const Iface = Type.Union([Type.String({ maxLength: 255, minLength: 1 }), Type.Null()])

/** Writable node fields (POST /v1/nodes). One schema, also the source of the body's type. */
export const NodeCreateBody = Type.Object(
  {
    uuid: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    // Length and characters are checked with Ironic's message (checkName).
    name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    driver: Type.String({ minLength: 1, maxLength: 255 }),
    driver_info: Type.Optional(Obj),
    properties: Type.Optional(Obj),
    extra: Type.Optional(Obj),
    instance_info: Type.Optional(Obj),
    instance_uuid: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    chassis_uuid: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    resource_class: Type.Optional(Type.Union([Type.String({ maxLength: 80 }), Type.Null()])),
    conductor_group: Type.Optional(Type.String({ maxLength: 255, pattern: '^[a-zA-Z0-9_\\-\\.]*$' })),
    owner: Type.Optional(NullableStr255),
    lessee: Type.Optional(NullableStr255),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    automated_clean: Type.Optional(NullableBool),
    protected: Type.Optional(Type.Boolean()),
    protected_reason: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    retired: Type.Optional(Type.Boolean()),
    retired_reason: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    maintenance: Type.Optional(Type.Boolean()),
    maintenance_reason: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    network_data: Type.Optional(Obj),
    shard: Type.Optional(NullableStr255),
    parent_node: Type.Optional(NullableStr255),
    boot_mode: Type.Optional(Type.Union([Type.Literal('uefi'), Type.Literal('bios'), Type.Null()])),
    secure_boot: Type.Optional(NullableBool),
    bios_interface: Type.Optional(Iface),
    boot_interface: Type.Optional(Iface),
    console_interface: Type.Optional(Iface),
    deploy_interface: Type.Optional(Iface),
    firmware_interface: Type.Optional(Iface),
    inspect_interface: Type.Optional(Iface),
    management_interface: Type.Optional(Iface),
    network_interface: Type.Optional(Iface),
    power_interface: Type.Optional(Iface),
    raid_interface: Type.Optional(Iface),
    rescue_interface: Type.Optional(Iface),
    storage_interface: Type.Optional(Iface),
    vendor_interface: Type.Optional(Iface),
    traits: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
)
export type NodeCreateBody = Static<typeof NodeCreateBody>

/** The same fields, all optional: what a node must look like after a JSON Patch. */
export const NodePatchedShape = Type.Partial(Type.Omit(NodeCreateBody, ['traits']), { additionalProperties: false })

export const TraitsBody = Type.Object(
  { traits: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 50 }) },
  { additionalProperties: false },
)

export const MaintenanceBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])) }, { additionalProperties: false }),
  Type.Null(),
])
