/**
 * `ferrum up --lab N`: a lab in the server's own process, enrolled into the API that just
 * started. `ferrum lab status --dir <dataDir>/lab` works against it as against `ferrum lab up`.
 */
import { basename, relative } from 'node:path'
import { labDirIsFound } from './lab-state.js'
import type { Logger } from 'pino'
import { Lab } from './lab.js'
import { enrollLab } from './lab-enroll.js'
import { LAB_KINDS, type LabKind } from './lab-state.js'
import { enrollReport, labNodesTable } from './lab-table.js'
import { ApiClient } from '../cli/client.js'
import { labAgentCommand } from './lab-agent.js'
import type { LabNetwork } from './netns/lab-network.js'

export interface LabForServerOptions {
  nodes: number
  kind: string
  apiUrl: string
  dir: string
  log: Pick<Logger, 'info' | 'warn'>
  /**
   * Hardware type to retry with when the API refuses a node's own (ipmi, redfish, idrac), e.g.
   * while that hardware type is not enabled. Default 'fake-hardware'; null: no retry.
   */
  fallbackDriver?: string | null
  /**
   * What a node's network boot runs. Default: Ferrum's deploy agent (lab-agent.ts), and the nodes
   * are enrolled to deploy with it (pxe boot, direct deploy). null: no ramdisk; the nodes are
   * enrolled with the fake boot and deploy interfaces instead.
   */
  ramdiskCommand?: string | readonly string[] | null
  /** The image lab nodes deploy (preset as instance_info.image_source), when the agent runs. */
  image?: { url: string; sha256: string } | null
  /** Ferrum's boot server: lab nodes fetch their PXE configuration from it (VirtualNodeOptions.bootUrl). */
  bootUrl?: string
  /** Take enrolled nodes through manage (BMC verified) and provide (cleaned) to `available`. Default true. */
  makeAvailable?: boolean
  /** The netns backend's network (see LabOptions.network); its nodes are enrolled with the ipxe boot interface. */
  network?: LabNetwork
  /**
   * The qemu backend (with `network`): nodes are VMs booting the real deploy ramdisk; its kernel
   * gets `kernelAppend` (driver_info kernel_append_params, e.g. the serial console).
   */
  vm?: { memoryMiB?: number; kernelAppend?: string }
}

/**
 * Manage and provide one node through the API, as an operator would, waiting for each state.
 * Resolves with the final state, or a message saying where it stopped.
 */
async function makeAvailable(api: ApiClient, name: string, deadlineMs: number): Promise<string> {
  const end = Date.now() + deadlineMs
  const waitFor = async (want: string): Promise<string> => {
    for (;;) {
      const n = await api.call<{ provision_state: string; reservation: string | null; last_error: string | null }>('GET', `/v1/nodes/${name}`)
      if (n.provision_state === want && n.reservation === null) return want
      if (/failed$|^enroll$/.test(n.provision_state) && n.reservation === null && want !== 'enroll') {
        throw new Error(`stopped in "${n.provision_state}": ${n.last_error ?? 'no error recorded'}`)
      }
      if (Date.now() > end) throw new Error(`still "${n.provision_state}" after ${deadlineMs / 1000} s`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  await api.call('PUT', `/v1/nodes/${name}/states/provision`, { target: 'manage' })
  await waitFor('manageable')
  await api.call('PUT', `/v1/nodes/${name}/states/provision`, { target: 'provide' })
  return waitFor('available')
}

/** Starts the lab, enrolls it (falling back per node, loudly), logs the table; `close()` stops it. */
export async function startLabForServer(opts: LabForServerOptions): Promise<{ lab: Lab; close(): Promise<void> }> {
  if (!LAB_KINDS.includes(opts.kind as LabKind)) throw new Error(`--lab-kind must be one of ${LAB_KINDS.join(', ')} (got "${opts.kind}")`)
  const command = opts.ramdiskCommand === undefined ? labAgentCommand() : opts.ramdiskCommand
  const lab = await Lab.start({
    nodes: opts.nodes,
    kind: opts.kind as LabKind,
    dir: opts.dir,
    ramdiskCommand: command,
    ramdiskEnv: { FERRUM_API_URL: opts.apiUrl },
    bootUrl: opts.bootUrl,
    network: opts.network,
    vm: opts.vm,
  })
  try {
    // With the agent, lab nodes network-boot it and it writes their disks (direct deploy); without
    // one they deploy with the fake interfaces. Power, management, inspection and BIOS go to their
    // emulated BMCs either way.
    const nodeFields: Record<string, unknown> = command === null
      ? { boot_interface: 'fake', deploy_interface: 'fake' }
      : { boot_interface: opts.network ? 'ipxe' : 'pxe', deploy_interface: 'direct' }
    if (command !== null && opts.vm?.kernelAppend) nodeFields.driver_info = { kernel_append_params: opts.vm.kernelAppend }
    // A VM's one disk is small (512 MiB, under IPA's 4 GiB default minimum): name it as the root device.
    if (opts.vm) nodeFields.properties = { root_device: { name: '/dev/vda' } }
    if (command !== null && opts.image) nodeFields.instance_info = { image_source: opts.image.url, image_os_hash_algo: 'sha256', image_os_hash_value: opts.image.sha256 }
    const results = await lab.enroll({ apiUrl: opts.apiUrl, nodeFields })
    const fallback = opts.fallbackDriver === undefined ? 'fake-hardware' : opts.fallbackDriver
    const refused = results.filter((r) => !r.ok)
    if (fallback && refused.length > 0) {
      const names = new Set(refused.map((r) => r.name))
      for (const r of refused) opts.log.warn({ node: r.name, driver: r.driver, error: r.error }, `lab node ${r.name}: API refused driver ${r.driver}; enrolling it with ${fallback} instead`)
      const retried = await enrollLab(lab.state().nodes.filter((n) => names.has(n.name)), { apiUrl: opts.apiUrl, driver: fallback })
      for (const r of retried) results[results.findIndex((x) => x.name === r.name)] = r
    }
    const state = lab.state()
    opts.log.info({ dir: lab.dir, statusUrl: lab.statusUrl, nodes: state.nodes.map((n) => ({ name: n.name, kind: n.bmc.kind, port: n.bmc.port })) }, `lab of ${state.nodes.length} node(s) running in ${lab.dir}`)
    process.stdout.write(`Lab: ${state.nodes.length} node(s) in ${lab.dir}\n${labNodesTable(state)}\n${enrollReport(results)}\n`)
    if (opts.makeAvailable !== false) {
      const api = new ApiClient(opts.apiUrl, '1.78')
      const outcomes = await Promise.all(results.filter((r) => r.ok).map(async (r) => {
        try {
          return `${r.name}: ${await makeAvailable(api, r.name, opts.vm ? 600_000 : 60_000)} (BMC verified, cleaned)`
        } catch (e) {
          opts.log.warn({ node: r.name }, `lab node ${r.name} not made available: ${(e as Error).message}`)
          return `${r.name}: not available: ${(e as Error).message}`
        }
      }))
      process.stdout.write(`${outcomes.join('\n')}\n`)
      const first = results.find((r) => r.ok)?.name
      if (first && command !== null) {
        const cli = cliInvocation()
        const dirFlag = labDirIsFound(lab.dir) ? '' : ` --dir ${lab.dir}`
        process.stdout.write([
          '',
          `Next, in another terminal, in ${process.cwd()}:`,
          `  export FERRUM_URL=${opts.apiUrl}`,
          `  ${cli} node list`,
          `  ${cli} node deploy ${first} --wait   # live: states, phases, the image write with rate and ETA`,
          `  ${cli} lab status${dirFlag}            # ${first}: booted from disk`,
          `  ${cli} node timeline ${first}        # how long each phase of the deploy took`,
          `  ${cli} node undeploy ${first} --wait # the agent cleans the disk again`,
          `  ${cli} top                        # the fleet, live (q quits)`,
          'Or with the OpenStack client:',
          `  export OS_ENDPOINT=${opts.apiUrl} OS_AUTH_TYPE=none`,
          `  openstack baremetal node deploy ${first} --wait 120`,
          '',
        ].join('\n'))
      }
    }
  } catch (err) {
    await lab.close()
    throw err
  }
  return { lab, close: () => lab.close() }
}

/** How this process was started, as a command to type: `ferrum` when that is on PATH, else `node <path>/bin/ferrum.js`. */
export function cliInvocation(): string {
  const script = process.argv[1] ?? ''
  if (basename(script) === 'ferrum') return 'ferrum'
  const rel = relative(process.cwd(), script)
  return `node ${rel !== '' && !rel.startsWith('..') ? rel : script}`
}
