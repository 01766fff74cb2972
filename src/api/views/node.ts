import { INTERFACE_KINDS } from '../../domain/interface-kinds.js'
import type { NodeRecord } from '../../db/repos/nodes.js'
import { allows } from '../microversions.js'
import type { ApiVersion, Feature } from '../microversions.js'
import { selfLinks } from '../links.js'
import { maskInstanceInfo, maskSecrets } from '../../common/secrets.js'
import { displayProvisionState } from '../../domain/provision-states-api.js'

/** Node fields, each with the feature (microversion) that makes it visible; null = always. */
export const NODE_FIELDS: ReadonlyArray<readonly [string, Feature | null]> = [
  ['uuid', null], ['name', 'name'], ['chassis_uuid', null], ['instance_uuid', null], ['driver', null],
  ['driver_info', null], ['driver_internal_info', 'driver_internal_info'], ['extra', null], ['instance_info', null],
  ['properties', null], ['power_state', null], ['target_power_state', null], ['provision_state', null],
  ['target_provision_state', null], ['provision_updated_at', null], ['last_error', null], ['maintenance', null],
  ['maintenance_reason', null], ['fault', 'fault'], ['console_enabled', null], ['reservation', null],
  ['conductor', 'conductors'], ['conductor_group', 'conductor_group'], ['resource_class', 'resource_class'],
  ['inspection_started_at', 'inspection_timestamps'], ['inspection_finished_at', 'inspection_timestamps'],
  ['clean_step', 'clean_step'], ['deploy_step', 'deploy_step'], ['service_step', 'service'],
  ['raid_config', 'raid_config'], ['target_raid_config', 'raid_config'], ['traits', 'traits'],
  ['owner', 'owner'], ['lessee', 'lessee'], ['description', 'description'], ['allocation_uuid', 'allocations'],
  ['automated_clean', 'automated_clean'], ['protected', 'protected'], ['protected_reason', 'protected'],
  ['retired', 'retired'], ['retired_reason', 'retired'], ['network_data', 'network_data'],
  ['boot_mode', 'boot_mode_fields'], ['secure_boot', 'boot_mode_fields'], ['shard', 'shards'],
  ['parent_node', 'parent_node'],
  ['bios_interface', 'bios_interface'], ['boot_interface', 'dynamic_interfaces'], ['console_interface', 'dynamic_interfaces'],
  ['deploy_interface', 'dynamic_interfaces'], ['firmware_interface', 'firmware_interface'], ['inspect_interface', 'dynamic_interfaces'],
  ['management_interface', 'dynamic_interfaces'], ['network_interface', 'network_interface'], ['power_interface', 'dynamic_interfaces'],
  ['raid_interface', 'dynamic_interfaces'], ['rescue_interface', 'rescue'], ['storage_interface', 'storage_interface'],
  ['vendor_interface', 'dynamic_interfaces'],
  ['created_at', null], ['updated_at', null],
]
const FIELD_FEATURE = new Map(NODE_FIELDS)

/** Fields shown in a non-detailed list (Ironic's default short view). */
export const NODE_SHORT_FIELDS = ['uuid', 'name', 'instance_uuid', 'power_state', 'provision_state', 'maintenance', 'links'] as const

export function nodeFieldVisible(field: string, v: ApiVersion): boolean {
  if (field === 'links' || field === 'ports' || field === 'portgroups' || field === 'states' || field === 'volume') return true
  if (!FIELD_FEATURE.has(field)) return false
  const f = FIELD_FEATURE.get(field)
  return f === null || f === undefined || allows(v, f)
}

/** Extra facts a node view needs that are not columns of the node row. */
export interface NodeViewContext {
  base: string
  version: ApiVersion
  chassisUuid?: string | null
  allocationUuid?: string | null
  traits?: string[]
  /** The conductor that would handle the node (shown at >= 1.49). */
  conductor?: string | null
}

/**
 * Serialises a node the way Ironic does at `ctx.version`: fields newer than the version are
 * omitted, secrets masked, links added. With `fields`, only those and the links are shown.
 */
export function nodeView(n: NodeRecord, ctx: NodeViewContext, fields?: readonly string[], short = false): Record<string, unknown> {
  // The detailed view's field list depends only on the version: computed once per version, not
  // per node (a detailed list of 1000 nodes renders 1000 views; see bench/RESULTS.md).
  // A `fields` selection keeps the node's links, as Ironic's does.
  const selected = fields ? (fields.includes('links') ? fields : [...fields, 'links']) : short ? NODE_SHORT_FIELDS : detailFields(ctx.version)
  const check = fields !== undefined || short
  const out: Record<string, unknown> = {}
  const id = n.uuid
  for (const f of selected) {
    if (check && !nodeFieldVisible(f, ctx.version)) continue
    if (f === 'links') out.links = selfLinks(ctx.base, `nodes/${id}`)
    else if (f === 'ports') out.ports = selfLinks(ctx.base, `nodes/${id}/ports`)
    else if (f === 'portgroups') {
      if (allows(ctx.version, 'portgroup_subcontrollers')) out.portgroups = selfLinks(ctx.base, `nodes/${id}/portgroups`)
    } else if (f === 'states') {
      if (allows(ctx.version, 'node_states_links')) out.states = selfLinks(ctx.base, `nodes/${id}/states`)
    } else if (f === 'volume') {
      if (allows(ctx.version, 'volume')) out.volume = selfLinks(ctx.base, `nodes/${id}/volume`)
    } else out[f] = fieldValue(n, ctx, f) ?? null
  }
  if (fields === undefined && !short) delete out.id
  return out
}

const DETAIL_FIELDS = [...NODE_FIELDS.map(([f]) => f), 'links', 'ports', 'portgroups', 'states', 'volume']
const detailFieldsByMinor = new Map<number, readonly string[]>()

/** The detailed view's fields visible at `v` (visibility depends only on the minor version). */
function detailFields(v: ApiVersion): readonly string[] {
  let list = detailFieldsByMinor.get(v.minor)
  if (!list) {
    list = DETAIL_FIELDS.filter((f) => nodeFieldVisible(f, v))
    detailFieldsByMinor.set(v.minor, list)
  }
  return list
}

/** One field of the view: secrets masked, old state names for old versions, context facts. */
function fieldValue(n: NodeRecord, ctx: NodeViewContext, f: string): unknown {
  switch (f) {
    case 'chassis_uuid': return ctx.chassisUuid ?? null
    case 'allocation_uuid': return ctx.allocationUuid ?? null
    case 'traits': return ctx.traits ?? []
    case 'conductor': return ctx.conductor ?? null
    case 'driver_info': return maskSecrets(n.driver_info)
    case 'driver_internal_info': return maskSecrets(n.driver_internal_info)
    case 'instance_info': return maskInstanceInfo(n.instance_info)
    // Old microversions see some states under their older names (available as null, inspect wait as inspecting).
    case 'provision_state': return displayProvisionState(n.provision_state, ctx.version.minor)
    case 'target_provision_state': return displayProvisionState(n.target_provision_state, ctx.version.minor)
    default: return (n as unknown as Record<string, unknown>)[f]
  }
}

export const NODE_INTERFACE_FIELDS = INTERFACE_KINDS.map((k) => `${k}_interface`)
