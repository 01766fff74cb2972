/**
 * A virtual node's description (CPUs, memory, disks, NICs, boot mode), its deterministic
 * identity (MACs, UUID, serial from the node index and name) and what it is doing, as shown by
 * `ferrum lab status`.
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { LabBootMode, LabBootSetting, LabHardware, LabPowerState } from './machine.js'
import type { PartitionTableType } from './lab-os-image.js'
import type { RamdiskBootSource } from './backends/ramdisk-backend.js'

export const GiB = 1024 ** 3

export interface VirtualNodeSpec {
  name: string
  /** 1-based position in the lab; the MACs are derived from it. */
  index: number
  cpus: number
  memoryMiB: number
  cpuArch: LabHardware['cpuArch']
  /** One sparse raw file per entry, in bytes. */
  diskSizes: readonly number[]
  nicCount: number
  bootMode: LabBootMode
}

export const DEFAULT_SPEC: Omit<VirtualNodeSpec, 'name' | 'index'> = {
  cpus: 4,
  memoryMiB: 4096,
  cpuArch: 'x86_64',
  diskSizes: [10 * GiB],
  nicCount: 2,
  bootMode: 'uefi',
}

/** Faults one node can be given; the BMC ones are honoured by the emulators. */
export interface NodeFaults {
  bmcUnreachable: boolean
  /** Probability 0..1 that the BMC drops a request. */
  packetLoss: number
  /** Delay before each BMC answer, in ms. */
  latencyMs: number
  /** Kill the ramdisk this many ms after it starts (0: at once); null: never. */
  ramdiskCrashAfterMs: number | null
  /** Disk files are made read-only and FERRUM_LAB_FAULTS tells the agent to fail its writes. */
  diskWriteErrors: boolean
}

export const NO_FAULTS: NodeFaults = { bmcUnreachable: false, packetLoss: 0, latencyMs: 0, ramdiskCrashAfterMs: null, diskWriteErrors: false }

/** `52:54:00:a<nic>:<index hi>:<index lo>`: the QEMU/KVM prefix, unique per node index and NIC. */
export function labMac(nodeIndex: number, nicIndex: number): string {
  if (!Number.isInteger(nodeIndex) || nodeIndex < 0 || nodeIndex > 0xffff) throw new RangeError(`node index must be 0..65535 (got ${nodeIndex})`)
  if (!Number.isInteger(nicIndex) || nicIndex < 0 || nicIndex > 0xf) throw new RangeError(`NIC index must be 0..15 (got ${nicIndex})`)
  const hex = (n: number) => n.toString(16).padStart(2, '0')
  return `52:54:00:${hex(0xa0 + nicIndex)}:${hex(nodeIndex >> 8)}:${hex(nodeIndex & 0xff)}`
}

/** A stable UUID for a node name, so a lab restarted in the same directory keeps its identities. */
export function labUuid(name: string): string {
  const h = createHash('sha256').update(`ferrum-lab:${name}`).digest('hex')
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** The LabHardware the BMC emulators report for a spec whose files live in `dir`. */
export function hardwareFor(spec: VirtualNodeSpec, dir: string): LabHardware {
  return {
    cpus: spec.cpus,
    cpuArch: spec.cpuArch,
    cpuModel: 'Ferrum Lab vCPU',
    memoryMiB: spec.memoryMiB,
    disks: spec.diskSizes.map((sizeBytes, i) => ({ name: `disk${i}`, sizeBytes, path: join(dir, `disk${i}.raw`) })),
    nics: Array.from({ length: spec.nicCount }, (_, i) => ({ name: `eth${i}`, mac: labMac(spec.index, i) })),
    serialNumber: `FLAB${String(spec.index).padStart(5, '0')}`,
    manufacturer: 'Ferrum Lab',
    model: 'Virtual Node',
    uuid: labUuid(spec.name),
  }
}

/** What runs on a node right now. */
export type NodeActivity =
  | { state: 'off' }
  | { state: 'ramdisk'; boot: RamdiskBootSource; pid: number | null }
  | { state: 'ramdisk-exited'; boot: RamdiskBootSource; pid: number | null; code: number | null; signal: string | null; crashed: boolean }
  | { state: 'no-ramdisk'; boot: RamdiskBootSource; reason: string }
  | { state: 'os'; disk: string; partitionTable: PartitionTableType; osName: string }
  | { state: 'ramdisk-os'; kernel: string; osName: string; iso?: string }
  | { state: 'no-bootable-device'; reason: string }
  | { state: 'firmware-setup' }
  | { state: 'vm'; boot: 'pxe' | 'disk' | 'cdrom'; pid: number; console: string }
  | { state: 'vm-off'; code: number | null; signal: string | null }

/** One line for tables and logs. */
export function describeActivity(a: NodeActivity): string {
  switch (a.state) {
    case 'off':
      return 'off'
    case 'ramdisk':
      return `ramdisk (${a.boot}) pid ${a.pid ?? '-'}`
    case 'ramdisk-exited':
      return a.crashed
        ? `ramdisk crashed (injected fault; pid ${a.pid ?? '-'})`
        : `ramdisk exited (pid ${a.pid ?? '-'}, ${a.signal ? `signal ${a.signal}` : `code ${a.code}`})`
    case 'no-ramdisk':
      return `${a.reason} (${a.boot} boot)`
    case 'os':
      return `booted from disk: ${a.osName} (${a.partitionTable.toUpperCase()}, ${a.disk})`
    case 'ramdisk-os':
      return a.iso !== undefined ? `booted from virtual CD: ${a.osName} (ramdisk instance, ISO ${a.iso})` : `booted from the network: ${a.osName} (ramdisk instance, kernel ${a.kernel})`
    case 'no-bootable-device':
      return `no bootable device: ${a.reason}`
    case 'firmware-setup':
      return 'in firmware setup'
    case 'vm':
      return `VM running (QEMU pid ${a.pid}, booted from ${a.boot}); serial console ${a.console}`
    case 'vm-off':
      return `VM powered itself off (QEMU ${a.signal ? `signal ${a.signal}` : `exit code ${a.code}`})`
  }
}

export interface VirtualNodeStatus {
  name: string
  power: LabPowerState
  boot: LabBootSetting
  /** Device the last power-on or reset used. */
  lastBootDevice: LabBootSetting['device'] | null
  activity: NodeActivity
  summary: string
  faults: NodeFaults
  media: { image: string; path: string | null } | null
  macs: string[]
  disks: string[]
  logPath: string
  boots: number
}
