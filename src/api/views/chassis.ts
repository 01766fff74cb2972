import type { ChassisRecord } from '../../db/repos/chassis.js'
import type { ApiVersion } from '../microversions.js'
import type { FieldTable } from '../collection.js'
import { pickFields } from '../collection.js'
import { selfLinks } from '../links.js'

/** Chassis fields in Ironic's order; all of them exist since 1.1. */
export const CHASSIS_FIELDS: FieldTable = [
  ['uuid', null], ['description', null], ['extra', null], ['created_at', null], ['updated_at', null], ['links', null], ['nodes', null],
]

/** What a plain (not detailed) chassis list shows. */
export const CHASSIS_DEFAULT_FIELDS = ['uuid', 'description'] as const

export const CHASSIS_UNSORTABLE = ['extra', 'nodes', 'links']

/** A chassis with links to itself and to its nodes. */
export function chassisView(c: ChassisRecord, base: string, v: ApiVersion, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    uuid: c.uuid,
    description: c.description,
    extra: c.extra,
    created_at: c.created_at,
    updated_at: c.updated_at,
    links: selfLinks(base, `chassis/${c.uuid}`),
    // Ironic nests the node links in one more list ([[self, bookmark]]); clients see it so.
    nodes: [selfLinks(base, `chassis/${c.uuid}/nodes`)],
  }
  return pickFields(all, CHASSIS_FIELDS, v, fields)
}
