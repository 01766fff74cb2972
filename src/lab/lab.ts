import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { IpmiBmc } from './ipmi-bmc.js'
import { RedfishBmc } from './redfish-bmc.js'
import { ProcessBackend } from './backends/process-backend.js'
import { enrollLab, type EnrollOptions, type NodeEnrollResult } from './lab-enroll.js'
import { LAB_KINDS, pidAlive, readLabState, writeLabState, type LabBmcKind, type LabBmcState, type LabKind, type LabNodeState, type LabState } from './lab-state.js'
import { LabStatusServer, NodeNotInLabError, type LabControl, type LabStatus } from './lab-status-server.js'
import { VirtualNode } from './virtual-node.js'
import type { LabNetwork } from './netns/lab-network.js'
import { QemuVm } from './qemu/qemu-vm.js'
import type { NodeFaults, VirtualNodeSpec } from './virtual-node-spec.js'

export interface LabOptions {
  nodes: number
  kind: LabKind
  /** Lab directory: lab.json plus one directory per node (disks, console.log). */
  dir: string
  /** The deploy ramdisk the process backend runs; null/undefined: none configured. */
  ramdiskCommand?: string | readonly string[] | null
  /** Extra environment for the ramdisk (e.g. FERRUM_API_URL). */
  ramdiskEnv?: Record<string, string>
  /** Serve the generic Redfish BMCs over HTTPS too (iDRAC always is). Default false. */
  redfishTls?: boolean
  /** Hardware of every node (name and index are assigned by the lab). */
  spec?: Partial<Omit<VirtualNodeSpec, 'name' | 'index'>>
  /** Node names are `<prefix><n>`. Default `lab-node-`. */
  namePrefix?: string
  /** Grace between SIGTERM and SIGKILL for ramdisk processes. */
  killGraceMs?: number
  /** The boot server PXE boots ask for their configuration (see VirtualNodeOptions.bootUrl). */
  bootUrl?: string
  /**
   * The netns backend: every node gets a namespace on this network, PXE-boots for real (DHCP,
   * TFTP, HTTP) and runs its ramdisk there. The caller owns the network (closes it after the lab).
   */
  network?: LabNetwork
  /**
   * The qemu backend (needs `network`): every node is a QEMU VM with its NICs on taps in the
   * network's bridge; its BMC starts and stops the VM. Memory per VM in MiB (default 1024).
   */
  vm?: { memoryMiB?: number; diskBytes?: number }
}

/** One node with its BMC. */
export interface LabNode {
  node: VirtualNode
  kind: LabBmcKind
  bmc: LabBmcState
  server: IpmiBmc | RedfishBmc
}

export class LabAlreadyRunningError extends Error {
  constructor(dir: string, pid: number) {
    super(`a lab is already running in ${dir} (pid ${pid}): stop it with "ferrum lab down --dir ${dir}" or use another --dir`)
    this.name = 'LabAlreadyRunningError'
  }
}

/** `mixed` cycles through the BMC kinds so even a 3-node lab has one of each. */
const MIXED: readonly LabBmcKind[] = ['ipmi', 'redfish', 'idrac']
const MAX_NODES = 500

/**
 * A virtual lab: N virtual nodes, each behind its own BMC on a loopback port (IPMI over UDP,
 * Redfish over HTTP(S), iDRAC-flavoured Redfish over HTTPS), with generated credentials, a state
 * file `DIR/lab.json` and a loopback status endpoint.
 *
 * @example
 * const lab = await Lab.start({ nodes: 3, kind: 'mixed', dir: './ferrum-lab' })
 * await lab.enroll({ apiUrl: 'http://127.0.0.1:6385', driver: 'fake-hardware' })
 * await lab.close()
 */
export class Lab implements LabControl {
  readonly dir: string
  readonly kind: LabKind
  readonly nodes: readonly LabNode[]
  readonly statusUrl: string
  readonly startedAt: string
  readonly #statusServer: LabStatusServer
  #closed = false

  private constructor(dir: string, kind: LabKind, nodes: LabNode[], statusServer: LabStatusServer, statusUrl: string) {
    this.dir = dir
    this.kind = kind
    this.nodes = nodes
    this.#statusServer = statusServer
    this.statusUrl = statusUrl
    this.startedAt = new Date().toISOString()
  }

  /**
   * Creates the nodes, starts their BMCs and the status endpoint, and writes DIR/lab.json.
   * Throws LabAlreadyRunningError when lab.json names a live process other than this one.
   */
  static async start(opts: LabOptions): Promise<Lab> {
    if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_NODES) throw new RangeError(`the number of lab nodes must be 1..${MAX_NODES} (got ${opts.nodes})`)
    if (!LAB_KINDS.includes(opts.kind)) throw new RangeError(`unknown lab kind "${String(opts.kind)}" (use ${LAB_KINDS.join(', ')})`)
    const dir = resolve(opts.dir)
    await mkdir(dir, { recursive: true })
    const previous = await readLabState(dir)
    if (previous?.pid != null && previous.pid !== process.pid && pidAlive(previous.pid)) throw new LabAlreadyRunningError(dir, previous.pid)

    const backend = new ProcessBackend({ command: opts.ramdiskCommand ?? null, env: opts.ramdiskEnv, killGraceMs: opts.killGraceMs })
    const nodes: LabNode[] = []
    const statusServer = new LabStatusServer({ status: () => lab.status(), setFaults: (n, p) => lab.setFaults(n, p) })
    let lab: Lab
    try {
      for (let i = 1; i <= opts.nodes; i++) {
        const kind = opts.kind === 'mixed' ? MIXED[(i - 1) % MIXED.length] : opts.kind
        const name = `${opts.namePrefix ?? 'lab-node-'}${i}`
        // A VM's disk is a small sparse file: cleaning and deploys under TCG stay quick.
        const spec = opts.vm ? { diskSizes: [opts.vm.diskBytes ?? 512 * 1024 ** 2], memoryMiB: opts.vm.memoryMiB ?? 1024, cpus: 1, ...opts.spec } : opts.spec
        const node = await VirtualNode.create({ spec: { ...spec, name, index: i }, dir: join(dir, 'nodes', name), backend, bootUrl: opts.bootUrl })
        if (opts.network && opts.vm) {
          const taps = await opts.network.addTaps(i, node.macs.length)
          node.vm = new QemuVm({ name, macs: node.macs, taps, disks: node.diskPaths, memoryMiB: node.spec.memoryMiB, cpus: node.spec.cpus, consolePath: join(node.dir, 'serial.log') })
        } else if (opts.network) {
          const placed = await opts.network.addNode(i, node.macs)
          node.network = { ...placed, staticAddress: opts.network.staticAddress(i) }
        }
        nodes.push(await startBmc(node, kind, opts.redfishTls ?? false))
      }
      const statusUrl = await statusServer.start()
      lab = new Lab(dir, opts.kind, nodes, statusServer, statusUrl)
      await writeLabState(dir, lab.state())
    } catch (err) {
      await statusServer.stop()
      await Promise.allSettled(nodes.map(async (n) => {
        await n.server.stop()
        await n.node.close()
      }))
      throw err
    }
    return lab
  }

  /** What DIR/lab.json holds while the lab runs. */
  state(): LabState {
    return {
      version: 1,
      pid: this.#closed ? null : process.pid,
      statusUrl: this.#closed ? null : this.statusUrl,
      dir: this.dir,
      kind: this.kind,
      startedAt: this.startedAt,
      nodes: this.nodes.map(({ node, bmc }): LabNodeState => ({
        name: node.name,
        uuid: node.machine.hardware.uuid,
        bmc: { ...bmc },
        macs: node.macs,
        disks: node.machine.hardware.disks.map((d) => ({ path: d.path, sizeBytes: d.sizeBytes })),
        cpus: node.spec.cpus,
        memoryMiB: node.spec.memoryMiB,
        cpuArch: node.spec.cpuArch,
        bootMode: node.spec.bootMode,
        logPath: node.logPath,
      })),
    }
  }

  status(): LabStatus {
    return {
      pid: process.pid,
      kind: this.kind,
      dir: this.dir,
      nodes: this.nodes.map(({ node, kind, bmc }) => ({ ...node.status(), kind, bmcAddress: bmcAddress(bmc) })),
    }
  }

  node(name: string): LabNode {
    const found = this.nodes.find((n) => n.node.name === name)
    if (!found) throw new NodeNotInLabError(name)
    return found
  }

  async setFaults(name: string, patch: Partial<NodeFaults>): Promise<NodeFaults> {
    return this.node(name).node.setFaults(patch)
  }

  /** Creates every node and its ports in an Ironic-compatible API; see enrollLab. */
  async enroll(opts: EnrollOptions): Promise<NodeEnrollResult[]> {
    return enrollLab(this.state().nodes, opts)
  }

  /** Stops the status endpoint and the BMCs, powers every node off (killing ramdisks), and clears the pid in lab.json. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#statusServer.stop()
    await Promise.allSettled(this.nodes.map((n) => n.server.stop()))
    await Promise.allSettled(this.nodes.map((n) => n.node.close()))
    await writeLabState(this.dir, this.state())
  }
}

export function bmcAddress(bmc: LabBmcState): string {
  return bmc.url ?? `${bmc.kind} ${bmc.address}:${bmc.port}`
}

function generatePassword(): string {
  return randomBytes(12).toString('base64url').slice(0, 16)
}

async function startBmc(node: VirtualNode, kind: LabBmcKind, redfishTls: boolean): Promise<LabNode> {
  const username = 'admin'
  const password = generatePassword()
  if (kind === 'ipmi') {
    const server = new IpmiBmc({ machine: node.machine, host: '127.0.0.1', port: 0, username, password })
    const { host, port } = await server.start()
    const bmc: LabBmcState = { kind, address: host, port, username, password }
    node.bmc = { ...bmc }
    return { node, kind, bmc, server }
  }
  const server = new RedfishBmc({
    machines: node.machine,
    host: '127.0.0.1',
    port: 0,
    tls: kind === 'idrac' || redfishTls,
    username,
    password,
    personality: kind === 'idrac' ? 'idrac' : 'generic',
  })
  const { url, port } = await server.start()
  const systemPath = `/redfish/v1/Systems/${server.service.systems[0].id}`
  const bmc: LabBmcState = { kind, address: '127.0.0.1', port, username, password, url, systemPath }
  node.bmc = { ...bmc }
  return { node, kind, bmc, server }
}
