/** BIOS interface: reads and changes firmware settings. */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { StepResult } from '../steps.js'

/** One BIOS setting as `GET /v1/nodes/{node}/bios` shows it. */
export interface BiosSetting {
  readonly name: string
  readonly value: string | null
  readonly attribute_type?: string
  readonly allowable_values?: readonly string[]
  readonly read_only?: boolean
  readonly reset_required?: boolean
}

/** A requested change. */
export interface BiosSettingChange {
  readonly name: string
  readonly value: string
}

/** BIOS settings management. */
export interface BiosInterface extends DriverInterface<'bios'> {
  /** The current settings; the conductor caches them in the DB. */
  getSettings(ctx: DriverContext): Promise<readonly BiosSetting[]>
  applySettings(ctx: DriverContext, settings: readonly BiosSettingChange[]): Promise<StepResult>
  factoryReset(ctx: DriverContext): Promise<StepResult>
}
