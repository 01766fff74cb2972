import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'

/** POST /v1/chassis: everything optional; Ironic caps the description at 255 characters. */
export const ChassisCreateBody = Type.Object(
  {
    uuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    extra: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false, ironicName: 'chassis' },
)
export type ChassisCreateBody = Static<typeof ChassisCreateBody>

/** What a chassis must look like after a JSON Patch (uuid is read-only there). */
export const ChassisPatchedShape = Type.Omit(ChassisCreateBody, ['uuid'], { additionalProperties: false })
