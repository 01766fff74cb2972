/**
 * Rescue through the agent (Ironic's `agent` rescue interface): the active node is powered off
 * and boots the ramdisk again (`rescue wait`); when its agent heartbeats, the conductor sends
 * `rescue.finalize_rescue` with the rescue password's hash (Ironic's `hashed: true`), the agent
 * installs it for the `rescue` user and stops calling home, and the node is in `rescue`.
 * Unrescue powers it off, drops the ramdisk's boot set-up and boots the instance from its disk.
 * The lab (and this conductor) use the deploy ramdisk as the rescue ramdisk, as Ironic does when
 * `rescue_kernel`/`rescue_ramdisk` are not set.
 */
import type { DriverContext } from '../driver-context.js'
import type { RescueInterface } from '../interfaces/rescue.js'
import type { NodeView } from '../node-view.js'
import type { StepResult } from '../steps.js'
import { DriverError, ValidationError } from '../../domain/errors.js'
import { bootRamdisk, wipeAgent } from './ramdisk-boot.js'
import { AgentCommandError, commandErrorText, endpointOf, executeCommand } from './agent-client.js'

export class AgentRescue implements RescueInterface {
  readonly kind = 'rescue'
  readonly name = 'agent'

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return { rescue_kernel: 'The rescue kernel (netboot work; the deploy ramdisk is used until then).', rescue_ramdisk: 'The rescue ramdisk (netboot work; the deploy ramdisk is used until then).' }
  }

  /** First run: boot the ramdisk. Run again after the agent's heartbeat: finalize. */
  async rescue(ctx: DriverContext): Promise<StepResult> {
    const i = this.#interfaces(ctx)
    const url = ctx.internalInfo.agent_url
    if (typeof url !== 'string' || url === '') {
      const hash = ctx.node.instanceInfo.hashed_rescue_password
      if (typeof hash !== 'string' || hash === '') throw new ValidationError(`Node ${ctx.node.uuid} has no rescue password; give one with the rescue action (rescue_password).`)
      await i.power.setPowerState(ctx, 'power off')
      await i.boot.cleanUpInstance(ctx)
      await bootRamdisk(ctx)
      return { wait: 'waiting for the rescue ramdisk to call back' }
    }
    ctx.timeline?.phase('rescue password')
    const c = await executeCommand(endpointOf(ctx.internalInfo)!, 'rescue.finalize_rescue', { rescue_password: ctx.node.instanceInfo.hashed_rescue_password, hashed: true }, { wait: true, signal: ctx.signal })
    if (c.command_status !== 'SUCCEEDED') throw new AgentCommandError(`Agent command rescue.finalize_rescue failed: ${commandErrorText(c)}`, { code: 'AGENT_COMMAND_FAILED' })
    // The rescue system runs on; its agent no longer calls home, and nothing boots it again.
    await i.boot.cleanUpRamdisk(ctx)
    wipeAgent(ctx.internalInfo)
    return { done: true }
  }

  async unrescue(ctx: DriverContext): Promise<void> {
    const i = this.#interfaces(ctx)
    await i.power.setPowerState(ctx, 'power off')
    await i.boot.cleanUpRamdisk(ctx)
    wipeAgent(ctx.internalInfo)
    await i.boot.prepareInstance(ctx)
    await i.power.setPowerState(ctx, 'power on')
  }

  /** After a failed or aborted rescue: the ramdisk's boot set-up goes (the node stays off). */
  async cleanUp(ctx: DriverContext): Promise<void> {
    const i = this.#interfaces(ctx)
    await i.boot.cleanUpRamdisk(ctx)
    wipeAgent(ctx.internalInfo)
  }

  #interfaces(ctx: DriverContext) {
    if (!ctx.interfaces) throw new DriverError(`node ${ctx.node.uuid}: agent rescue needs the node's boot and power interfaces`)
    return ctx.interfaces
  }
}
