/**
 * Booting and ending the agent's ramdisk, shared by the agent-driven interfaces (direct deploy,
 * agent inspection): the boot interface prepares the ramdisk boot with the kernel parameters the
 * agent needs, power brings it up; tearing down powers it off and forgets the agent.
 */
import type { DriverContext } from '../driver-context.js'
import type { RamdiskParams } from '../interfaces/boot.js'
import { DriverError } from '../../domain/errors.js'

/** driver_internal_info keys of the agent protocol (Ironic's names where Ironic has them). */
export const AGENT_KEYS = ['agent_url', 'agent_secret_token', 'agent_secret_token_pregenerated', 'agent_last_heartbeat', 'agent_version', 'agent_verify_ca', 'agent_status', 'ferrum_agent_command', 'ferrum_agent_progress'] as const

/** Forgets everything about the agent (the ramdisk went away): URL, token, pending command. */
export function wipeAgent(ii: Record<string, unknown>): void {
  for (const k of AGENT_KEYS) delete ii[k]
}

/** Boots the deploy ramdisk: boot device first, then power (a node already on is rebooted). */
export async function bootRamdisk(ctx: DriverContext, extra: RamdiskParams = {}): Promise<void> {
  const i = ctx.interfaces
  if (!i) throw new DriverError(`node ${ctx.node.uuid}: booting the ramdisk needs the node's boot and power interfaces`)
  wipeAgent(ctx.internalInfo)
  ctx.timeline?.phase('power on')
  await i.boot.prepareRamdisk(ctx, { ...(ctx.agent?.apiUrl ? { 'ipa-api-url': ctx.agent.apiUrl } : {}), ...extra })
  const power = await i.power.getPowerState(ctx)
  if (power === 'power on') await i.power.reboot(ctx)
  else await i.power.setPowerState(ctx, 'power on')
  ctx.timeline?.phase('network boot')
}

/** Powers the ramdisk off and forgets the agent. */
export async function tearDownRamdisk(ctx: DriverContext): Promise<void> {
  const i = ctx.interfaces
  if (!i) throw new DriverError(`node ${ctx.node.uuid}: tearing down the ramdisk needs the node's boot and power interfaces`)
  await i.power.setPowerState(ctx, 'power off')
  await i.boot.cleanUpRamdisk(ctx)
  wipeAgent(ctx.internalInfo)
}

