/**
 * The query arguments of each API request, as Ironic's controllers take them (the signature and
 * `args.validate` of each method, in order). A route declares one of these as its `querystring`
 * schema; any other argument is `Unexpected arguments: …` (src/api/args.ts).
 */
import { arg, args } from '../args.js'

const uuid = arg('uuid')
const uuidOrName = arg('uuid_or_name')
const str = arg('string')
const list = arg('string_list')
const bool = arg('boolean')
const int = arg('integer')
const mac = arg('mac_address')

/** marker, limit, sort_key, sort_dir; the marker a UUID. */
const paging = { marker: uuid, limit: int, sort_key: str, sort_dir: str }
/** The same with a name as the marker (conductors, deploy templates). */
const namedPaging = { marker: arg('name'), limit: int, sort_key: str, sort_dir: str }

/** GET of one resource: `?fields=`. */
export const SHOW_ARGS = args({ fields: list })

const nodeFilters = {
  chassis_uuid: uuid, instance_uuid: uuid, associated: bool, maintenance: bool, retired: bool,
  provision_state: str, ...paging, driver: str,
}
const nodeFilters2 = {
  resource_class: str, fault: str, conductor_group: str,
}
const nodeFilters3 = {
  conductor: str, owner: str, description_contains: str, lessee: str, project: str, shard: list, sharded: bool,
  // 1.83 (newer Ironic): child nodes.
  parent_node: uuidOrName, include_children: bool,
}
export const NODE_LIST_ARGS = args({ ...nodeFilters, fields: list, ...nodeFilters2, detail: bool, ...nodeFilters3 })
export const NODE_DETAIL_ARGS = args({ ...nodeFilters, ...nodeFilters2, ...nodeFilters3 })
export const NODE_PATCH_ARGS = args({ reset_interfaces: bool })

const portFilters = { node: uuidOrName, node_uuid: uuid, address: mac, ...paging }
export const PORT_LIST_ARGS = args({ ...portFilters, fields: list, portgroup: uuidOrName, detail: bool, shard: list })
export const PORT_DETAIL_ARGS = args({ ...portFilters, portgroup: uuidOrName, shard: list })

const portgroupFilters = { node: uuidOrName, address: mac, ...paging }
export const PORTGROUP_LIST_ARGS = args({ ...portgroupFilters, fields: list, detail: bool })
export const PORTGROUP_DETAIL_ARGS = args(portgroupFilters)

export const CHASSIS_LIST_ARGS = args({ ...paging, fields: list, detail: bool })
export const CHASSIS_DETAIL_ARGS = args(paging)

export const CONDUCTOR_LIST_ARGS = args({ ...namedPaging, fields: list, detail: bool })
export const DEPLOY_TEMPLATE_LIST_ARGS = args({ ...namedPaging, fields: list, detail: bool })
/** Runbooks (Ironic 2024.2): as deploy templates, plus the project filter. */
export const RUNBOOK_LIST_ARGS = args({ ...namedPaging, fields: list, detail: bool, project: str })

export const ALLOCATION_LIST_ARGS = args({ node: uuidOrName, resource_class: str, state: str, ...paging, fields: list, owner: str })

export const BIOS_LIST_ARGS = args({ detail: bool, fields: list })
export const DRIVER_LIST_ARGS = args({ type: str, detail: bool, fields: list })
export const HISTORY_LIST_ARGS = args({ detail: bool, marker: uuid, limit: int })
export const VOLUME_LIST_ARGS = args({ node: uuidOrName, ...paging, fields: list, detail: bool, project: str })
export const LOOKUP_ARGS = args({ addresses: list, node_uuid: uuid })
/** The agent's inspection data (1.84): the node it runs on, when it knows. */
export const CONTINUE_INSPECTION_ARGS = args({ node_uuid: uuid })
/** Vendor passthru: the method name may come as `?method=`. */
export const PASSTHRU_ARGS = args({ method: str })
