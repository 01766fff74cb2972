import { appendFile, chmod, mkdir, open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BasicMachine, type MachineEvent } from './basic-machine.js'
import type { LabBootSetting } from './machine.js'
import { BOOT_SCAN_BYTES, inspectBootDisk, markerOf, readBootHead } from './lab-os-image.js'
import { writeLabSysroot } from './lab-sysroot.js'
import { pxeBoot, setStaticAddress } from './netns/firmware.js'
import type { QemuVm } from './qemu/qemu-vm.js'
import type { RamdiskBackend, RamdiskBootSource, RamdiskContext, RunningRamdisk } from './backends/ramdisk-backend.js'
import {
  DEFAULT_SPEC,
  NO_FAULTS,
  describeActivity,
  hardwareFor,
  type NodeActivity,
  type NodeFaults,
  type VirtualNodeSpec,
  type VirtualNodeStatus,
} from './virtual-node-spec.js'

export interface VirtualNodeOptions {
  spec: Pick<VirtualNodeSpec, 'name' | 'index'> & Partial<VirtualNodeSpec>
  /** The node's own directory: disk files and `console.log` live here. */
  dir: string
  backend: RamdiskBackend
  faults?: Partial<NodeFaults>
  /**
   * The boot server a PXE boot asks for its configuration (`<bootUrl>/pxelinux.cfg/01-<mac>`,
   * over HTTP, as iPXE would). Set: a node without a configuration gets no ramdisk, and the
   * kernel command line of the one it gets becomes the ramdisk's /proc/cmdline. Unset: the
   * ramdisk starts with what FERRUM_LAB_* and the lab's environment tell it.
   */
  bootUrl?: string
}

/** A netns node's namespace, NICs (in MAC order) and the fixed address a virtual-media boot uses. */
export interface NodeNetwork {
  netns: string
  ifaces: string[]
  staticAddress: string
}

/** What a ramdisk learns about the node's BMC (FERRUM_LAB_BMC). */
export interface NodeBmcInfo {
  kind: 'ipmi' | 'redfish' | 'idrac'
  address: string
  port: number
  username: string
  password: string
  /** Redfish: base URL and system path (`/redfish/v1/Systems/<id>`). */
  url?: string
  systemPath?: string
}

/**
 * A virtual node: a BasicMachine (power, boot override, virtual media) whose power-on and reset
 * really boot something. PXE or virtual CD boots run the deploy ramdisk through a backend; disk
 * boots check the first disk for a lab OS image (partition table + `FERRUM-LAB-OS` marker).
 * Everything it does goes to an append-only log, `DIR/console.log`.
 *
 * @example
 * const node = await VirtualNode.create({ spec: { name: 'n1', index: 1 }, dir, backend: new ProcessBackend({ command: null }) })
 * node.machine.setBootSetting({ device: 'disk', persistent: true, mode: 'uefi' })
 * await node.machine.powerOn()   // node.status().summary: "no bootable device: …"
 */
export class VirtualNode {
  readonly spec: VirtualNodeSpec
  readonly dir: string
  readonly logPath: string
  readonly machine: BasicMachine
  readonly #backend: RamdiskBackend
  readonly #bootUrl: string | null
  #faults: NodeFaults
  #activity: NodeActivity = { state: 'off' }
  #ramdisk: RunningRamdisk | null = null
  #crashTimer: NodeJS.Timeout | null = null
  #crashing = false
  #queue: Promise<void> = Promise.resolve()
  #boots = 0
  #logFailed = false
  bmc: NodeBmcInfo | null = null
  /**
   * The node's place on a netns lab network (lab-network.ts): set, a PXE boot is a real one from
   * the node's namespace (netns/firmware.ts) and the ramdisk runs in that namespace.
   */
  network: NodeNetwork | null = null
  /** The qemu backend: set, the node is this VM; power-on starts it, power-off ends it. */
  vm: QemuVm | null = null

  /** The system tree the ramdisk sees as its root (lab-sysroot.ts), rewritten at every ramdisk boot. */
  get sysroot(): string {
    return join(this.dir, 'sysroot')
  }

  /** Creates the node directory and the sparse disk files (existing disks keep their content). */
  static async create(opts: VirtualNodeOptions): Promise<VirtualNode> {
    const node = new VirtualNode(opts)
    await mkdir(node.dir, { recursive: true })
    for (const disk of node.machine.hardware.disks) {
      const fh = await open(disk.path, 'a')
      try {
        await fh.truncate(disk.sizeBytes)
      } finally {
        await fh.close()
      }
    }
    await node.#log(`created: ${node.spec.cpus} CPUs, ${node.spec.memoryMiB} MiB, ${node.spec.diskSizes.length} disk(s), MACs ${node.macs.join(' ')}`)
    await node.setFaults(node.#faults)
    node.machine.setBootSetting({ device: 'none', persistent: false, mode: node.spec.bootMode })
    return node
  }

  private constructor(opts: VirtualNodeOptions) {
    this.spec = { ...DEFAULT_SPEC, ...opts.spec }
    this.dir = opts.dir
    this.logPath = join(opts.dir, 'console.log')
    this.#backend = opts.backend
    this.#bootUrl = opts.bootUrl ? opts.bootUrl.replace(/\/+$/, '') : null
    this.#faults = { ...NO_FAULTS, ...opts.faults }
    this.machine = new BasicMachine({
      name: this.spec.name,
      hardware: hardwareFor(this.spec, opts.dir),
      onEvent: (ev) => this.#onEvent(ev),
    })
  }

  get name(): string {
    return this.spec.name
  }

  get macs(): string[] {
    return this.machine.hardware.nics.map((n) => n.mac)
  }

  get diskPaths(): string[] {
    return this.machine.hardware.disks.map((d) => d.path)
  }

  get faults(): NodeFaults {
    return { ...this.#faults }
  }

  status(): VirtualNodeStatus {
    const media = this.machine.virtualMedia()
    return {
      name: this.name,
      power: this.machine.powerState(),
      boot: this.machine.bootSetting(),
      lastBootDevice: this.machine.lastBootDevice,
      activity: { ...this.#activity },
      summary: describeActivity(this.#activity),
      faults: this.faults,
      media: media ? { image: media.image, path: this.machine.virtualMediaPath() } : null,
      macs: this.macs,
      disks: this.diskPaths,
      logPath: this.logPath,
      boots: this.#boots,
    }
  }

  /** Waits until every power transition asked for so far has finished. */
  async settled(): Promise<void> {
    await this.#queue
  }

  /**
   * Changes fault knobs. BMC faults take effect on the next request; a crash delay applies to a
   * running ramdisk from now; disk write errors flip the disk files' mode (0444 / 0644).
   */
  async setFaults(patch: Partial<NodeFaults>): Promise<NodeFaults> {
    const next = { ...this.#faults, ...patch }
    if (typeof next.bmcUnreachable !== 'boolean') throw new TypeError('bmcUnreachable must be true or false')
    if (typeof next.packetLoss !== 'number' || !(next.packetLoss >= 0 && next.packetLoss <= 1)) throw new RangeError('packetLoss must be a number from 0 to 1')
    if (!Number.isInteger(next.latencyMs) || next.latencyMs < 0) throw new RangeError('latencyMs must be a whole number of ms, 0 or more')
    if (next.ramdiskCrashAfterMs !== null && (!Number.isInteger(next.ramdiskCrashAfterMs) || next.ramdiskCrashAfterMs < 0)) {
      throw new RangeError('ramdiskCrashAfterMs must be null or a whole number of ms, 0 or more')
    }
    if (typeof next.diskWriteErrors !== 'boolean') throw new TypeError('diskWriteErrors must be true or false')
    const before = this.#faults
    this.#faults = next
    const f = this.machine.faults
    f.unreachable = next.bmcUnreachable
    f.packetLoss = next.packetLoss
    f.latencyMs = next.latencyMs
    for (const path of this.diskPaths) await chmod(path, next.diskWriteErrors ? 0o444 : 0o644)
    if (next.ramdiskCrashAfterMs !== before.ramdiskCrashAfterMs && this.#ramdisk) this.#armCrash(this.#ramdisk)
    if (JSON.stringify(before) !== JSON.stringify(next)) await this.#log(`faults: ${JSON.stringify(next)}`)
    return this.faults
  }

  /** Powers off (stopping the ramdisk) and waits for it. */
  async close(): Promise<void> {
    await this.machine.powerOff()
    await this.#queue
  }

  #onEvent(ev: MachineEvent): Promise<void> {
    switch (ev.kind) {
      case 'power-on':
        return this.#enqueue(() => this.#boot(ev.bootedFrom, 'power on'))
      case 'reset':
        return this.#enqueue(async () => {
          await this.#halt('reset')
          await this.#boot(ev.bootedFrom, 'reset')
        })
      case 'power-off':
        return this.#enqueue(async () => {
          await this.#halt(ev.soft ? 'soft power off' : 'power off')
          this.#activity = { state: 'off' }
          await this.#log(ev.soft ? 'soft power off: off' : 'power off: off')
        })
      case 'nmi':
        return this.#enqueue(() => this.#log('NMI received'))
      case 'boot-setting':
        return this.#enqueue(() => this.#log(`boot device set: ${describeBoot(ev.setting)}`))
      case 'virtual-media':
        return this.#enqueue(() => this.#log(ev.image ? `virtual media inserted: ${ev.image}` : 'virtual media ejected'))
    }
  }

  /** Power transitions run one at a time, in the order the BMC asked for them. */
  #enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #boot(requested: LabBootSetting['device'], why: string): Promise<void> {
    this.#boots++
    let device = requested
    if (device === 'cdrom' && !this.machine.virtualMediaPath()) {
      await this.#log(`${why}: boot from virtual CD asked for but no media is inserted; falling back to disk`)
      device = 'disk'
    }
    if (device === 'none') device = 'disk' // the firmware's own order: the first disk
    await this.#log(`${why}: booting from ${device}${requested !== device ? ` (asked: ${requested})` : ''}`)
    if (this.vm !== null) {
      await this.#startVm(this.vm, device === 'bios' ? 'disk' : device)
    } else if (device === 'bios') {
      this.#activity = { state: 'firmware-setup' }
    } else if (device === 'pxe' || device === 'cdrom') {
      await this.#startRamdisk(device)
    } else {
      await this.#bootDisk()
    }
    await this.#log(`${why}: ${describeActivity(this.#activity)}`)
  }

  async #startVm(vm: QemuVm, device: 'pxe' | 'disk' | 'cdrom'): Promise<void> {
    try {
      const pid = await vm.start(device, device === 'cdrom' ? this.machine.virtualMediaPath() : null, (exit) => {
        this.machine.notePoweredOff()
        this.#activity = { state: 'vm-off', code: exit.code, signal: exit.signal }
        void this.#log(describeActivity(this.#activity))
      })
      this.#activity = { state: 'vm', boot: device, pid, console: vm.opts.consolePath }
    } catch (err) {
      this.#activity = { state: 'no-bootable-device', reason: (err as Error).message }
    }
  }

  async #bootDisk(): Promise<void> {
    const disk = this.machine.hardware.disks[0]
    if (!disk) {
      this.#activity = { state: 'no-bootable-device', reason: 'the node has no disk' }
      return
    }
    const found = await inspectBootDisk(disk.path)
    this.#activity = found.bootable
      ? { state: 'os', disk: disk.name, partitionTable: found.partitionTable, osName: found.osName }
      : { state: 'no-bootable-device', reason: `${disk.name}: ${found.reason}` }
  }

  async #startRamdisk(boot: RamdiskBootSource): Promise<void> {
    const unavailable = this.#backend.unavailableReason
    if (unavailable !== null) {
      this.#activity = { state: 'no-ramdisk', boot, reason: unavailable }
      return
    }
    let ramdisk: RunningRamdisk
    try {
      // A CD that carries a lab OS marker is an instance ISO (a ramdisk deploy's boot_iso): the
      // node runs that OS instead of the agent.
      const media = boot === 'cdrom' ? this.machine.virtualMediaPath() : null
      const isoOs = media !== null ? await this.#isoOsName(media) : null
      if (isoOs !== null) {
        const iso = this.machine.virtualMedia()?.image ?? media!
        this.#activity = { state: 'ramdisk-os', kernel: iso, osName: isoOs, iso }
        return
      }
      await writeLabSysroot(this.sysroot, this.machine.hardware, { name: this.name, bootMode: this.machine.bootSetting().mode })
      let address: string | null = null
      if (boot === 'pxe' && this.network !== null) {
        const answer = await this.#netBoot(this.network)
        if ('reason' in answer) {
          this.#activity = { state: 'no-ramdisk', boot, reason: answer.reason }
          return
        }
        const osName = answer.initrdPath ? markerOf(await readBootHead(answer.initrdPath).catch(() => Buffer.alloc(0))) : null
        if (osName !== null) {
          this.#activity = { state: 'ramdisk-os', kernel: answer.kernel, osName }
          return
        }
        await writeFile(join(this.sysroot, 'proc', 'cmdline'), `${answer.cmdline}\n`)
        address = answer.address
      } else if (this.network !== null) {
        // A virtual-media ramdisk brings up its network with a fixed address.
        await setStaticAddress(this.network.netns, this.network.ifaces[0], this.network.staticAddress)
        address = this.network.staticAddress
      } else if (boot === 'pxe' && this.#bootUrl !== null) {
        const answer = await this.#fetchBootConfig(this.#bootUrl)
        if (!answer) {
          this.#activity = { state: 'no-ramdisk', boot, reason: `PXE: no boot configuration for ${this.macs.join(', ')} on ${this.#bootUrl}` }
          return
        }
        await this.#log(`PXE: ${answer.url}: kernel ${answer.kernel}`)
        // An initrd that carries a lab OS marker is an instance (a ramdisk deploy), not Ferrum's
        // deploy ramdisk: the node runs that OS instead of the agent.
        const osName = answer.initrd ? await this.#ramdiskOsName(answer.initrd) : null
        if (osName !== null) {
          this.#activity = { state: 'ramdisk-os', kernel: answer.kernel, osName }
          return
        }
        await writeFile(join(this.sysroot, 'proc', 'cmdline'), `${answer.cmdline}\n`)
      }
      ramdisk = await this.#backend.start(this.#ramdiskContext(boot, address))
    } catch (err) {
      this.#activity = { state: 'no-ramdisk', boot, reason: (err as Error).message }
      return
    }
    this.#ramdisk = ramdisk
    this.#crashing = false
    this.#activity = { state: 'ramdisk', boot, pid: ramdisk.pid }
    void ramdisk.exited.then(async (exit) => {
      if (this.#ramdisk !== ramdisk) return // stopped on purpose by power off or reset
      this.#ramdisk = null
      this.#clearCrash()
      this.#activity = { state: 'ramdisk-exited', boot, pid: ramdisk.pid, code: exit.code, signal: exit.signal, crashed: this.#crashing }
      await this.#log(describeActivity(this.#activity))
    })
    this.#armCrash(ramdisk)
  }

  #armCrash(ramdisk: RunningRamdisk): void {
    this.#clearCrash()
    const after = this.#faults.ramdiskCrashAfterMs
    if (after === null) return
    this.#crashTimer = setTimeout(() => {
      this.#crashTimer = null
      if (this.#ramdisk !== ramdisk) return
      this.#crashing = true
      ramdisk.crash()
    }, after)
  }

  #clearCrash(): void {
    if (this.#crashTimer) clearTimeout(this.#crashTimer)
    this.#crashTimer = null
  }

  async #halt(why: string): Promise<void> {
    this.#clearCrash()
    if (this.vm?.running) {
      const pid = this.vm.pid
      await this.vm.stop()
      await this.#log(`${why}: VM (QEMU pid ${pid ?? '-'}) stopped`)
    }
    const ramdisk = this.#ramdisk
    this.#ramdisk = null
    if (ramdisk) {
      await ramdisk.stop()
      await this.#log(`${why}: ramdisk pid ${ramdisk.pid ?? '-'} stopped`)
    }
  }

  /**
   * The node's "iPXE": asks the boot server for each MAC's configuration in turn and reads the
   * kernel line of the first one found. Null when none answers.
   */
  /** The lab OS name an initrd carries in its first MiB, or null (none, or it cannot be fetched). */
  async #isoOsName(path: string): Promise<string | null> {
    return markerOf(await readBootHead(path).catch(() => Buffer.alloc(0)))
  }

  async #ramdiskOsName(url: string): Promise<string | null> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { range: `bytes=0-${BOOT_SCAN_BYTES - 1}` } })
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel()
        return null
      }
      return markerOf(Buffer.from(await res.arrayBuffer()).subarray(0, BOOT_SCAN_BYTES))
    } catch {
      return null
    }
  }

  async #fetchBootConfig(base: string): Promise<{ url: string; kernel: string; cmdline: string; initrd: string | null } | null> {
    for (const mac of this.macs) {
      const url = `${base}/pxelinux.cfg/01-${mac.toLowerCase().replace(/:/g, '-')}`
      let text: string
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
        if (res.status !== 200) continue
        text = await res.text()
      } catch (err) {
        await this.#log(`PXE: ${url}: ${(err as Error).message}`)
        continue
      }
      const line = text.split('\n').map((l) => l.trim()).find((l) => /^kernel\s/.test(l))
      if (!line) continue
      const [, kernel = '', ...args] = line.split(/\s+/)
      const initrd = text.split('\n').map((l) => l.trim()).find((l) => /^initrd\s/.test(l))?.split(/\s+/).at(-1) ?? null
      return { url, kernel, cmdline: args.filter((a) => !a.startsWith('initrd=')).join(' '), initrd }
    }
    return null
  }

  /** Each NIC PXE-boots in turn, as firmware does; the first that gets a boot answer wins. */
  async #netBoot(net: NodeNetwork): Promise<Awaited<ReturnType<typeof pxeBoot>>> {
    const reasons: string[] = []
    for (const [i, mac] of this.macs.entries()) {
      const iface = net.ifaces[i]
      if (!iface) break
      const answer = await pxeBoot({ netns: net.netns, iface, mac, bootMode: this.machine.bootSetting().mode, dir: this.dir, log: (l) => this.#log(l), dhcpTries: 2 })
      if (!('reason' in answer)) return answer
      reasons.push(answer.reason)
    }
    return { reason: reasons.join('; ') || 'PXE: the node has no NIC' }
  }

  #ramdiskContext(boot: RamdiskBootSource, address: string | null = null): RamdiskContext {
    const hw = this.machine.hardware
    return {
      node: this.name,
      macs: this.macs,
      diskPaths: this.diskPaths,
      hardware: {
        name: this.name,
        uuid: hw.uuid,
        cpus: hw.cpus,
        cpu_arch: hw.cpuArch,
        memory_mb: hw.memoryMiB,
        boot_mode: this.machine.bootSetting().mode,
        serial_number: hw.serialNumber,
        disks: hw.disks.map((d) => ({ name: d.name, path: d.path, size_bytes: d.sizeBytes })),
        nics: hw.nics.map((n) => ({ name: n.name, mac: n.mac })),
      },
      bmc: this.bmc ? { ...this.bmc } : null,
      boot,
      mediaPath: boot === 'cdrom' ? this.machine.virtualMediaPath() : null,
      faults: { diskWriteErrors: this.#faults.diskWriteErrors },
      logPath: this.logPath,
      sysroot: this.sysroot,
      ...(this.network !== null && address !== null ? { network: { netns: this.network.netns, address } } : {}),
    }
  }

  /** Never throws: a lost log line must not turn a power change (or an un-awaited event) into a failure. */
  async #log(line: string): Promise<void> {
    try {
      await appendFile(this.logPath, `${new Date().toISOString()} [${this.name}] ${line}\n`)
    } catch (err) {
      if (!this.#logFailed) process.stderr.write(`ferrum lab: node ${this.name}: cannot write ${this.logPath}: ${(err as Error).message}\n`)
      this.#logFailed = true
    }
  }
}

function describeBoot(s: LabBootSetting): string {
  return `${s.device} (${s.persistent ? 'persistent' : 'once'}, ${s.mode})`
}
