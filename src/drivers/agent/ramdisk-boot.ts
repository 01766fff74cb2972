/**
 * Booting and ending the agent's ramdisk, shared by the agent-driven interfaces (direct deploy,
 * agent inspection): the boot interface prepares the ramdisk boot with the kernel parameters the
 * agent needs, power brings it up; tearing down powers it off and forgets the agent.
 */
import type { DriverContext } from '../driver-context.js'
import type { RamdiskParams } from '../interfaces/boot.js'
import { DriverError } from '../../domain/errors.js'
import { endpointOf, listCommands } from './agent-client.js'

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

/**
 * Fast track: the node's agent can be reused as it is, because fast track is on, the agent
 * heartbeated within the timeout, the node is powered on, and its command API answers now.
 */
export async function fastTrackAgent(ctx: DriverContext): Promise<boolean> {
  const a = ctx.agent
  const url = ctx.internalInfo.agent_url
  const last = ctx.internalInfo.agent_last_heartbeat
  if (!a?.fastTrack || typeof url !== 'string' || url === '' || typeof last !== 'string') return false
  if (ctx.clock.now() - Date.parse(last) > (a.fastTrackTimeoutS ?? 300) * 1000) return false
  if (ctx.node.powerState !== 'power on') return false
  try {
    await listCommands(endpointOf(ctx.internalInfo)!, AbortSignal.any([ctx.signal, AbortSignal.timeout(5_000)]))
    return true
  } catch (e) {
    ctx.log.info({ agentUrl: url, err: (e as Error).message }, 'fast track: the agent does not answer; booting a new ramdisk')
    return false
  }
}

/** Powers the ramdisk off and forgets the agent. */
export async function tearDownRamdisk(ctx: DriverContext): Promise<void> {
  const i = ctx.interfaces
  if (!i) throw new DriverError(`node ${ctx.node.uuid}: tearing down the ramdisk needs the node's boot and power interfaces`)
  await i.power.setPowerState(ctx, 'power off')
  await i.boot.cleanUpRamdisk(ctx)
  wipeAgent(ctx.internalInfo)
}

