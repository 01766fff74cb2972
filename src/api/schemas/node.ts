import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'

// Ironic's node schema (api/controllers/v1/node.py) types its fields as lists: ['string', 'null'],
// ['object', 'null'], booleans as ['string', 'boolean', 'null'] (strings are then read as
// booleans, strictly). Unions of plain types stand for those lists (see schema-errors.ts).
const Str = Type.Union([Type.String(), Type.Null()])
const Obj = Type.Record(Type.String(), Type.Unknown())
const NullableObj = Type.Union([Obj, Type.Null()])
const BoolLike = Type.Union([Type.String(), Type.Boolean(), Type.Null()])
const Uuid = Type.Union([Type.String({ format: 'uuid' }), Type.Null()])

/** Writable node fields (POST /v1/nodes). One schema, also the source of the body's type. */
export const NodeCreateBody = Type.Object(
  {
    automated_clean: Type.Optional(BoolLike),
    bios_interface: Type.Optional(Str),
    boot_interface: Type.Optional(Str),
    boot_mode: Type.Optional(Str),
    chassis_uuid: Type.Optional(Uuid),
    conductor_group: Type.Optional(Str),
    console_interface: Type.Optional(Str),
    deploy_interface: Type.Optional(Str),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    driver: Type.String(),
    driver_info: Type.Optional(NullableObj),
    extra: Type.Optional(NullableObj),
    inspect_interface: Type.Optional(Str),
    instance_info: Type.Optional(NullableObj),
    instance_uuid: Type.Optional(Uuid),
    lessee: Type.Optional(Str),
    management_interface: Type.Optional(Str),
    maintenance: Type.Optional(BoolLike),
    name: Type.Optional(Str),
    network_data: Type.Optional(Type.Union([Type.Null(), Type.Object({}, { additionalProperties: false }), Obj])),
    network_interface: Type.Optional(Str),
    owner: Type.Optional(Str),
    power_interface: Type.Optional(Str),
    properties: Type.Optional(NullableObj),
    raid_interface: Type.Optional(Str),
    rescue_interface: Type.Optional(Str),
    resource_class: Type.Optional(Type.Union([Type.String({ maxLength: 80 }), Type.Null()])),
    retired: Type.Optional(BoolLike),
    retired_reason: Type.Optional(Str),
    secure_boot: Type.Optional(BoolLike),
    shard: Type.Optional(Str),
    storage_interface: Type.Optional(Str),
    uuid: Type.Optional(Uuid),
    vendor_interface: Type.Optional(Str),
    // Ferrum's, beyond Ironic 21.4's schema (newer microversions, or kept for its own clients).
    maintenance_reason: Type.Optional(Str),
    parent_node: Type.Optional(Str),
    firmware_interface: Type.Optional(Str),
    traits: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
  },
  { additionalProperties: false, ironicName: 'node' },
)
export type NodeCreateBody = Static<typeof NodeCreateBody>

/** Ironic's node patch schema: the create fields plus protected and protected_reason. */
const NodePatchFields = Type.Object(
  { ...Type.Omit(NodeCreateBody, ['traits']).properties, protected: Type.Optional(BoolLike), protected_reason: Type.Optional(Str) },
  { additionalProperties: false },
)

/** The same fields, all optional: what a node must look like after a JSON Patch. */
export const NodePatchedShape = Type.Partial(NodePatchFields, { additionalProperties: false })

export const TraitsBody = Type.Object(
  { traits: Type.Array(Type.String({ minLength: 1, maxLength: 255 })) },
  { additionalProperties: false },
)

export const MaintenanceBody = Type.Object({ reason: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])) }, { additionalProperties: false })
