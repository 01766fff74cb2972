/**
 * What a BMC emulator controls: the machine behind it. The IPMI and Redfish emulators talk to a
 * `LabMachine`; `virtual-node.ts` implements it (power, boot device, hardware facts, faults).
 * Emulators never reach past this interface, so any of them can front any node.
 */
export type LabPowerState = 'on' | 'off'
export type LabBootDevice = 'pxe' | 'disk' | 'cdrom' | 'bios' | 'none'
export type LabBootMode = 'uefi' | 'bios'

export interface LabBootSetting {
  device: LabBootDevice
  /** true = stays until changed; false = applies to the next boot only, then reverts to 'none'. */
  persistent: boolean
  mode: LabBootMode
}

export interface LabDisk {
  name: string
  sizeBytes: number
  path: string
}

export interface LabNic {
  name: string
  mac: string
}

export interface LabHardware {
  cpus: number
  cpuArch: 'x86_64' | 'aarch64'
  cpuModel: string
  memoryMiB: number
  disks: readonly LabDisk[]
  nics: readonly LabNic[]
  serialNumber: string
  manufacturer: string
  model: string
  uuid: string
}

/** Per-BMC fault knobs; the emulators consult them on every request. */
export interface LabBmcFaults {
  /** Drop every request (no answer at all). */
  unreachable: boolean
  /** Probability 0..1 of dropping a request or datagram. */
  packetLoss: number
  /** Added delay before each answer, in ms. */
  latencyMs: number
}

export interface LabMachine {
  readonly name: string
  readonly hardware: LabHardware
  readonly faults: LabBmcFaults
  powerState(): LabPowerState
  powerOn(): Promise<void>
  /** Hard power off. */
  powerOff(): Promise<void>
  /** ACPI shutdown: the OS is asked to stop; the machine is off shortly after. */
  softOff(): Promise<void>
  powerCycle(): Promise<void>
  /** Hard reset (stays on). */
  reset(): Promise<void>
  /** Diagnostic interrupt (NMI). */
  nmi(): Promise<void>
  bootSetting(): LabBootSetting
  setBootSetting(setting: LabBootSetting): void
  /** Virtual media: an inserted image URL (the emulator fetched it) or null. */
  virtualMedia(): { image: string; inserted: boolean } | null
  insertVirtualMedia(image: string, localPath: string): void
  ejectVirtualMedia(): void
}
