/** Boot interface: gets the deploy ramdisk or the instance booted (PXE, iPXE, virtual media…). */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** Kernel parameters handed to the ramdisk (agent callback URL, token…). */
export type RamdiskParams = Readonly<Record<string, string>>

/** What makes a node boot the right thing next time it powers on. */
export interface BootInterface extends DriverInterface<'boot'> {
  /** Capabilities such as `ramdisk_boot`. */
  readonly capabilities: readonly string[]
  /** Prepares the node to boot the deploy/rescue/inspection ramdisk. */
  prepareRamdisk(ctx: DriverContext, params: RamdiskParams): Promise<void>
  cleanUpRamdisk(ctx: DriverContext): Promise<void>
  /** Prepares the node to boot the deployed instance. */
  prepareInstance(ctx: DriverContext): Promise<void>
  cleanUpInstance(ctx: DriverContext): Promise<void>
  /** Cheap checks for booting the rescue ramdisk. */
  validateRescue?(node: NodeView): void
  /** Cheap checks for booting the inspection ramdisk. */
  validateInspection?(node: NodeView): void
}
