import { resolve } from 'node:path'
import type { Command } from 'commander'
import { request } from 'undici'
import { Lab } from '../../lab/lab.js'
import { defaultLabDirs, LAB_KINDS, pidAlive, readLabState, runningLab, type LabKind, type LabState } from '../../lab/lab-state.js'
import type { LabStatus } from '../../lab/lab-status-server.js'
import { enrollReport, labNodesTable, labStatusTable } from '../../lab/lab-table.js'
import type { NodeFaults } from '../../lab/virtual-node-spec.js'

const DEFAULT_DIR = './ferrum-lab'

interface UpOptions {
  nodes: string
  kind: string
  dir: string
  enroll?: string
  driver?: string
  ramdiskCmd?: string
  redfishHttps?: boolean
}

/** `ferrum lab up|status|down|fault`: the virtual lab in the foreground, and commands that talk to it. */
export function registerLab(program: Command): void {
  const lab = program.command('lab').description('Emulated hardware: virtual nodes behind IPMI, Redfish and iDRAC BMCs on loopback')

  lab
    .command('up')
    .description('Run a lab in the foreground until Ctrl-C (SIGINT) or SIGTERM')
    .requiredOption('--nodes <n>', 'number of virtual nodes')
    .option('--kind <kind>', `BMC kind: ${LAB_KINDS.join(', ')}`, 'mixed')
    .option('--dir <dir>', 'lab directory: lab.json, disks and node logs', DEFAULT_DIR)
    .option('--enroll <url>', 'enroll the nodes and their ports into this Ironic-compatible API')
    .option('--driver <name>', 'hardware type to enroll with (e.g. fake-hardware); default: ipmi, redfish or idrac per BMC')
    .option('--ramdisk-cmd <cmd>', 'command the nodes run when they PXE or virtual-media boot (FERRUM_LAB_* in its environment)')
    .option('--redfish-https', 'serve the generic Redfish BMCs over HTTPS (iDRAC always is)')
    .addHelpText('after', '\nExample:\n  ferrum lab up --nodes 4 --kind mixed --enroll http://127.0.0.1:6385 --driver fake-hardware\n')
    .action(async (o: UpOptions) => labUp(o))

  lab
    .command('status')
    .description('Power state, boot device and what runs on each node of the running lab')
    .option('--dir <dir>', `lab directory (default: the running lab in ${defaultLabDirs().join(' or ')})`)
    .option('--json', 'print the raw status JSON')
    .addHelpText('after', '\nExamples:\n  ferrum lab status\n  ferrum lab status --dir ferrum-data/lab --json\n')
    .action(async (o: { dir?: string; json?: boolean }) => {
      const { status } = await contactLab(o.dir)
      process.stdout.write(o.json ? `${JSON.stringify(status, null, 2)}\n` : `Lab in ${status.dir} (pid ${status.pid}, ${status.kind})\n${labStatusTable(status)}\n`)
    })

  lab
    .command('down')
    .description('Stop the lab running in DIR and wait for it to exit')
    .option('--dir <dir>', `lab directory (default: the running lab in ${defaultLabDirs().join(' or ')})`)
    .option('--timeout <s>', 'seconds to wait for the lab to exit', '30')
    .addHelpText('after', '\nExample:\n  ferrum lab down --dir ./ferrum-lab\n')
    .action(async (o: { dir?: string; timeout: string }) => {
      const { state } = await contactLab(o.dir)
      const pid = state.pid as number
      const timeoutS = Number(o.timeout)
      if (!(timeoutS > 0)) throw new Error(`--timeout must be a positive number of seconds (got "${o.timeout}")`)
      process.kill(pid, 'SIGTERM')
      const deadline = Date.now() + timeoutS * 1000
      while (pidAlive(pid)) {
        if (Date.now() > deadline) throw new Error(`the lab (pid ${pid}) is still running ${timeoutS} s after SIGTERM; look at its output, or kill ${pid}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      process.stdout.write(`lab in ${state.dir} stopped (pid ${pid})\n`)
    })

  lab
    .command('fault')
    .description('Inject or clear faults on one node of the running lab')
    .argument('<node>', 'node name, e.g. lab-node-1')
    .option('--dir <dir>', `lab directory (default: the running lab in ${defaultLabDirs().join(' or ')})`)
    .option('--bmc-unreachable <on|off>', 'the BMC drops every request')
    .option('--packet-loss <p>', 'probability 0..1 that the BMC drops a request')
    .option('--latency-ms <ms>', 'delay before each BMC answer')
    .option('--ramdisk-crash-ms <ms|off>', 'kill the ramdisk this many ms after it starts (0: at once)')
    .option('--disk-write-errors <on|off>', 'make the disks read-only and tell the agent to fail writes')
    .addHelpText('after', '\nExamples:\n  ferrum lab fault lab-node-1 --packet-loss 0.3 --latency-ms 50\n  ferrum lab fault lab-node-1 --bmc-unreachable off\n')
    .action(async (node: string, o: Record<string, string | undefined>) => {
      const patch = faultPatch(o)
      if (Object.keys(patch).length === 0) throw new Error('give at least one fault option (see ferrum lab fault --help)')
      const { state } = await contactLab(o.dir)
      const res = await labRequest(state, 'POST', `/nodes/${encodeURIComponent(node)}/faults`, patch)
      process.stdout.write(`${node}: faults ${JSON.stringify((res as { faults: NodeFaults }).faults)}\n`)
    })
}

async function labUp(o: UpOptions): Promise<void> {
  const nodes = Number(o.nodes)
  if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`--nodes must be a whole number of nodes, 1 or more (got "${o.nodes}")`)
  if (!LAB_KINDS.includes(o.kind as LabKind)) throw new Error(`--kind must be one of ${LAB_KINDS.join(', ')} (got "${o.kind}")`)
  const lab = await Lab.start({
    nodes,
    kind: o.kind as LabKind,
    dir: o.dir,
    ramdiskCommand: o.ramdiskCmd ?? null,
    ramdiskEnv: o.enroll ? { FERRUM_API_URL: o.enroll } : undefined,
    redfishTls: o.redfishHttps ?? false,
  })
  let stopping = false
  const stop = (sig: string): void => {
    if (stopping) return
    stopping = true
    process.stdout.write(`received ${sig}: stopping the lab\n`)
    lab.close().then(
      () => {
        process.stdout.write('lab stopped\n')
        process.exit(0)
      },
      (err: unknown) => {
        console.error(`ferrum: stopping the lab failed: ${(err as Error).message}`)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))

  const state = lab.state()
  process.stdout.write(`Ferrum lab: ${nodes} node(s), kind ${lab.kind}, in ${lab.dir} (pid ${process.pid}, status ${lab.statusUrl})\n`)
  process.stdout.write(`${labNodesTable(state)}\n`)
  if (!o.ramdiskCmd) process.stdout.write('No --ramdisk-cmd: PXE and virtual-media boots show "no ramdisk configured".\n')
  if (o.enroll) {
    process.stdout.write(`Enrolling into ${o.enroll}${o.driver ? ` with driver ${o.driver}` : ''}:\n`)
    // With a ramdisk (the agent) the nodes deploy for real; without one, with the fake interfaces.
    const nodeFields = o.ramdiskCmd ? { boot_interface: 'pxe', deploy_interface: 'direct' } : { boot_interface: 'fake', deploy_interface: 'fake' }
    const results = await lab.enroll({ apiUrl: o.enroll, driver: o.driver, nodeFields })
    process.stdout.write(`${enrollReport(results)}\n`)
    const failed = results.filter((r) => !r.ok).length
    if (failed > 0) process.stdout.write(`${failed} of ${results.length} node(s) not enrolled; the lab keeps running (try --driver fake-hardware if the hardware type is not enabled).\n`)
  }
  process.stdout.write(`Lab running. Stop it with Ctrl-C or: ferrum lab down${o.dir === DEFAULT_DIR ? '' : ` --dir ${o.dir}`}\n`)
}

/**
 * The running lab in `dir` and its live status. Before anyone signals the recorded pid, this
 * checks that the process behind it answers as that lab.
 */
async function contactLab(given: string | undefined): Promise<{ state: LabState; status: LabStatus }> {
  let dir = given
  if (dir === undefined) {
    for (const d of defaultLabDirs()) {
      if (await runningLab(resolve(d))) {
        dir = d
        break
      }
    }
    if (dir === undefined) throw new Error(`no lab running in ${defaultLabDirs().map((d) => resolve(d)).join(' or ')}: start one with "ferrum up --lab 3" or "ferrum lab up --nodes 3", or give --dir DIR`)
  }
  const abs = resolve(dir)
  const state = await readLabState(abs)
  const hint = `start one with: ferrum lab up --nodes N --dir ${dir}`
  if (!state || state.pid === null || state.statusUrl === null) throw new Error(`no lab running in ${abs}: ${hint}`)
  if (!pidAlive(state.pid)) throw new Error(`no lab running in ${abs} (lab.json names pid ${state.pid}, which has exited): ${hint}`)
  const status = (await labRequest(state, 'GET', '/status')) as LabStatus
  if (status.pid !== state.pid) throw new Error(`the status endpoint ${state.statusUrl} answers for pid ${status.pid}, not pid ${state.pid} from lab.json; not touching either`)
  return { state, status }
}

async function labRequest(state: LabState, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  let res
  try {
    res = await request(`${state.statusUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    })
  } catch (err) {
    throw new Error(`the lab in ${state.dir} (pid ${state.pid}) does not answer at ${state.statusUrl}: ${(err as Error).message}`, { cause: err })
  }
  const parsed = (await res.body.json()) as { error?: string }
  if (res.statusCode >= 400) throw new Error(parsed.error ?? `lab status endpoint answered HTTP ${res.statusCode}`)
  return parsed
}

function faultPatch(o: Record<string, string | undefined>): Partial<NodeFaults> {
  const onOff = (flag: string, v: string): boolean => {
    if (v === 'on' || v === 'true') return true
    if (v === 'off' || v === 'false') return false
    throw new Error(`${flag} takes on or off (got "${v}")`)
  }
  const num = (flag: string, v: string): number => {
    const n = Number(v)
    if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag} takes a number (got "${v}")`)
    return n
  }
  const patch: Partial<NodeFaults> = {}
  if (o.bmcUnreachable !== undefined) patch.bmcUnreachable = onOff('--bmc-unreachable', o.bmcUnreachable)
  if (o.packetLoss !== undefined) patch.packetLoss = num('--packet-loss', o.packetLoss)
  if (o.latencyMs !== undefined) patch.latencyMs = num('--latency-ms', o.latencyMs)
  if (o.ramdiskCrashMs !== undefined) patch.ramdiskCrashAfterMs = o.ramdiskCrashMs === 'off' ? null : num('--ramdisk-crash-ms', o.ramdiskCrashMs)
  if (o.diskWriteErrors !== undefined) patch.diskWriteErrors = onOff('--disk-write-errors', o.diskWriteErrors)
  return patch
}
