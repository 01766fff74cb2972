/** `no-raid`: RAID is not managed. */
import type { DriverContext } from '../driver-context.js'
import type { RaidInterface } from '../interfaces/raid.js'
import type { NodeView } from '../node-view.js'
import type { StepResult } from '../steps.js'
import { NoSupport } from './no-support.js'

/** No RAID management. */
export class NoRaid extends NoSupport<'raid'> implements RaidInterface {
  readonly kind = 'raid'
  readonly name = 'no-raid'

  validateRaidConfig(node: NodeView): void {
    throw this.unsupported(node, 'RAID configuration')
  }

  async createConfiguration(ctx: DriverContext): Promise<StepResult> {
    throw this.unsupported(ctx.node, 'RAID configuration')
  }

  async deleteConfiguration(ctx: DriverContext): Promise<StepResult> {
    throw this.unsupported(ctx.node, 'RAID configuration')
  }

  getLogicalDiskProperties(): Readonly<Record<string, string>> {
    return {}
  }
}
