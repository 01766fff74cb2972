/**
 * Redfish out-of-band inspection (Ironic's redfish inspect interface): CPUs and architecture
 * from the Processors, memory from MemorySummary, local_gb from the storage, and the MACs of the
 * EthernetInterfaces, which the conductor turns into ports.
 */
import { DriverError } from '../../domain/errors.js'
import type {
  ComputerSystem,
  Drive,
  EthernetInterface,
  Processor,
  SimpleStorage,
  Storage,
} from '../../protocols/redfish/resources.js'
import { getMembers } from '../../protocols/redfish/resources.js'
import type { DriverContext } from '../driver-context.js'
import type { InspectInterface, InspectResult } from '../interfaces/inspect.js'
import type { NodeView } from '../node-view.js'
import { RedfishAccess, type RedfishInterfaceOptions } from './redfish-access.js'
import type { SystemHandle } from './redfish-connections.js'
import { REDFISH_PROPERTIES } from './redfish-driver-info.js'

/** Redfish ProcessorArchitecture / InstructionSet → Ironic's cpu_arch. */
export const CPU_ARCH_OF: Readonly<Record<string, string>> = {
  x86: 'x86_64',
  'x86-64': 'x86_64',
  IA64: 'ia64',
  ARM: 'aarch64',
  'ARM-A64': 'aarch64',
  'ARM-A32': 'armv7l',
  MIPS: 'mips',
  MIPS64: 'mips64',
  Power: 'ppc64le',
  PowerISA: 'ppc64le',
  OEM: 'oem',
}

/** Disks smaller than this are ignored for local_gb (Ironic's rule: no room for an image). */
const MIN_DISK_BYTES = 4 * 1024 ** 3

/** Hardware discovery through a Redfish BMC. */
export class RedfishInspect implements InspectInterface {
  readonly kind = 'inspect'
  readonly name: string
  readonly #bmc: RedfishAccess

  constructor(opts: RedfishInterfaceOptions = {}) {
    this.#bmc = new RedfishAccess('inspect', 'redfish', opts)
    this.name = this.#bmc.name
  }

  validate(node: NodeView): void {
    this.#bmc.info(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return REDFISH_PROPERTIES
  }

  /**
   * Reads the system's inventory. Properties it cannot find are left out (and logged) rather
   * than guessed.
   * @throws DriverError FERRUM_INSPECTION_FAILED when not even memory or CPUs can be found
   */
  async inspectHardware(ctx: DriverContext): Promise<InspectResult> {
    const handle = await this.#bmc.system(ctx)
    const sys = handle.system
    const properties: Record<string, unknown> = {}
    const cpu = await this.#cpus(ctx, handle)
    if (cpu.count > 0) properties.cpus = cpu.count
    if (cpu.arch !== undefined) properties.cpu_arch = cpu.arch
    const gib = sys.MemorySummary?.TotalSystemMemoryGiB
    if (typeof gib === 'number' && gib > 0) properties.memory_mb = Math.round(gib * 1024)
    const disk = await this.#smallestDisk(ctx, handle)
    // Ironic reports local_gb one GiB short of the disk, leaving room for the partition table.
    if (disk !== undefined) properties.local_gb = Math.max(0, Math.floor(disk / 1024 ** 3) - 1)
    const mode = sys.Boot?.BootSourceOverrideMode
    if (mode === 'UEFI' || mode === 'Legacy') properties.boot_mode = mode === 'UEFI' ? 'uefi' : 'bios'
    if (properties.memory_mb === undefined && properties.cpus === undefined) {
      throw new DriverError(`Redfish inspection of node ${ctx.node.uuid} found neither memory nor CPUs at ${handle.path}.`, {
        code: 'FERRUM_INSPECTION_FAILED',
      })
    }
    for (const p of ['cpus', 'cpu_arch', 'memory_mb', 'local_gb']) {
      if (properties[p] === undefined) ctx.log.warn({ node: ctx.node.uuid }, `node ${ctx.node.uuid}: Redfish inspection could not determine ${p}`)
    }
    const macAddresses = await this.#macs(ctx, handle)
    return { done: true, updates: { properties }, macAddresses }
  }

  /** Logical CPUs (threads) and architecture, as sushy sums them over the Processors. */
  async #cpus(ctx: DriverContext, handle: SystemHandle): Promise<{ count: number; arch: string | undefined }> {
    const sys: ComputerSystem = handle.system
    let threads = 0
    let arch: string | undefined
    if (sys.Processors !== undefined) {
      const procs = await getMembers<Processor>(handle.client, sys.Processors['@odata.id'], { signal: ctx.signal })
      for (const p of procs) {
        if (p.ProcessorType !== undefined && p.ProcessorType !== 'CPU') continue
        threads += p.TotalThreads ?? p.TotalCores ?? 0
        // The instruction set is the more precise of the two (x86 vs x86-64, ARM vs ARM-A64).
        const key = [p.InstructionSet, p.ProcessorArchitecture].find((k) => k !== undefined && Object.hasOwn(CPU_ARCH_OF, k))
        if (arch === undefined && key !== undefined) arch = CPU_ARCH_OF[key]
      }
    }
    const summary = sys.ProcessorSummary
    const count = threads > 0 ? threads : (summary?.LogicalProcessorCount ?? summary?.Count ?? 0)
    return { count, arch }
  }

  /** Size of the smallest disk of at least 4 GiB, from SimpleStorage and Storage drives. */
  async #smallestDisk(ctx: DriverContext, handle: SystemHandle): Promise<number | undefined> {
    const sizes: number[] = []
    const opts = { signal: ctx.signal }
    const sys = handle.system
    if (sys.SimpleStorage !== undefined) {
      for (const ss of await getMembers<SimpleStorage>(handle.client, sys.SimpleStorage['@odata.id'], opts)) {
        for (const d of ss.Devices ?? []) if (typeof d.CapacityBytes === 'number') sizes.push(d.CapacityBytes)
      }
    }
    if (sizes.length === 0 && sys.Storage !== undefined) {
      for (const st of await getMembers<Storage>(handle.client, sys.Storage['@odata.id'], opts)) {
        for (const link of st.Drives ?? []) {
          const d = (await handle.client.get<Drive>(link['@odata.id'], opts)).body
          if (typeof d.CapacityBytes === 'number') sizes.push(d.CapacityBytes)
        }
      }
    }
    const usable = sizes.filter((s) => s >= MIN_DISK_BYTES).sort((a, b) => a - b)
    return usable[0]
  }

  async #macs(ctx: DriverContext, handle: SystemHandle): Promise<string[]> {
    const link = handle.system.EthernetInterfaces
    if (link === undefined) return []
    const nics = await getMembers<EthernetInterface>(handle.client, link['@odata.id'], { signal: ctx.signal })
    const macs = nics
      .filter((n) => n.Status?.State !== 'Absent')
      .map((n) => n.MACAddress ?? n.PermanentMACAddress)
      .filter((m): m is string => typeof m === 'string' && /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(m))
      .map((m) => m.toLowerCase().replaceAll('-', ':'))
    return [...new Set(macs)]
  }
}
