import type { Generated } from 'kysely'

/**
 * Table shapes shared by SQLite and PostgreSQL. To keep one repository layer for both engines,
 * JSON documents are stored as TEXT, timestamps as ISO-8601 TEXT (UTC, millisecond precision,
 * which sorts correctly as text) and booleans as INTEGER 0/1. Repos convert at the edge.
 */
export interface NodeTable {
  id: Generated<number>
  uuid: string
  name: string | null
  chassis_id: number | null
  instance_uuid: string | null
  driver: string
  driver_info: string
  driver_internal_info: string
  extra: string
  instance_info: string
  properties: string
  power_state: string | null
  target_power_state: string | null
  provision_state: string
  target_provision_state: string | null
  provision_updated_at: string | null
  last_error: string | null
  maintenance: number
  maintenance_reason: string | null
  fault: string | null
  console_enabled: number
  reservation: string | null
  conductor_affinity: number | null
  conductor_group: string
  resource_class: string | null
  bios_interface: string | null
  boot_interface: string | null
  console_interface: string | null
  deploy_interface: string | null
  firmware_interface: string | null
  inspect_interface: string | null
  management_interface: string | null
  network_interface: string | null
  power_interface: string | null
  raid_interface: string | null
  rescue_interface: string | null
  storage_interface: string | null
  vendor_interface: string | null
  inspection_started_at: string | null
  inspection_finished_at: string | null
  clean_step: string | null
  deploy_step: string | null
  service_step: string | null
  raid_config: string | null
  target_raid_config: string | null
  owner: string | null
  lessee: string | null
  allocation_id: number | null
  description: string | null
  automated_clean: number | null
  protected: number
  protected_reason: string | null
  retired: number
  retired_reason: string | null
  network_data: string
  boot_mode: string | null
  secure_boot: number | null
  shard: string | null
  parent_node: string | null
  disable_power_off: number
  created_at: string
  updated_at: string | null
}

export interface NodeTraitTable {
  node_id: number
  trait: string
  created_at: string
}

export interface PortTable {
  id: Generated<number>
  uuid: string
  address: string
  node_id: number
  portgroup_id: number | null
  name: string | null
  extra: string
  internal_info: string
  local_link_connection: string
  pxe_enabled: number
  physical_network: string | null
  is_smartnic: number
  description: string | null
  created_at: string
  updated_at: string | null
}

export interface PortgroupTable {
  id: Generated<number>
  uuid: string
  name: string | null
  address: string | null
  node_id: number
  extra: string
  internal_info: string
  standalone_ports_supported: number
  mode: string | null
  properties: string
  physical_network: string | null
  created_at: string
  updated_at: string | null
}

export interface ChassisTable {
  id: Generated<number>
  uuid: string
  description: string | null
  extra: string
  created_at: string
  updated_at: string | null
}

export interface ConductorTable {
  id: Generated<number>
  hostname: string
  conductor_group: string
  drivers: string
  online: number
  created_at: string
  updated_at: string | null
}

export interface NodeHistoryTable {
  id: Generated<number>
  uuid: string
  node_id: number
  conductor: string | null
  event_type: string
  severity: string
  event: string
  user: string | null
  /** Ferrum: provision state the entry is about and how long the node spent in the previous one. */
  provision_state: string | null
  duration_ms: number | null
  /** Ferrum: stable error code, phase and remedy hint for failures (JSON or null). */
  error_detail: string | null
  /** Ferrum: the provisioning phase this entry closes (see conductor/timeline.ts), else null. */
  phase: string | null
  created_at: string
}

export interface AllocationTable {
  id: Generated<number>
  uuid: string
  name: string | null
  node_id: number | null
  state: string
  owner: string | null
  last_error: string | null
  resource_class: string | null
  /** JSON list of trait names. */
  traits: string
  /** JSON list of node UUIDs. */
  candidate_nodes: string
  extra: string
  conductor_affinity: number | null
  created_at: string
  updated_at: string | null
}

export interface DeployTemplateTable {
  id: Generated<number>
  uuid: string
  name: string
  extra: string
  created_at: string
  updated_at: string | null
}

export interface DeployTemplateStepTable {
  id: Generated<number>
  deploy_template_id: number
  interface: string
  step: string
  args: string
  priority: number
  created_at: string
}

export interface RunbookTable {
  id: Generated<number>
  uuid: string
  name: string
  public: number
  owner: string | null
  disable_ramdisk: number
  extra: string
  created_at: string
  updated_at: string | null
}

export interface RunbookStepTable {
  id: Generated<number>
  runbook_id: number
  interface: string
  step: string
  args: string
  order: number
  created_at: string
}

export interface VolumeConnectorTable {
  id: Generated<number>
  uuid: string
  node_id: number
  type: string
  connector_id: string
  extra: string
  created_at: string
  updated_at: string | null
}

export interface VolumeTargetTable {
  id: Generated<number>
  uuid: string
  node_id: number
  volume_type: string
  properties: string
  boot_index: number
  volume_id: string
  extra: string
  created_at: string
  updated_at: string | null
}

export interface BiosSettingTable {
  node_id: number
  name: string
  value: string | null
  attribute_type: string | null
  /** JSON list or null. */
  allowable_values: string | null
  lower_bound: number | null
  max_length: number | null
  min_length: number | null
  read_only: number | null
  reset_required: number | null
  unique: number | null
  upper_bound: number | null
  created_at: string
  updated_at: string | null
}

export interface NodeInventoryTable {
  id: Generated<number>
  node_id: number
  /** JSON: the agent's inventory. */
  inventory_data: string
  /** JSON: plugin data beside it. */
  plugin_data: string
  created_at: string
  updated_at: string | null
}

export interface Schema {
  nodes: NodeTable
  node_traits: NodeTraitTable
  ports: PortTable
  portgroups: PortgroupTable
  chassis: ChassisTable
  conductors: ConductorTable
  node_history: NodeHistoryTable
  allocations: AllocationTable
  deploy_templates: DeployTemplateTable
  deploy_template_steps: DeployTemplateStepTable
  runbooks: RunbookTable
  runbook_steps: RunbookStepTable
  volume_connectors: VolumeConnectorTable
  volume_targets: VolumeTargetTable
  bios_settings: BiosSettingTable
  node_inventory: NodeInventoryTable
}
