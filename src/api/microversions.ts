import { NotAcceptableError } from '../domain/errors.js'

/**
 * API microversions: what appeared when. Ferrum speaks Ironic's v1 API from 1.1 up to MAX, and
 * hides or rejects anything newer than the version a request asks for, as Ironic does.
 * Versions are compared as their minor number (the major is always 1).
 */
export const MIN_MINOR = 1
export const MAX_MINOR = 92
export const MIN_VERSION = `1.${MIN_MINOR}`
export const MAX_VERSION = `1.${MAX_MINOR}`

/** The minor version each feature, field or path first appeared in (Ironic's version history). */
export const FEATURES = {
  driver_internal_info: 3,
  manage_provide_verbs: 4,
  name: 5,
  inspect: 6,
  inspection_timestamps: 6,
  clean_step: 7,
  fields_selector: 8,
  provision_state_filter: 9,
  enroll_state: 11,
  raid_config: 12,
  abort_verb: 13,
  node_states_links: 14,
  manual_clean: 15,
  driver_filter: 16,
  adopt_verb: 17,
  port_internal_info: 18,
  port_advanced_net_fields: 19,
  network_interface: 20,
  resource_class: 21,
  lookup_heartbeat: 22,
  portgroups: 23,
  portgroup_subcontrollers: 24,
  unset_chassis_uuid: 25,
  portgroup_mode_properties: 26,
  soft_power: 27,
  vifs: 28,
  inject_nmi: 29,
  dynamic_drivers: 30,
  dynamic_interfaces: 31,
  volume: 32,
  storage_interface: 33,
  port_physical_network: 34,
  rebuild_configdrive: 35,
  agent_version_heartbeat: 36,
  traits: 37,
  rescue: 38,
  inspect_wait: 39,
  bios_interface: 40,
  inspection_abort: 41,
  fault: 42,
  detail_query: 43,
  deploy_step: 44,
  reset_interfaces: 45,
  conductor_group: 46,
  automated_clean: 47,
  protected: 48,
  conductors: 49,
  owner: 50,
  description: 51,
  allocations: 52,
  smartnic: 53,
  events: 54,
  deploy_templates: 55,
  build_configdrive: 56,
  allocation_update: 57,
  allocation_backfill: 58,
  configdrive_vendor_data: 59,
  allocation_owner: 60,
  retired: 61,
  agent_token: 62,
  indicators: 63,
  local_link_network_type: 64,
  lessee: 65,
  network_data: 66,
  vif_port_uuid: 67,
  agent_verify_ca: 68,
  deploy_steps_provision: 69,
  disable_ramdisk: 70,
  scoped_rbac: 71,
  agent_status: 72,
  deploy_undeploy_verbs: 73,
  bios_registry: 74,
  boot_mode_fields: 75,
  boot_mode_change: 76,
  driver_fields_selector: 77,
  node_history: 78,
  allocation_name_match: 79,
  self_service: 80,
  node_inventory: 81,
  shards: 82,
  parent_node: 83,
  continue_inspection: 84,
  unhold_extension: 85,
  firmware_interface: 86,
  service: 87,
  port_name: 88,
  virtual_media: 89,
  ovn_vtep: 90,
  patch_json_merge: 91,
  runbooks: 92,
} as const satisfies Record<string, number>

export type Feature = keyof typeof FEATURES

/** A request's negotiated version. */
export interface ApiVersion {
  minor: number
  /** True when the client sent no version header (Ironic then answers as 1.1). */
  defaulted: boolean
}

export function allows(v: ApiVersion, feature: Feature): boolean {
  return v.minor >= FEATURES[feature]
}

export function versionString(v: ApiVersion | number): string {
  return `1.${typeof v === 'number' ? v : v.minor}`
}

const VERSION_RE = /^1\.(\d{1,4})$/

/**
 * Parses the two request headers. `X-OpenStack-Ironic-API-Version: 1.N | latest` or
 * `OpenStack-API-Version: baremetal 1.N | latest`. No header means 1.1. Throws
 * NotAcceptableError (406) for a version outside [MIN, MAX] and a 400-style error for garbage.
 */
export function negotiate(headers: Record<string, string | string[] | undefined>): ApiVersion {
  let raw = first(headers['x-openstack-ironic-api-version'])
  if (raw === undefined) {
    const generic = first(headers['openstack-api-version'])
    if (generic !== undefined) {
      const m = /^\s*baremetal\s+(\S+)\s*$/i.exec(generic)
      if (m) raw = m[1]
    }
  }
  if (raw === undefined) return { minor: MIN_MINOR, defaulted: true }
  raw = raw.trim()
  if (raw.toLowerCase() === 'latest') return { minor: MAX_MINOR, defaulted: false }
  const m = VERSION_RE.exec(raw)
  if (!m && /^\d+\.\d+$/.test(raw)) {
    throw new NotAcceptableError(
      `Mutually exclusive versions requested. Version ${raw} requested but not supported by this service. The supported version range is: [${MIN_VERSION}, ${MAX_VERSION}].`,
      { code: 'API_VERSION_UNSUPPORTED' },
    )
  }
  if (!m) {
    throw new NotAcceptableError(
      `Invalid value for X-OpenStack-Ironic-API-Version header: ${raw}. Use "1.N" between ${MIN_VERSION} and ${MAX_VERSION}, or "latest".`,
      { code: 'API_VERSION_INVALID' },
    )
  }
  const minor = Number(m[1])
  if (minor < MIN_MINOR || minor > MAX_MINOR) {
    throw new NotAcceptableError(
      `Version ${raw} was requested but the minor version is not supported by this service. The supported version range is: [${MIN_VERSION}, ${MAX_VERSION}].`,
      { code: 'API_VERSION_UNSUPPORTED' },
    )
  }
  return { minor, defaulted: false }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}
