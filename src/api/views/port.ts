import type { PortRecord } from '../../db/repos/ports.js'
import type { ApiVersion } from '../microversions.js'
import type { FieldTable } from '../collection.js'
import { pickFields } from '../collection.js'
import { selfLinks } from '../links.js'
import { maskSecrets } from '../../common/secrets.js'

/** Port fields in Ironic's order, each with the feature that made it visible. */
export const PORT_FIELDS: FieldTable = [
  ['uuid', null], ['address', null], ['node_uuid', null], ['portgroup_uuid', 'portgroup_subcontrollers'],
  ['local_link_connection', 'port_advanced_net_fields'], ['pxe_enabled', 'port_advanced_net_fields'],
  ['physical_network', 'port_physical_network'], ['internal_info', 'port_internal_info'], ['extra', null],
  ['is_smartnic', 'smartnic'], ['name', 'port_name'], ['created_at', null], ['updated_at', null], ['links', null],
]

/** What a plain (not detailed) port list shows. */
export const PORT_DEFAULT_FIELDS = ['uuid', 'address'] as const

/** Fields a port list can not be sorted by. */
export const PORT_UNSORTABLE = ['extra', 'internal_info', 'local_link_connection', 'node_uuid', 'portgroup_uuid', 'links']

/**
 * A port as Ironic serialises it at `v`: newer fields left out, internal_info secrets masked,
 * and with `fields` only those plus links.
 */
export function portView(p: PortRecord, base: string, v: ApiVersion, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    uuid: p.uuid,
    address: p.address,
    node_uuid: p.node_uuid,
    portgroup_uuid: p.portgroup_uuid,
    local_link_connection: p.local_link_connection,
    pxe_enabled: p.pxe_enabled,
    physical_network: p.physical_network,
    internal_info: maskSecrets(p.internal_info),
    extra: p.extra,
    is_smartnic: p.is_smartnic,
    name: p.name,
    created_at: p.created_at,
    updated_at: p.updated_at,
    links: selfLinks(base, `ports/${p.uuid}`),
  }
  return pickFields(all, PORT_FIELDS, v, fields)
}
