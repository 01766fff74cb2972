/** RAID interface: builds and removes logical disks. */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { JsonObject, NodeView } from '../node-view.js'
import type { StepResult } from '../steps.js'

/** One logical disk of a target RAID configuration (Ironic's schema field names). */
export interface LogicalDisk extends JsonObject {
  readonly size_gb: number | 'MAX'
  readonly raid_level: string
  readonly is_root_volume?: boolean
}

/** A node's `target_raid_config`. */
export interface RaidConfig extends JsonObject {
  readonly logical_disks: readonly LogicalDisk[]
}

/** Options of `createConfiguration` (the step arguments). */
export interface CreateRaidOptions {
  readonly createRootVolume?: boolean
  readonly createNonrootVolumes?: boolean
  readonly deleteExisting?: boolean
}

/** RAID management; results carry the new `raid_config` in `updates.raidConfig`. */
export interface RaidInterface extends DriverInterface<'raid'> {
  /** Checks a target configuration against what this implementation can build (no I/O). */
  validateRaidConfig(node: NodeView, config: RaidConfig): void
  createConfiguration(ctx: DriverContext, opts?: CreateRaidOptions): Promise<StepResult>
  deleteConfiguration(ctx: DriverContext): Promise<StepResult>
  /** Logical disk property → description, for `GET /v1/drivers/{d}/raid/logical_disk_properties`. */
  getLogicalDiskProperties(): Readonly<Record<string, string>>
}
