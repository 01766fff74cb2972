/**
 * Direct deploy (Ironic's `direct`): the node boots the deploy ramdisk, the agent in it calls
 * back, and the agent writes the image itself, streaming it from its URL. Deploy steps, as
 * Ironic's: `deploy` (100) boots the ramdisk and waits for the agent, `write_image` (80) has the
 * agent write the image (`standby.prepare_image`), `prepare_instance_boot` (60) sets up the
 * instance's boot (boot device disk), `tear_down_agent` (40) powers the ramdisk off,
 * `switch_to_tenant_network` (30) is a no-op here, `boot_instance` (20) powers the node on. Clean steps
 * `erase_devices_metadata` (99) and `erase_devices` (10) run in the agent too, booting it first
 * when it is not running.
 *
 * Agent commands are asynchronous: a step sends the command and parks the node (the step is run
 * again on the next heartbeat that finds the command finished, and then returns its outcome).
 * What the conductor knows of the agent lives in driver_internal_info: `agent_url`,
 * `agent_secret_token` (masked everywhere it is shown), `agent_last_heartbeat`,
 * `ferrum_agent_command` (the command in flight).
 */
import type { DriverContext } from '../driver-context.js'
import type { DeployInterface } from '../interfaces/deploy.js'
import type { JsonObject, NodeView } from '../node-view.js'
import { defineSteps, type DriverStep, type StepResult } from '../steps.js'
import { DriverError, ValidationError } from '../../domain/errors.js'
import { DEFAULT_CACHE_LIMITS, ImageCache } from './image-cache.js'
import { EPHEMERAL_FORMATS } from '../../agent/partition-image.js'
import { checkConfigDrive, configDriveParam } from './configdrive.js'
import { AGENT_KEYS, bootRamdisk, fastTrackAgent, tearDownRamdisk, wipeAgent } from './ramdisk-boot.js'
import { AgentCommandError, commandErrorText, endpointOf, executeCommand, listCommands, type AgentCommand, type AgentEndpoint } from './agent-client.js'


/** The command in flight, as remembered between heartbeats. */
interface PendingCommand {
  readonly id: string
  readonly name: string
  readonly started_at: string
}

/** What a heartbeat means for a node waiting on its agent. */
export type HeartbeatOutcome = 'continue' | 'wait'

export { AGENT_KEYS, wipeAgent }


function endpoint(ctx: DriverContext): AgentEndpoint {
  const ep = endpointOf(ctx.internalInfo)
  if (ep === null) throw new DriverError(`node ${ctx.node.uuid}: the deploy agent has not called back yet`, { code: 'AGENT_NOT_READY' })
  return ep
}

function pending(ctx: DriverContext): PendingCommand | null {
  const p = ctx.internalInfo.ferrum_agent_command as PendingCommand | undefined
  return p && typeof p.id === 'string' ? p : null
}

async function findCommand(ctx: DriverContext, id: string): Promise<AgentCommand | undefined> {
  return (await listCommands(endpoint(ctx), ctx.signal)).find((c) => c.id === id)
}

/**
 * Runs one agent command as a step: sends it, parks the node until a heartbeat finds it done,
 * then (run again) reports the outcome. An agent that is not up yet is booted first.
 */
async function agentStep(ctx: DriverContext, name: string, params: JsonObject, what: string, phase: string): Promise<StepResult> {
  if (typeof ctx.internalInfo.agent_url !== 'string') {
    await bootRamdisk(ctx)
    return { wait: `booting the deploy ramdisk for ${what}`, rerun: true }
  }
  const p = pending(ctx)
  if (p && p.name === name) {
    const c = await findCommand(ctx, p.id)
    if (!c) {
      delete ctx.internalInfo.ferrum_agent_command
      throw new AgentCommandError(`The agent no longer knows command ${name} (${p.id}): the ramdisk was restarted while it ran.`, { code: 'AGENT_COMMAND_FAILED' })
    }
    if (c.command_status === 'RUNNING') {
      const limitS = ctx.agent?.commandTimeoutS
      if (limitS !== undefined && ctx.clock.now() - Date.parse(p.started_at) > limitS * 1000) {
        delete ctx.internalInfo.ferrum_agent_command
        throw new AgentCommandError(`Agent command ${name} did not finish within ${limitS} s (config agent.commandTimeoutS).`, { code: 'AGENT_COMMAND_FAILED' })
      }
      return { wait: `agent running ${name}`, rerun: true }
    }
    delete ctx.internalInfo.ferrum_agent_command
    // The finished write's totals (Ferrum's agent adds them to the result), else the last heartbeat's.
    const final = (c.command_result as { ferrum_progress?: { bytes?: number } } | null)?.ferrum_progress
    const progress = ctx.internalInfo.ferrum_agent_progress as { bytes?: number; total?: number | null } | undefined
    delete ctx.internalInfo.ferrum_agent_progress
    const moved = typeof final?.bytes === 'number' ? final.bytes : progress?.total ?? progress?.bytes
    if (c.command_status === 'SUCCEEDED' && typeof moved === 'number') ctx.timeline?.bytes(moved)
    if (c.command_status !== 'SUCCEEDED') throw new AgentCommandError(`Agent command ${name} failed: ${commandErrorText(c)}`, { code: 'AGENT_COMMAND_FAILED' })
    return { done: true }
  }
  ctx.timeline?.phase(phase)
  const c = await executeCommand(endpoint(ctx), name, params, { wait: false, signal: ctx.signal })
  if (c.command_status === 'RUNNING') {
    ctx.internalInfo.ferrum_agent_command = { id: c.id, name, started_at: new Date(ctx.clock.now()).toISOString() } satisfies PendingCommand
    return { wait: `agent running ${name}`, rerun: true }
  }
  if (c.command_status !== 'SUCCEEDED') throw new AgentCommandError(`Agent command ${name} failed: ${commandErrorText(c)}`, { code: 'AGENT_COMMAND_FAILED' })
  return { done: true }
}

/** Ironic's image_download_source: instance_info, then driver_info, then the config ("local"). */
function downloadSource(ctx: DriverContext): 'local' | 'http' {
  for (const v of [ctx.node.instanceInfo.image_download_source, ctx.node.driverInfo.image_download_source]) {
    if (v === 'local' || v === 'http') return v
    if (v !== undefined && v !== null) throw new ValidationError(`Node ${ctx.node.uuid}: image_download_source must be "local" (through the conductor's image cache) or "http" (straight from image_source), not ${JSON.stringify(v)}.`)
  }
  return ctx.agent?.imageDownloadSource ?? 'local'
}

/** A partition image (instance_info.image_type "partition", as Ironic names it), not a whole disk. */
export function isPartitionImage(node: NodeView): boolean {
  return node.instanceInfo.image_type === 'partition'
}

/** image_info for `standby.prepare_image` from instance_info (Ironic's field names). */
export function imageInfo(node: NodeView): JsonObject {
  const ii = node.instanceInfo
  const source = ii.image_url ?? ii.image_source
  if (typeof source !== 'string' || !/^(https?|file):\/\//.test(source)) {
    throw new ValidationError(`Node ${node.uuid} needs instance_info.image_source as an http(s):// or file:// URL of a raw whole-disk image to deploy with the direct interface (got ${source === undefined ? 'none' : JSON.stringify(source)}).`, { code: 'FERRUM_MISSING_DRIVER_INFO' })
  }
  const info: Record<string, unknown> = {
    id: typeof ii.image_source === 'string' ? ii.image_source : source,
    urls: [source],
    disk_format: (ii.image_disk_format as string | undefined) ?? 'raw',
    container_format: 'bare',
    stream_raw_images: true,
    image_type: 'whole-disk-image',
    node_uuid: node.uuid,
  }
  if (isPartitionImage(node)) {
    // IPA's partition image fields: the agent partitions the disk (GPT for UEFI, MBR for BIOS).
    const rootGb = Number(ii.root_gb)
    if (!Number.isInteger(rootGb) || rootGb <= 0) throw new ValidationError(`Node ${node.uuid} deploys a partition image and needs instance_info.root_gb, the root partition size in GiB (a whole number, got ${ii.root_gb === undefined ? 'none' : JSON.stringify(ii.root_gb)}).`, { code: 'FERRUM_MISSING_DRIVER_INFO' })
    const swapMb = ii.swap_mb === undefined ? 0 : Number(ii.swap_mb)
    if (!Number.isInteger(swapMb) || swapMb < 0) throw new ValidationError(`Node ${node.uuid}: instance_info.swap_mb must be a whole number of MiB (got ${JSON.stringify(ii.swap_mb)}).`)
    const ephGb = ii.ephemeral_gb === undefined || ii.ephemeral_gb === null ? 0 : Number(ii.ephemeral_gb)
    if (!Number.isInteger(ephGb) || ephGb < 0) throw new ValidationError(`Node ${node.uuid}: instance_info.ephemeral_gb must be a whole number of GiB (got ${JSON.stringify(ii.ephemeral_gb)}).`)
    const ephFormat = ii.ephemeral_format === undefined || ii.ephemeral_format === null ? 'ext4' : String(ii.ephemeral_format)
    if (ephGb > 0 && !(EPHEMERAL_FORMATS as readonly string[]).includes(ephFormat)) throw new ValidationError(`Node ${node.uuid}: instance_info.ephemeral_format "${ephFormat}" is not one the agent makes; use ${EPHEMERAL_FORMATS.join(', ')}.`)
    if (ii.preserve_ephemeral === true || ii.preserve_ephemeral === 'true') throw new ValidationError(`Node ${node.uuid}: preserve_ephemeral is not supported: the agent always makes a new ephemeral partition; unset instance_info.preserve_ephemeral.`)
    Object.assign(info, { image_type: 'partition', root_mb: rootGb * 1024, swap_mb: swapMb, ephemeral_mb: ephGb * 1024, ...(ephGb > 0 ? { ephemeral_format: ephFormat } : {}), preserve_ephemeral: false, deploy_boot_mode: node.bootMode === 'bios' ? 'bios' : 'uefi', boot_option: 'local' })
  }
  if (typeof ii.image_os_hash_algo === 'string' && typeof ii.image_os_hash_value === 'string') {
    info.os_hash_algo = ii.image_os_hash_algo
    info.os_hash_value = ii.image_os_hash_value
  } else if (typeof ii.image_checksum === 'string') {
    info.checksum = ii.image_checksum
  }
  return info as JsonObject
}

/** Deployment by the agent in the ramdisk. */
export class DirectDeploy implements DeployInterface {
  readonly kind = 'deploy'
  readonly name = 'direct'
  readonly #steps = defineSteps('deploy', 'direct', [
    { step: 'deploy', priority: { deploy: 100 }, run: (ctx) => this.deploy(ctx) },
    { step: 'write_image', priority: { deploy: 80 }, requiresRamdisk: true, run: async (ctx) => agentStep(ctx, 'standby.prepare_image', await this.#prepareImageParams(ctx), 'the image write', 'write image') },
    {
      step: 'prepare_instance_boot',
      priority: { deploy: 60 },
      run: async (ctx) => {
        // A partition image carries no boot loader of its own on the disk: the agent installs it.
        if (isPartitionImage(ctx.node)) {
          const r = await this.#installBootLoader(ctx)
          if (!('done' in r)) return r
        }
        await this.#interfaces(ctx).boot.prepareInstance(ctx)
        return { done: true }
      },
    },
    {
      step: 'tear_down_agent',
      priority: { deploy: 40 },
      run: async (ctx) => {
        await tearDownRamdisk(ctx)
        return { done: true }
      },
    },
    // Ferrum has no tenant networks to move the node to (noop/flat network): the step is kept so
    // that deploy templates can order their own steps around it, as on Ironic.
    { step: 'switch_to_tenant_network', priority: { deploy: 30 }, run: async () => ({ done: true }) },
    {
      step: 'boot_instance',
      priority: { deploy: 20 },
      run: async (ctx) => {
        await this.#interfaces(ctx).power.setPowerState(ctx, 'power on')
        return { done: true }
      },
    },
    { step: 'erase_devices_metadata', priority: { clean: 99 }, abortable: true, requiresRamdisk: true, run: (ctx, args) => agentStep(ctx, 'clean.execute_clean_step', { step: { step: 'erase_devices_metadata', interface: 'deploy', priority: 99, args }, node: { uuid: ctx.node.uuid }, ports: [] }, 'erasing disk metadata', 'erase metadata') },
    { step: 'erase_devices', priority: { clean: 10 }, abortable: true, requiresRamdisk: true, run: (ctx, args) => agentStep(ctx, 'clean.execute_clean_step', { step: { step: 'erase_devices', interface: 'deploy', priority: 10, args }, node: { uuid: ctx.node.uuid }, ports: [] }, 'erasing disks', 'erase disks') },
  ])

  readonly #cache = new ImageCache()

  /**
   * image_info for the agent: with the boot server and image_download_source "local" (the
   * default), every image goes through the conductor's image cache (downloaded once, qcow2
   * converted to raw once, a data map made) and the agent fetches it from the boot server;
   * with "http", a raw image as it is.
   */
  async #imageInfo(ctx: DriverContext): Promise<JsonObject> {
    const info = imageInfo(ctx.node) as Record<string, unknown>
    const source = downloadSource(ctx)
    const haveServer = ctx.bootFiles !== undefined && ctx.bootFiles.baseUrl !== ''
    if (info.disk_format === 'raw' && (source === 'http' || !haveServer)) return info as JsonObject
    if (!haveServer) throw new ValidationError(`Node ${ctx.node.uuid}: a ${String(info.disk_format)} image is converted to raw in the conductor's image cache, which needs Ferrum's boot server (ferrum up); deploy a raw image otherwise.`)
    if (typeof ctx.internalInfo.ferrum_agent_command === 'object') return info as JsonObject // the step runs again for its outcome only
    // A conversion is a phase of its own; reading a raw image into the cache stays part of
    // "write image" (a phase mark here would cut the step's phase in two, the first part
    // without the bytes the write moved).
    if (info.disk_format !== 'raw') ctx.timeline?.phase('image cache')
    const cached = await this.#cache.raw(ctx.bootFiles!, {
      url: String((info.urls as string[])[0]),
      format: String(info.disk_format),
      hashAlgo: typeof info.os_hash_algo === 'string' ? info.os_hash_algo : typeof info.checksum === 'string' ? 'md5' : null,
      hashValue: typeof info.os_hash_value === 'string' ? info.os_hash_value : typeof info.checksum === 'string' ? info.checksum : null,
    }, { maxBytes: (ctx.agent?.imageCacheMiB ?? DEFAULT_CACHE_LIMITS.maxBytes / 1048576) * 1048576, ttlS: ctx.agent?.imageCacheTtlS ?? DEFAULT_CACHE_LIMITS.ttlS })
    ctx.log.info({ source: info.urls, cached: cached.url, hit: cached.hit, extents: cached.map?.extents.length ?? null }, cached.hit ? 'image cache hit' : 'image ready in the cache')
    ctx.internalInfo.ferrum_image_cache = { url: cached.url, hit: cached.hit }
    const out: Record<string, unknown> = { ...info, urls: [cached.url], disk_format: 'raw', os_hash_algo: 'sha256', os_hash_value: cached.sha256, checksum: undefined }
    // A partition image is written into a partition, where the agent writes every byte.
    if (cached.map !== null && info.image_type !== 'partition') out.ferrum_image_map = cached.map
    return out as JsonObject
  }

  /** prepare_image's parameters: the image and, if the node has one, its config drive (built here from JSON). */
  async #prepareImageParams(ctx: DriverContext): Promise<JsonObject> {
    const image_info = await this.#imageInfo(ctx)
    // The step runs again for the command's outcome only: nothing to build.
    if (typeof ctx.internalInfo.ferrum_agent_command === 'object' || typeof ctx.internalInfo.agent_url !== 'string') return { image_info }
    if (typeof ctx.node.instanceInfo.configdrive === 'object' && ctx.node.instanceInfo.configdrive !== null) ctx.timeline?.phase('config drive')
    const configdrive = await configDriveParam(ctx.node)
    return configdrive === null ? { image_info } : { image_info, configdrive }
  }

  /** get_partition_uuids (recorded as Ironic's root_uuid_or_disk_id), then image.install_bootloader. */
  async #installBootLoader(ctx: DriverContext): Promise<StepResult> {
    if (!pending(ctx)) {
      const c = await executeCommand(endpoint(ctx), 'standby.get_partition_uuids', {}, { wait: true, signal: ctx.signal })
      const r = (c.command_result ?? {}) as { root_uuid?: string | null; efi_system_partition_uuid?: string | null }
      if (c.command_status !== 'SUCCEEDED' || typeof r.root_uuid !== 'string') throw new AgentCommandError(`The agent did not report the root partition of the image it wrote (${commandErrorText(c)}).`, { code: 'AGENT_COMMAND_FAILED' })
      ctx.internalInfo.root_uuid_or_disk_id = r.root_uuid
      ctx.internalInfo.is_whole_disk_image = false
      if (r.efi_system_partition_uuid) ctx.internalInfo.efi_system_partition_uuid = r.efi_system_partition_uuid
    }
    return agentStep(ctx, 'image.install_bootloader', {
      root_uuid: ctx.internalInfo.root_uuid_or_disk_id as string,
      efi_system_partition_uuid: (ctx.internalInfo.efi_system_partition_uuid as string | undefined) ?? null,
      target_boot_mode: ctx.node.bootMode === 'bios' ? 'bios' : 'uefi',
    }, 'installing the boot loader', 'boot loader')
  }

  #interfaces(ctx: DriverContext) {
    if (!ctx.interfaces) throw new DriverError(`node ${ctx.node.uuid}: the direct deploy needs the node's boot and power interfaces`)
    return ctx.interfaces
  }

  /** Its steps boot the instance themselves (prepare_instance_boot, boot_instance). */
  readonly bootsInstance = true

  validate(node: NodeView): void {
    // Checked when deploying (imageInfo); a node without an image can still be cleaned.
    void node
  }

  getProperties(): Readonly<Record<string, string>> {
    return { deploy_kernel: 'Not used by the lab; the deploy kernel for network boots (netboot work).', deploy_ramdisk: 'Not used by the lab; the deploy ramdisk for network boots (netboot work).' }
  }

  getDeploySteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('deploy')
  }

  getCleanSteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('clean')
  }

  executeStep(ctx: DriverContext, step: DriverStep): Promise<StepResult> {
    return this.#steps.execute(ctx, step)
  }

  /** The core step: checks the image, boots the ramdisk and waits for the agent. */
  async deploy(ctx: DriverContext): Promise<StepResult> {
    // With fast track the step's first phase is finding the running agent (else the power-on).
    if (ctx.agent?.fastTrack) ctx.timeline?.phase('fast track')
    imageInfo(ctx.node)
    // A config drive that can't be used fails the deploy now, before the node is powered on.
    checkConfigDrive(ctx.node)
    // Fast track: the agent left running by cleaning takes the image at once.
    if (await fastTrackAgent(ctx)) {
      ctx.log.info({ agentUrl: ctx.internalInfo.agent_url }, 'fast track: reusing the running agent')
      return { done: true }
    }
    await bootRamdisk(ctx)
    return { wait: 'waiting for the deploy agent to boot and call back' }
  }

  /**
   * A heartbeat from the node's agent: `continue` when the node should go on (the agent just came
   * up, or the command in flight finished), `wait` while a command still runs.
   */
  async heartbeat(ctx: DriverContext): Promise<HeartbeatOutcome> {
    const p = pending(ctx)
    if (!p) return 'continue'
    const c = await findCommand(ctx, p.id)
    if (c && c.command_status === 'RUNNING') {
      const progress = (c.command_result as { ferrum_progress?: unknown } | null)?.ferrum_progress
      if (progress) ctx.internalInfo.ferrum_agent_progress = progress
      return 'wait'
    }
    return 'continue'
  }

  /** Called when a clean or service phase finished: the ramdisk goes away. */
  async tearDownRamdisk(ctx: DriverContext): Promise<void> {
    // Fast track leaves the ramdisk up (powered on, its agent heartbeating) for the next deploy;
    // only its network boot set-up goes.
    if (ctx.agent?.fastTrack && typeof ctx.internalInfo.agent_url === 'string') return void (await ctx.interfaces?.boot.cleanUpRamdisk(ctx))
    if (typeof ctx.internalInfo.agent_url === 'string' || ctx.internalInfo.ferrum_ramdisk_params !== undefined) await tearDownRamdisk(ctx)
  }

  async tearDown(ctx: DriverContext): Promise<void> {
    await ctx.interfaces?.power.setPowerState(ctx, 'power off')
  }

  async prepare(_ctx: DriverContext): Promise<void> {}

  /** After tear-down or a failed deploy: the ramdisk is powered off (as Ironic's power_off_after_deploy_failure) and forgotten. */
  async cleanUp(ctx: DriverContext): Promise<void> {
    if (typeof ctx.internalInfo.agent_url === 'string' || ctx.internalInfo.ferrum_ramdisk_params !== undefined) await ctx.interfaces?.power.setPowerState(ctx, 'power off')
    await ctx.interfaces?.boot.cleanUpRamdisk(ctx)
    wipeAgent(ctx.internalInfo)
  }

  async takeOver(_ctx: DriverContext): Promise<void> {}
}
