/**
 * Deploy interface: writes the instance image (its own `deploy` step and friends) and tears
 * the instance down again.
 */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { StepResult } from '../steps.js'

/** Deploying and tearing down an instance. */
export interface DeployInterface extends DriverInterface<'deploy'> {
  /** Runs the core deploy step (Ironic's `deploy`, priority 100). */
  deploy(ctx: DriverContext): Promise<StepResult>
  /** Powers off and removes the instance; cleaning follows. */
  tearDown(ctx: DriverContext): Promise<void>
  /** Prepares the environment before deploy steps run (networks, boot, cached images). */
  prepare(ctx: DriverContext): Promise<void>
  /** Releases what `prepare` set up, after tear-down or a failed deploy. */
  cleanUp(ctx: DriverContext): Promise<void>
  /** Re-establishes state when a conductor takes over an active node. */
  takeOver(ctx: DriverContext): Promise<void>
  /**
   * A heartbeat from the node's agent while the node waits: `continue` resumes the parked work,
   * `wait` keeps it parked. Interfaces without an agent leave it out (heartbeats are recorded only).
   */
  heartbeat?(ctx: DriverContext): Promise<'continue' | 'wait'>
  /** Ends the ramdisk after a clean or service phase ran its steps in it. */
  tearDownRamdisk?(ctx: DriverContext): Promise<void>
  /**
   * true when the interface's own deploy steps prepare the instance's boot and power it on
   * (Ironic's `prepare_instance_boot` and `boot_instance`); otherwise the conductor does both
   * after the steps.
   */
  readonly bootsInstance?: boolean
}
