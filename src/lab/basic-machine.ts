import type {
  LabBmcFaults,
  LabBootSetting,
  LabHardware,
  LabMachine,
  LabPowerState,
} from './machine.js'

/** Events a machine emits, in order; virtual nodes react to them (start/stop the ramdisk, boot the disk). */
export type MachineEvent =
  | { kind: 'power-on'; bootedFrom: LabBootSetting['device'] }
  | { kind: 'power-off'; soft: boolean }
  | { kind: 'reset'; bootedFrom: LabBootSetting['device'] }
  | { kind: 'nmi' }
  | { kind: 'boot-setting'; setting: LabBootSetting }
  | { kind: 'virtual-media'; image: string | null }

export interface BasicMachineOptions {
  name: string
  hardware: LabHardware
  faults?: Partial<LabBmcFaults>
  /** Called after each state change; errors are the listener's business and are not awaited twice. */
  onEvent?: (ev: MachineEvent) => void | Promise<void>
}

/**
 * A machine with power and boot state and nothing running on it. It honours one-time boot
 * overrides: after a power-on or reset consumes a non-persistent setting, the device reverts to
 * 'none' (the firmware's own boot order). VirtualNode builds on it by listening to its events.
 */
export class BasicMachine implements LabMachine {
  readonly name: string
  readonly hardware: LabHardware
  readonly faults: LabBmcFaults
  #power: LabPowerState = 'off'
  #boot: LabBootSetting = { device: 'none', persistent: false, mode: 'uefi' }
  #media: { image: string; inserted: boolean; localPath: string } | null = null
  readonly #onEvent: BasicMachineOptions['onEvent']
  /** Device used by the most recent power-on/reset, for status displays and tests. */
  lastBootDevice: LabBootSetting['device'] | null = null

  constructor(opts: BasicMachineOptions) {
    this.name = opts.name
    this.hardware = opts.hardware
    this.faults = { unreachable: false, packetLoss: 0, latencyMs: 0, ...opts.faults }
    this.#onEvent = opts.onEvent
  }

  powerState(): LabPowerState {
    return this.#power
  }

  async powerOn(): Promise<void> {
    if (this.#power === 'on') return
    this.#power = 'on'
    await this.#emit({ kind: 'power-on', bootedFrom: this.#consumeBootDevice() })
  }

  async powerOff(): Promise<void> {
    if (this.#power === 'off') return
    this.#power = 'off'
    await this.#emit({ kind: 'power-off', soft: false })
  }

  /** The machine went off by itself (a VM whose guest powered off): the state follows, no event. */
  notePoweredOff(): void {
    this.#power = 'off'
  }

  async softOff(): Promise<void> {
    if (this.#power === 'off') return
    this.#power = 'off'
    await this.#emit({ kind: 'power-off', soft: true })
  }

  async powerCycle(): Promise<void> {
    await this.powerOff()
    await this.powerOn()
  }

  async reset(): Promise<void> {
    if (this.#power === 'off') {
      await this.powerOn()
      return
    }
    await this.#emit({ kind: 'reset', bootedFrom: this.#consumeBootDevice() })
  }

  async nmi(): Promise<void> {
    await this.#emit({ kind: 'nmi' })
  }

  bootSetting(): LabBootSetting {
    return { ...this.#boot }
  }

  setBootSetting(setting: LabBootSetting): void {
    this.#boot = { ...setting }
    void this.#emit({ kind: 'boot-setting', setting: { ...setting } })
  }

  virtualMedia(): { image: string; inserted: boolean } | null {
    return this.#media ? { image: this.#media.image, inserted: this.#media.inserted } : null
  }

  /** Local copy of the inserted image, or null. */
  virtualMediaPath(): string | null {
    return this.#media?.localPath ?? null
  }

  insertVirtualMedia(image: string, localPath: string): void {
    this.#media = { image, inserted: true, localPath }
    void this.#emit({ kind: 'virtual-media', image })
  }

  ejectVirtualMedia(): void {
    this.#media = null
    void this.#emit({ kind: 'virtual-media', image: null })
  }

  /** The device this boot uses; a one-time override is used up by it. */
  #consumeBootDevice(): LabBootSetting['device'] {
    const dev = this.#boot.device
    if (!this.#boot.persistent) this.#boot = { ...this.#boot, device: 'none' }
    this.lastBootDevice = dev
    return dev
  }

  async #emit(ev: MachineEvent): Promise<void> {
    if (this.#onEvent) await this.#onEvent(ev)
  }
}

/** A small default hardware description for tests and the lab. */
export function defaultHardware(overrides: Partial<LabHardware> = {}): LabHardware {
  return {
    cpus: 4,
    cpuArch: 'x86_64',
    cpuModel: 'Ferrum Lab vCPU',
    memoryMiB: 8192,
    disks: [],
    nics: [{ name: 'eth0', mac: '52:54:00:12:34:56' }],
    serialNumber: 'LAB0001',
    manufacturer: 'Ferrum Lab',
    model: 'Virtual Node',
    uuid: '8d9f1f3e-5b3a-4c6e-9a1b-2f4e6c8d0a12',
    ...overrides,
  }
}
