import type { AllocationRecord } from '../../db/repos/allocations.js'
import type { ApiVersion } from '../microversions.js'
import type { FieldTable } from '../collection.js'
import { pickFields } from '../collection.js'
import { selfLinks } from '../links.js'

/** Allocation fields in display order, with the feature each needs (null = since 1.52). */
export const ALLOCATION_FIELDS: FieldTable = [
  ['uuid', null], ['name', null], ['node_uuid', null], ['state', null], ['last_error', null],
  ['resource_class', null], ['traits', null], ['candidate_nodes', null], ['extra', null],
  ['owner', 'allocation_owner'], ['created_at', null], ['updated_at', null], ['links', null],
]

/** Fields that can not be sort keys (Ironic's invalid_sort_key_list). */
export const ALLOCATION_UNSORTABLE = ['extra', 'candidate_nodes', 'traits', 'links', 'node_uuid', 'last_error'] as const

/** An allocation as Ironic shows it at `v`; with `fields`, only those (and links). */
export function allocationView(a: AllocationRecord, base: string, v: ApiVersion, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    uuid: a.uuid, name: a.name, node_uuid: a.node_uuid, state: a.state, last_error: a.last_error,
    resource_class: a.resource_class, traits: a.traits, candidate_nodes: a.candidate_nodes, extra: a.extra,
    owner: a.owner, created_at: a.created_at, updated_at: a.updated_at, links: selfLinks(base, `allocations/${a.uuid}`),
  }
  return pickFields(all, ALLOCATION_FIELDS, v, fields)
}
