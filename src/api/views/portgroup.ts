import type { PortgroupRecord } from '../../db/repos/portgroups.js'
import type { ApiVersion } from '../microversions.js'
import type { FieldTable } from '../collection.js'
import { pickFields } from '../collection.js'
import { selfLinks } from '../links.js'
import { maskSecrets } from '../../common/secrets.js'

/** Port group fields in Ironic's order (the resource itself appeared in 1.23). */
export const PORTGROUP_FIELDS: FieldTable = [
  ['uuid', null], ['address', null], ['name', null], ['node_uuid', null], ['standalone_ports_supported', null],
  ['internal_info', null], ['extra', null], ['mode', 'portgroup_mode_properties'], ['properties', 'portgroup_mode_properties'],
  ['created_at', null], ['updated_at', null], ['links', null], ['ports', null],
]

/** What a plain (not detailed) port group list shows. */
export const PORTGROUP_DEFAULT_FIELDS = ['uuid', 'address', 'name'] as const

export const PORTGROUP_UNSORTABLE = ['extra', 'internal_info', 'properties', 'node_uuid', 'ports', 'links']

/** A port group as Ironic serialises it at `v`, with links to itself and its ports. */
export function portgroupView(pg: PortgroupRecord, base: string, v: ApiVersion, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    uuid: pg.uuid,
    address: pg.address,
    name: pg.name,
    node_uuid: pg.node_uuid,
    standalone_ports_supported: pg.standalone_ports_supported,
    internal_info: maskSecrets(pg.internal_info),
    extra: pg.extra,
    mode: pg.mode,
    properties: pg.properties,
    created_at: pg.created_at,
    updated_at: pg.updated_at,
    links: selfLinks(base, `portgroups/${pg.uuid}`),
    ports: selfLinks(base, `portgroups/${pg.uuid}/ports`),
  }
  return pickFields(all, PORTGROUP_FIELDS, v, fields)
}
