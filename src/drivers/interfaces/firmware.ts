/** Firmware interface: lists and updates firmware components (BIOS, BMC, NICs). */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { StepResult } from '../steps.js'

/** One firmware component as `GET /v1/nodes/{node}/firmware` shows it. */
export interface FirmwareComponent {
  readonly component: string
  readonly initial_version: string
  readonly current_version: string
  readonly last_version_flashed: string | null
}

/** One requested update. */
export interface FirmwareUpdate {
  readonly component: string
  readonly url: string
  readonly checksum?: string
  /** Ferrum extension for emulated hardware; real drivers read the version from the image. */
  readonly version?: string
}

/** Firmware management. */
export interface FirmwareInterface extends DriverInterface<'firmware'> {
  getComponents(ctx: DriverContext): Promise<readonly FirmwareComponent[]>
  update(ctx: DriverContext, updates: readonly FirmwareUpdate[]): Promise<StepResult>
}
