/**
 * In-band inspection (Ironic's `agent` inspect interface): the node boots the ramdisk with
 * `ipa-inspection-callback-url=<API>/v1/continue_inspection` on its kernel command line; the
 * agent collects its inventory and posts it there; the conductor stores it, sets the node's
 * properties, creates ports and ends the ramdisk (src/conductor/inspection.ts). Until then the
 * node waits in `inspect wait` (the inspect-wait timeout applies).
 */
import type { DriverContext } from '../driver-context.js'
import type { InspectInterface, InspectResult } from '../interfaces/inspect.js'
import type { NodeView } from '../node-view.js'
import { DriverError } from '../../domain/errors.js'
import { bootRamdisk, tearDownRamdisk } from './ramdisk-boot.js'

export class AgentInspect implements InspectInterface {
  readonly kind = 'inspect'
  readonly name = 'agent'

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  async inspectHardware(ctx: DriverContext): Promise<InspectResult> {
    const api = ctx.agent?.apiUrl
    if (!api) throw new DriverError(`node ${ctx.node.uuid}: in-band inspection needs the API URL agents post their inventory to (api.publicUrl), and none is known`)
    await bootRamdisk(ctx, { 'ipa-inspection-callback-url': `${api}/v1/continue_inspection` })
    return { wait: 'waiting for the agent to post its inventory' }
  }

  /** Inspection ended (done, aborted or timed out): the ramdisk goes. */
  async abort(ctx: DriverContext): Promise<void> {
    await tearDownRamdisk(ctx)
  }
}
