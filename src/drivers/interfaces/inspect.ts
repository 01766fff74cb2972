/** Inspect interface: discovers a node's hardware properties and NICs. */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { NodeUpdates } from '../steps.js'

/** Inspection outcome: done (with properties in `updates` and MACs found) or waiting for the agent. */
export type InspectResult =
  | { readonly done: true; readonly updates?: NodeUpdates; readonly macAddresses?: readonly string[] }
  | { readonly wait: string }

/** Hardware inspection. */
export interface InspectInterface extends DriverInterface<'inspect'> {
  inspectHardware(ctx: DriverContext): Promise<InspectResult>
  /** Stops an asynchronous inspection (the `abort` verb in `inspect wait`). */
  abort?(ctx: DriverContext): Promise<void>
}
