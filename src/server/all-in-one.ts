import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import type { FerrumConfig } from '../config/schema.js'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'
import { Store } from '../db/store.js'
import { build } from '../api/app.js'
import { Conductor } from '../conductor/conductor.js'
import { catalogFromRegistry } from '../conductor/driver-catalog.js'
import { createDriverRegistry } from '../drivers/default-registry.js'
import { systemClock } from '../common/clock.js'
import { Periodics } from '../conductor/periodics.js'
import { createLogger } from '../common/logger.js'
import { ValidationError } from '../domain/errors.js'
import type { LabNetwork } from '../lab/netns/lab-network.js'
import { planNetboot, startNetboot, type RunningNetboot } from '../netboot/netboot.js'
import { claimHostsDir } from '../netboot/dhcp-hosts.js'
import { BootLog } from '../netboot/boot-stages.js'

export interface RunningServer {
  url: string
  app: FastifyInstance
  store: Store
  conductor: Conductor
  log: Logger
  close(): Promise<void>
}

export interface StartOptions {
  /** Start a virtual lab of this many nodes beside the server and enroll them. */
  labNodes?: number
  labKind?: string
  /**
   * How lab nodes boot: "process" (default; the lab reads each node's iPXE script over HTTP and
   * runs the agent on the host) or "netns" (each node in its own network namespace on a bridge:
   * real DHCP from Ferrum's dnsmasq, TFTP and HTTP, the agent inside the namespace; root only).
   */
  labNetwork?: 'process' | 'netns' | 'qemu'
  /**
   * The qemu lab's deploy ramdisk: a directory with deploy.kernel and deploy.initrd (and
   * deploy.iso) from `ferrum ramdisk build`. Default `<dataDir>/ramdisk`, built there when absent.
   */
  ramdiskDir?: string
  logger?: Logger
}

/**
 * Runs API and conductor in one process: opens (and migrates) the database, registers the
 * conductor, recovers nodes a previous run left mid-operation, serves the API and runs periodics.
 */
export async function startAllInOne(config: FerrumConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const log = opts.logger ?? createLogger({ level: config.logLevel })
  mkdirSync(config.dataDir, { recursive: true })
  // A netns lab brings its provisioning network, on which Ferrum runs its own DHCP.
  let labNetwork: LabNetwork | null = null
  const vmLab = opts.labNetwork === 'qemu'
  if (opts.labNodes && opts.labNodes > 0 && (opts.labNetwork === 'netns' || vmLab)) {
    const { LabNetwork, netnsUnavailable } = await import('../lab/netns/lab-network.js')
    const { qemuUnavailable } = await import('../lab/qemu/qemu-vm.js')
    const why = (await netnsUnavailable()) ?? (vmLab ? qemuUnavailable() : null)
    if (why !== null) throw new ValidationError(`--lab-network ${opts.labNetwork}: ${why}; or use the default process lab (no --lab-network).`)
    labNetwork = await LabNetwork.create({ ipv6: vmLab })
    if (labNetwork.swept.length > 0) log.warn({ swept: labNetwork.swept }, 'removed lab networks (bridge, taps, namespaces) left by a lab whose process was killed')
    config = { ...config, dhcp: { ...config.dhcp, mode: 'managed', interface: labNetwork.bridge, range: labNetwork.range } }
  }
  let plan
  let hostsLock: { release(): void } | null = null
  let database: Awaited<ReturnType<typeof openDatabase>>
  try {
    plan = planNetboot(config)
    // Before anything writes DHCP entries: a second Ferrum on the same files refuses to start.
    if (plan) hostsLock = claimHostsDir(plan.hosts.dir)
    database = await openDatabase(config.db)
    await migrateToLatest(database)
  } catch (e) {
    hostsLock?.release()
    await labNetwork?.close()
    throw e
  }
  const store = new Store(database)
  const registry = createDriverRegistry(
    { enabledHardwareTypes: config.drivers.enabledHardwareTypes, enabled: config.drivers.enabledInterfaces, defaults: config.drivers.defaultInterfaces },
    [],
    { clock: systemClock },
  )
  for (const p of registry.problems()) log.warn(p)
  // The HTTP boot server: <dataDir>/httpboot at /boot/ on the API listener. Its URL may depend on
  // the port picked at listen time, so drivers read baseUrl at each call, once it is set below.
  const bootFiles = { dir: join(config.dataDir, 'httpboot'), baseUrl: config.api.bootUrl?.replace(/\/+$/, '') ?? '' }
  mkdirSync(bootFiles.dir, { recursive: true })
  // The URL agents call home to: the public URL, else the listener's (known once it listens).
  const agent = { apiUrl: config.api.publicUrl?.replace(/\/+$/, '') ?? '', commandTimeoutS: config.agent.commandTimeoutS, heartbeatTimeoutS: config.agent.heartbeatTimeoutS, fastTrack: config.agent.fastTrack, fastTrackTimeoutS: config.agent.fastTrackTimeoutS, imageCacheMiB: config.agent.imageCacheMiB, imageCacheTtlS: config.agent.imageCacheTtlS, imageDownloadSource: config.agent.imageDownloadSource }
  const netbootDeps = { bootLog: new BootLog(), dnsmasqLog: config.dhcp.mode === 'managed' ? join(config.dataDir, 'dhcp', 'dnsmasq.log') : null }
  const conductor = new Conductor({ store, drivers: catalogFromRegistry(registry), config: config.conductor, log: log.child({ component: 'conductor' }), clock: systemClock, bootFiles, dhcp: plan?.hosts, agent, netboot: plan ? netbootDeps : undefined })
  const periodics = new Periodics(conductor)
  await periodics.recover()
  await store.conductors.register(conductor.hostname, config.conductor.group, conductor.deps.drivers.hardwareTypes())

  const app = await build({ store, conductor, publicUrl: config.api.publicUrl, bootDir: bootFiles.dir, netboot: netbootDeps }, { logger: log.child({ component: 'api' }) })
  let address: string
  try {
    address = await app.listen({ host: config.api.host, port: config.api.port })
  } catch (e) {
    await app.close()
    await conductor.stop()
    await labNetwork?.close()
    await database.close()
    hostsLock?.release()
    throw e
  }
  const url = address.replace('[::1]', 'localhost')
  const port = (app.server.address() as AddressInfo).port
  // With a provisioning interface, nodes and agents reach the API on its address.
  const nodeUrl = plan?.serverAddress && !config.api.publicUrl ? `http://${plan.serverAddress}:${port}` : null
  if (bootFiles.baseUrl === '') bootFiles.baseUrl = nodeUrl ? `${nodeUrl}/boot` : defaultBootUrl(config.api, port)
  if (agent.apiUrl === '') agent.apiUrl = nodeUrl ?? reachableUrl(config.api, port)
  let netboot: RunningNetboot | null = null
  let lab: { close(): Promise<void> } | null = null
  let unregister = false
  // One way down, for close() and for a start that fails half-way: each part that started stops.
  const shutdown = async (): Promise<void> => {
    periodics.stop()
    await app.close()
    await conductor.stop()
    await lab?.close()
    await netboot?.close()
    await labNetwork?.close()
    if (unregister) await store.conductors.unregister(conductor.hostname)
    await database.close()
    hostsLock?.release()
  }
  if (plan) {
    try {
      netboot = await startNetboot(config, plan, { bootDir: bootFiles.dir, bootUrl: bootFiles.baseUrl, apiPort: port, apiUrl: agent.apiUrl, log, peers: netbootDeps.bootLog.relayed })
    } catch (e) {
      await shutdown()
      throw e
    }
  }
  periodics.start()
  log.info({ url, db: database.where, conductor: conductor.hostname, bootUrl: bootFiles.baseUrl }, 'ferrum is up')
  process.stdout.write(`Ferrum API listening on ${url} (database ${database.where}, conductor ${conductor.hostname})\n`)

  if (opts.labNodes && opts.labNodes > 0) {
    const { startLabForServer } = await import('../lab/lab-for-server.js')
    const { publishLabImage } = await import('../lab/lab-agent.js')
    const { publishLabDeployFiles } = await import('../lab/netns/firmware.js')
    try {
      let image: { url: string; sha256: string }
      if (vmLab) {
        image = await publishVmLabFiles(bootFiles, opts.ramdiskDir ?? join(config.dataDir, 'ramdisk'), config.dataDir, log)
      } else {
        image = { url: `${bootFiles.baseUrl}/images/lab-os.img`, sha256: (await publishLabImage(bootFiles.dir)).sha256 }
        if (labNetwork) await publishLabDeployFiles(bootFiles.dir)
      }
      const vm = vmLab ? { kernelAppend: 'console=ttyS0 quiet panic=-1' } : undefined
      lab = await startLabForServer({ nodes: opts.labNodes, kind: opts.labKind ?? 'mixed', apiUrl: url, dir: `${config.dataDir}/lab`, log, image, bootUrl: bootFiles.baseUrl, network: labNetwork ?? undefined, vm })
    } catch (e) {
      await shutdown()
      throw e
    }
  }

  let closed = false
  return {
    url, app, store, conductor, log,
    async close() {
      if (closed) return
      closed = true
      unregister = true
      await shutdown()
    },
  }
}

/**
 * The qemu lab's files on the boot server: the real deploy kernel and initramfs (built with
 * `ferrum ramdisk build` into `ramdiskDir` first when it has none) as deploy/kernel and
 * deploy/initrd, the ISO as deploy/deploy.iso, and the bootable VM image the nodes deploy.
 */
async function publishVmLabFiles(bootFiles: { dir: string; baseUrl: string }, ramdiskDir: string, dataDir: string, log: Logger): Promise<{ url: string; sha256: string }> {
  const { publishBootFile } = await import('../drivers/boot-files.js')
  const { writeVmOsImage } = await import('../lab/qemu/vm-os-image.js')
  if (!existsSync(join(ramdiskDir, 'deploy.initrd'))) {
    const { buildRamdisk } = await import('../ramdisk/build.js')
    const { agentBundlePath } = await import('../lab/lab-agent.js')
    log.info({ dir: ramdiskDir }, 'building the deploy ramdisk for the VM lab (ferrum ramdisk build)')
    await buildRamdisk({ outDir: ramdiskDir, cacheDir: join(dataDir, 'cache', 'kernel'), agentBundle: agentBundlePath(), log: (l) => log.info(l) })
  }
  await publishBootFile(bootFiles, join(ramdiskDir, 'deploy.kernel'), 'deploy/kernel')
  await publishBootFile(bootFiles, join(ramdiskDir, 'deploy.initrd'), 'deploy/initrd')
  if (existsSync(join(ramdiskDir, 'deploy.iso'))) await publishBootFile(bootFiles, join(ramdiskDir, 'deploy.iso'), 'deploy/deploy.iso')
  const sha256 = await writeVmOsImage(join(bootFiles.dir, 'images', 'lab-vm-os.img'))
  return { url: `${bootFiles.baseUrl}/images/lab-vm-os.img`, sha256 }
}

/**
 * Where BMCs fetch boot files when `api.bootUrl` is unset: `<publicUrl>/boot`, else the listener
 * (`0.0.0.0`/`::` become loopback, which only suits BMCs on this machine, such as the lab's).
 */
export function defaultBootUrl(api: FerrumConfig['api'], port: number): string {
  return `${reachableUrl(api, port)}/boot`
}

/** The API's URL for nodes and BMCs: `publicUrl`, else the listener (wildcards as loopback). */
export function reachableUrl(api: FerrumConfig['api'], port: number): string {
  if (api.publicUrl) return api.publicUrl.replace(/\/+$/, '')
  let host = api.host
  if (host === '0.0.0.0' || host === '') host = '127.0.0.1'
  else if (host === '::') host = '[::1]'
  else if (host.includes(':')) host = `[${host}]`
  return `http://${host}:${port}`
}
