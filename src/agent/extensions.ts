/**
 * The agent's commands, under Ironic Python Agent's names: `standby.*` writes images,
 * `clean.*` lists and runs clean steps, `system.*` reports the inventory, `rescue.finalize_rescue`
 * installs the rescue password. Each command checks its
 * parameters before anything starts.
 */
import { join } from 'node:path'
import { mkdir, writeFile } from 'node:fs/promises'
import { encrypt } from 'unixcrypt'
import { configDriveBytes, writeConfigDrive } from './configdrive.js'
import { installLabBootLoader, makePartitions, type MadePartitions } from './partition-image.js'
import { executionError, AgentError, type CommandParams, type CommandRunner, type CommandSpec } from './commands.js'
import { collectInventory, pickRootDisk, type Inventory, type RootDeviceHints } from './inventory.js'
import { spawn } from 'node:child_process'
import { mapProblem, type ImageMap } from '../common/image-map.js'
import { eraseDevice, eraseMetadata, writeImage, type WriteProgress } from './image-writer.js'

/** What the extensions share with the agent. */
export interface AgentState {
  readonly root: string
  readonly failDiskWrites: boolean
  /** The node as the lookup answered it (properties.root_device holds the hints). */
  node: Record<string, unknown> | null
  /** Progress of the image being written, for heartbeats and the command list. */
  progress: (WriteProgress & { readonly startedAt: number; readonly finishedAt?: number; readonly phase: 'writing' | 'done' }) | null
  log(line: string): void
  /** The rescue password is installed: stop calling home and serving commands (IPA's serve_api = False). */
  enterRescue(): void
}

/** Ironic's hardware manager name for the generic clean steps. */
const HW_MANAGER = 'GenericHardwareManager'
const HW_MANAGER_VERSION = '1.1'

const CLEAN_STEPS = [
  { step: 'erase_devices_metadata', priority: 99, interface: 'deploy', reboot_requested: false, abortable: true },
  { step: 'erase_devices', priority: 10, interface: 'deploy', reboot_requested: false, abortable: true },
] as const

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', `${what} must be an object`)
  return v as Record<string, unknown>
}

/** Opens a block device named as the system names it, under the agent's root. */
function devicePath(state: AgentState, name: string): string {
  return join(state.root, name)
}

async function rootDisk(state: AgentState, node: Record<string, unknown> | null): Promise<{ name: string; size: number; inventory: Inventory }> {
  const inventory = await collectInventory(state.root)
  const props = (node?.properties ?? {}) as Record<string, unknown>
  try {
    const disk = pickRootDisk(inventory.disks, (props.root_device ?? null) as RootDeviceHints | null)
    return { name: disk.name, size: disk.size, inventory }
  } catch (e) {
    throw executionError((e as Error).message)
  }
}

function validateImageInfo(p: CommandParams): void {
  const info = obj(p.image_info, '"image_info"')
  const urls = info.urls
  if (!Array.isArray(urls) || urls.length === 0 || urls.some((u) => typeof u !== 'string')) throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', 'image_info.urls must be a non-empty list of URLs')
  const format = info.disk_format ?? 'raw'
  if (format !== 'raw') throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', `disk_format "${String(format)}" is not supported by the Ferrum agent; serve a raw image (qemu-img convert -O raw)`)
  if (info.image_type === 'partition' && !(typeof info.root_mb === 'number' && info.root_mb > 0)) {
    throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', 'a partition image needs image_info.root_mb, the root partition size in MiB')
  }
  if (info.ferrum_image_map !== undefined) {
    const problem = mapProblem(info.ferrum_image_map)
    if (problem) throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', problem)
  }
  if (p.configdrive !== undefined && p.configdrive !== null && typeof p.configdrive !== 'string') {
    throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', 'configdrive must be a URL or a gzipped, base64-encoded ISO 9660 image')
  }
}

/** Registers every extension on `runner`. */
export function registerExtensions(runner: CommandRunner, state: AgentState): void {
  let lastImage: { id: string; device: string; partitions: MadePartitions | null } | null = null
  const standby: Record<string, CommandSpec> = {
    prepare_image: {
      async: true,
      validate: validateImageInfo,
      async run(p, signal) {
        const info = p.image_info as Record<string, unknown>
        const disk = await rootDisk(state, state.node)
        if (state.failDiskWrites) throw executionError(`writing to ${disk.name} failed: Input/output error (lab fault diskWriteErrors)`)
        const algo = typeof info.os_hash_algo === 'string' ? info.os_hash_algo : typeof info.checksum === 'string' && /^[0-9a-f]{32}$/i.test(info.checksum) ? 'md5' : null
        const value = typeof info.os_hash_value === 'string' ? info.os_hash_value : algo === 'md5' ? String(info.checksum) : null
        const url = (info.urls as string[])[0]
        // A partition image: the agent partitions the disk, then writes the root partition.
        let parts: MadePartitions | null = null
        if (info.image_type === 'partition') {
          const bootMode = info.deploy_boot_mode === 'bios' ? 'bios' : 'uefi'
          const label = info.disk_label === 'gpt' ? 'gpt' : info.disk_label === 'msdos' ? 'dos' : undefined
          try {
            parts = await makePartitions(devicePath(state, disk.name), disk.size, { bootMode, label, rootMiB: info.root_mb as number, swapMiB: typeof info.swap_mb === 'number' ? info.swap_mb : 0, ephemeralMiB: typeof info.ephemeral_mb === 'number' ? info.ephemeral_mb : 0, ephemeralFormat: typeof info.ephemeral_format === 'string' ? info.ephemeral_format : undefined }, disk.name, state.root !== '/')
          } catch (e) {
            throw executionError((e as Error).message)
          }
          state.log(`partitioned ${disk.name} (${parts.label}): root partition ${parts.root.number}${parts.efi ? `, EFI ${parts.efi.number}` : ''}${parts.swap ? `, swap ${parts.swap.number}` : ''}${parts.ephemeral ? `, ephemeral ${parts.ephemeral.number} (file system labelled ephemeral0)` : ''}`)
        }
        const target = parts ? `${disk.name} partition ${parts.root.number}` : disk.name
        state.log(`writing image ${String(info.id ?? url)} to ${target}`)
        const startedAt = Date.now()
        state.progress = { bytes: 0, total: null, startedAt, phase: 'writing' }
        try {
          const r = await writeImage({ url, hashAlgo: algo, hashValue: value }, devicePath(state, disk.name), {
            signal,
            deviceSize: parts ? parts.root.sizeBytes : disk.size,
            deviceName: target,
            offset: parts?.root.startBytes,
            onProgress: (pr) => (state.progress = { ...pr, startedAt, phase: 'writing' }),
            map: info.ferrum_image_map as ImageMap | undefined,
          })
          state.log(`wrote ${r.bytes} bytes (${r.written} written, the rest ${r.mapped ? 'holes the image map named, not fetched' : 'zeros left as holes'}) to ${target}${r.hash ? r.mapped ? `, data sha256 ${r.hash} as the image map says` : `, ${algo} ${r.hash}` : ''}`)
          // Kept for the finished command's result: how much the write moved, however fast it was.
          state.progress = { bytes: r.bytes, total: r.bytes, startedAt, finishedAt: Date.now(), phase: 'done' }
        } catch (e) {
          throw executionError((e as Error).message)
        }
        lastImage = { id: String(info.id ?? url), device: disk.name, partitions: parts }
        if (typeof p.configdrive === 'string' && p.configdrive !== '') {
          try {
            const iso = await configDriveBytes(p.configdrive, signal)
            const cd = await writeConfigDrive(devicePath(state, disk.name), disk.size, iso, disk.name)
            state.log(`wrote the config drive (${cd.bytes} bytes) to ${disk.name} partition ${cd.partition}${cd.created ? ' (created, label config-2)' : ''}`)
          } catch (e) {
            throw executionError((e as Error).message)
          }
        }
        return `image (${lastImage.id}) written to device ${target} `
      },
    },
    get_partition_uuids: {
      async: false,
      // A whole-disk image carries its own partitions; for a partition image, the ones the agent made.
      run: async () => {
        if (!lastImage) return {}
        const p = lastImage.partitions
        if (!p) return { root_uuid: null, efi_system_partition_uuid: null, partitions: {} }
        const partitions: Record<string, string> = { root: `${lastImage.device}${p.root.number}` }
        if (p.efi) partitions.efi_system_partition = `${lastImage.device}${p.efi.number}`
        if (p.swap) partitions.swap = `${lastImage.device}${p.swap.number}`
        if (p.ephemeral) partitions.ephemeral = `${lastImage.device}${p.ephemeral.number}`
        return { root_uuid: p.root.uuid, efi_system_partition_uuid: p.efi?.uuid ?? null, partitions }
      },
    },
    sync: { async: false, run: async () => 'sync completed' },
    // Ironic's tear_down_agent asks the ramdisk to power itself off. On a real system the agent
    // runs poweroff; under a lab root it ends its own process (the lab's BMC still powers off).
    power_off: {
      async: false,
      run: async () => {
        state.log('powering off on request')
        setTimeout(() => {
          if (state.root === '/') spawn('poweroff', { stdio: 'ignore', detached: true }).unref()
          else process.kill(process.pid, 'SIGTERM')
        }, 500).unref()
        return null
      },
    },
  }
  const clean: Record<string, CommandSpec> = {
    get_clean_steps: {
      async: false,
      run: async () => ({ clean_steps: { [HW_MANAGER]: CLEAN_STEPS }, hardware_manager_version: { [HW_MANAGER]: HW_MANAGER_VERSION } }),
    },
    execute_clean_step: {
      async: true,
      validate: (p) => {
        const step = obj(p.step, '"step"')
        if (!CLEAN_STEPS.some((s) => s.step === step.step)) throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', `unknown clean step "${String(step.step)}" (known: ${CLEAN_STEPS.map((s) => s.step).join(', ')})`)
      },
      async run(p) {
        const step = p.step as Record<string, unknown>
        const inventory = await collectInventory(state.root)
        if (state.failDiskWrites) throw executionError('erasing disks failed: Input/output error (lab fault diskWriteErrors)')
        for (const d of inventory.disks) {
          if (step.step === 'erase_devices') {
            await eraseDevice(devicePath(state, d.name), d.size)
          } else {
            await eraseMetadata(devicePath(state, d.name), d.size)
          }
          state.log(`${String(step.step)}: ${d.name} erased`)
        }
        return { clean_result: null, clean_step: step }
      },
    },
  }
  const system: Record<string, CommandSpec> = {
    get_inventory: { async: false, run: async () => ({ inventory: await collectInventory(state.root) }) },
  }
  // Ironic's conductor asks the agent for its deploy steps and runs `write_image` through
  // deploy.execute_deploy_step (priority 0: only when the conductor's own step asks for it).
  const DEPLOY_STEPS = [{ step: 'write_image', priority: 0, interface: 'deploy', reboot_requested: false, argsinfo: null }]
  const deploy: Record<string, CommandSpec> = {
    get_deploy_steps: {
      async: false,
      run: async () => ({ deploy_steps: { [HW_MANAGER]: DEPLOY_STEPS }, hardware_manager_version: { [HW_MANAGER]: HW_MANAGER_VERSION } }),
    },
    execute_deploy_step: {
      async: true,
      validate: (p) => {
        const step = obj(p.step, '"step"')
        if (step.step !== 'write_image') throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', `unknown deploy step "${String(step.step)}" (known: write_image)`)
        validateImageInfo(obj(step.args ?? {}, '"step.args"'))
      },
      async run(p, signal) {
        const step = p.step as Record<string, unknown>
        const args = step.args as Record<string, unknown>
        await standby.prepare_image!.run({ image_info: args.image_info, configdrive: args.configdrive }, signal)
        return { deploy_result: null, deploy_step: step }
      },
    },
  }
  // Ironic's prepare_instance_boot asks the agent to install the boot loader. A whole-disk image
  // carries its own, and this agent writes no UEFI boot entries (there is no NVRAM to write in the
  // lab): it says so and succeeds, as IPA does for whole-disk images without software RAID.
  const image: Record<string, CommandSpec> = {
    install_bootloader: {
      async: true,
      run: async (p) => {
        if (p.root_uuid) {
          const parts = lastImage?.partitions
          if (!lastImage || !parts || parts.root.uuid !== String(p.root_uuid).toLowerCase()) throw executionError(`no partition with root_uuid ${String(p.root_uuid)} was written by this agent`)
          // On a real disk this is grub-install in the root partition, which this agent does not carry yet.
          if (state.root === '/') throw executionError('installing a boot loader into a partition image on a real disk needs grub-install, which the Ferrum agent does not run yet; deploy a whole-disk image')
          try {
            const os = await installLabBootLoader(devicePath(state, lastImage.device), parts.root.startBytes, lastImage.device)
            state.log(`install_bootloader: installed the boot loader of ${os} from partition ${parts.root.number} on ${lastImage.device} (target boot mode ${String(p.target_boot_mode ?? 'unknown')})`)
          } catch (e) {
            throw executionError((e as Error).message)
          }
          return null
        }
        state.log(`install_bootloader: whole-disk image${lastImage ? ` on ${lastImage.device}` : ''} boots with its own boot loader (target boot mode ${String(p.target_boot_mode ?? 'unknown')})`)
        return null
      },
    },
  }
  // Rescue: the conductor hands over the rescue password (hashed, as Ironic sends it since
  // IPA 6.x) for the ramdisk's `rescue` user; IPA keeps it in /etc/ipa-rescue-config.
  const rescue: Record<string, CommandSpec> = {
    finalize_rescue: {
      async: false,
      validate: (p) => {
        if (typeof p.rescue_password !== 'string' || p.rescue_password === '') throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', 'rescue_password is required')
      },
      run: async (p) => {
        const password = p.rescue_password as string
        const hash = p.hashed === true ? password : encrypt(password)
        const dir = join(state.root, 'etc', 'ipa-rescue-config')
        await mkdir(dir, { recursive: true })
        await writeFile(join(dir, 'ipa-rescue-password'), hash, { mode: 0o600 })
        state.log('rescue: password installed for the rescue user; no longer calling home')
        state.enterRescue()
        return null
      },
    },
  }
  runner.register('rescue', rescue)
  runner.register('image', image)
  runner.register('standby', standby)
  runner.register('clean', clean)
  runner.register('deploy', deploy)
  runner.register('system', system)
}
