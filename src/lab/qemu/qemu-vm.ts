/**
 * The lab's `qemu` backend: a virtual node is a QEMU virtual machine (Debian's
 * qemu-system-x86_64, SeaBIOS, the ipxe-qemu NIC ROMs): one virtio NIC per MAC on a tap in the
 * lab bridge, the node's disk files as virtio disks, its serial console appended to a file that
 * survives power cycles. The node's BMC emulator (IPMI or Redfish) powers it: power on starts
 * QEMU with the boot order its boot device asks for (PXE → network, disk → first disk, virtual
 * CD → the inserted ISO); power off ends the process (by its PID). A guest that powers itself
 * off ends QEMU, and the BMC then reports power off.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'

export interface QemuVmOptions {
  name: string
  macs: readonly string[]
  /** One tap device per MAC, already on the bridge. */
  taps: readonly string[]
  disks: readonly string[]
  memoryMiB: number
  cpus: number
  /** The serial console, appended to across power cycles. */
  consolePath: string
  /** `tcg` (default; works everywhere) or `kvm`; FERRUM_LAB_QEMU_ACCEL overrides. */
  accel?: string
  binary?: string
}

export type VmBootDevice = 'pxe' | 'disk' | 'cdrom'

export interface VmExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export const QEMU_BINARY = '/usr/bin/qemu-system-x86_64'

/** Why VMs cannot run here, or null. */
export function qemuUnavailable(): string | null {
  if (!existsSync(QEMU_BINARY)) return 'qemu-system-x86_64 is missing (apt-get install qemu-system-x86 ipxe-qemu)'
  if (!existsSync('/usr/lib/ipxe/qemu/efi-virtio.rom') && !existsSync('/usr/share/qemu/pxe-virtio.rom')) return 'the virtio NIC boot ROM is missing (apt-get install ipxe-qemu)'
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing (taps for the VMs\' NICs need it)'
  return null
}

/** QEMU's argv for one boot. */
export function qemuArgs(o: QemuVmOptions, device: VmBootDevice, iso: string | null): string[] {
  const args = [
    '-name', o.name, '-machine', 'q35', '-accel', process.env.FERRUM_LAB_QEMU_ACCEL ?? o.accel ?? 'tcg',
    '-m', String(o.memoryMiB), '-smp', String(o.cpus),
    '-nographic', '-monitor', 'none', '-parallel', 'none',
    '-chardev', `file,id=s0,path=${o.consolePath},append=on`, '-serial', 'chardev:s0',
  ]
  o.macs.forEach((mac, i) => {
    args.push('-netdev', `tap,id=n${i},ifname=${o.taps[i]},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n${i},mac=${mac}`)
  })
  // Zeroes the guest writes (cleaning) become holes in the disk file instead of allocated blocks.
  for (const disk of o.disks) args.push('-drive', `file=${disk},format=raw,if=virtio,discard=unmap,detect-zeroes=unmap`)
  if (device === 'cdrom' && iso) args.push('-drive', `file=${iso},media=cdrom,readonly=on`)
  args.push('-boot', `order=${device === 'pxe' ? 'n' : device === 'cdrom' && iso ? 'd' : 'c'}`)
  return args
}

/** One node's VM; at most one QEMU process at a time. */
export class QemuVm {
  readonly opts: QemuVmOptions
  #proc: ChildProcess | null = null
  #exited: Promise<VmExit> | null = null

  constructor(opts: QemuVmOptions) {
    this.opts = opts
  }

  get pid(): number | null {
    return this.#proc?.pid ?? null
  }

  get running(): boolean {
    return this.#proc !== null
  }

  /**
   * Starts QEMU; `onExit` runs when the process ends by itself (not after stop()).
   * @throws Error when QEMU cannot start
   */
  async start(device: VmBootDevice, iso: string | null, onExit: (exit: VmExit) => void): Promise<number> {
    if (this.#proc) await this.stop()
    // setpriv --pdeathsig: a VM never outlives the lab process, however that process ends.
    const proc = spawn('setpriv', ['--pdeathsig', 'KILL', '--', this.opts.binary ?? QEMU_BINARY, ...qemuArgs(this.opts, device, iso)], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)))
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve)
      proc.once('error', reject)
    })
    this.#proc = proc
    this.#exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        const stopped = this.#proc !== proc
        if (!stopped) this.#proc = null
        resolve({ code, signal })
        if (!stopped) onExit({ code, signal })
      })
    })
    // A bad argument or a missing tap ends QEMU at once: report its words.
    const early = await Promise.race([this.#exited.then((e) => e), new Promise<null>((r) => setTimeout(() => r(null), 300))])
    if (early) throw new Error(`QEMU for ${this.opts.name} exited at start (${early.signal ?? `code ${early.code}`}): ${err.trim().split('\n').slice(-2).join(' ')}`)
    return proc.pid!
  }

  /** Ends the VM (SIGTERM, SIGKILL after 3 s) and waits for it. Idempotent. */
  async stop(): Promise<void> {
    const proc = this.#proc
    const exited = this.#exited
    this.#proc = null
    if (!proc || !exited) return
    proc.kill('SIGTERM')
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(t)
  }
}
