import { INTERFACE_KINDS } from '../domain/interface-kinds.js'
import type { ConsoleInfo } from '../drivers/interfaces/console.js'
import type { AllocationRecord } from '../db/repos/allocations.js'
import type { BiosSettingRecord } from '../db/repos/bios.js'
import type { AllocationCreateRequest, ConductorApi, DriverSummary, IndicatorSummary, InterfaceValidation, NodeUpdate, PassthruMethodInfo, PassthruResult, ProvisionRequest, VifAttachRequest } from './api.js'
import type { ConductorCore, ConductorDeps } from './conductor-core.js'
import { driverSummary, driverVendor, resolveInterfaces } from './conductor-drivers.js'
import { listIndicators, readIndicator, writeIndicator } from './indicators.js'
import { callDriverMethod, methodsInfo, nodePassthru, pickMethod } from './vendor-passthru.js'
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import { BOOT_DEVICE_ALIASES, type BootDevice } from '../drivers/interfaces/management.js'
import { isPowerTarget, settledPowerState } from '../domain/power-states.js'
import { FerrumError, ValidationError } from '../domain/errors.js'
import type { RequestContext } from '../domain/request-context.js'
import { AdmissionQueue } from './admission.js'
import { TaskManager } from './task.js'
import type { NodeTask } from './node-task.js'
import { NodeWorkers } from './node-workers.js'
import { continueNode, provision } from './provisioning.js'
import { continueInspection, type InspectionData } from './inspection.js'
import { heartbeat, lookup, type HeartbeatRequest, type LookupAnswer, type LookupRequest } from './agent-callbacks.js'
import { destroyNode, updateNode } from './node-updates.js'
import { attachVif, checkNetwork, detachVif, listVifs } from './vifs.js'
import { allocate, createAllocation, destroyAllocation } from './allocations.js'
import { failTask } from './fail.js'
import { AbortRequestedError, messageOf } from './failures.js'
import { runPowerChange } from './power-actions.js'
import type { StepSettings } from './step-runner.js'
import { templateStepsFor } from './deploy-templates.js'
import { refreshBiosCache } from './bios-cache.js'

/**
 * The conductor: carries out what the API accepts. Nodes are locked only through its
 * TaskManager (task.ts); work runs in the background on NodeWorkers (bounded by fair admission
 * queues) and the lock is always released, also on failure. The feature modules
 * (provisioning.ts, node-updates.ts, vifs.ts, allocations.ts…) hold the logic; this class is the
 * in-process ConductorApi over them.
 */
export class Conductor implements ConductorApi, ConductorCore {
  readonly hostname: string
  readonly deployQueue: AdmissionQueue
  readonly cleanQueue: AdmissionQueue
  readonly stepSettings: StepSettings
  readonly tasks: TaskManager
  readonly workers: NodeWorkers

  constructor(readonly deps: ConductorDeps) {
    this.hostname = deps.config.hostname
    this.deployQueue = new AdmissionQueue('deploy', deps.config.maxConcurrentDeploys)
    this.cleanQueue = new AdmissionQueue('clean', deps.config.maxConcurrentCleans)
    this.stepSettings = { automatedClean: deps.config.automatedClean, templateSteps: (node) => templateStepsFor(deps.store, node) }
    this.tasks = new TaskManager(
      { store: deps.store, drivers: deps.drivers, log: deps.log, clock: deps.clock, hostname: this.hostname, bootFiles: deps.bootFiles, dhcp: deps.dhcp, agent: deps.agent },
      { attempts: deps.config.nodeLockedRetryAttempts, intervalMs: deps.config.nodeLockedRetryIntervalS * 1000 },
    )
    this.workers = new NodeWorkers(this.tasks, deps.log)
  }

  // ---- drivers --------------------------------------------------------------------------------

  async listDrivers(_ctx: RequestContext): Promise<DriverSummary[]> {
    return this.deps.drivers.hardwareTypes().map((name) => driverSummary(this, name))
  }

  async getDriver(_ctx: RequestContext, name: string): Promise<DriverSummary> {
    return driverSummary(this, name)
  }

  async driverProperties(_ctx: RequestContext, name: string): Promise<Record<string, string>> {
    driverSummary(this, name, 'call')
    return this.deps.drivers.properties(name)
  }

  async resolveInterfaces(_ctx: RequestContext, driver: string, requested: Partial<Record<InterfaceKind, string | null>>): Promise<Record<InterfaceKind, string>> {
    return resolveInterfaces(this, driver, requested)
  }

  // ---- synchronous driver calls -----------------------------------------------------------------

  /** Ironic's validate: each interface's validate(), true or false with the reason. Never touches the BMC. */
  async validate(_ctx: RequestContext, node: string): Promise<Record<InterfaceKind, InterfaceValidation>> {
    const view = await (await this.tasks.sharedTask(node)).view()
    const out = {} as Record<InterfaceKind, InterfaceValidation>
    for (const kind of INTERFACE_KINDS) {
      try {
        this.deps.drivers.implementation(kind, view.interfaces[kind]).validate(view)
        out[kind] = { result: true }
      } catch (e) {
        out[kind] = { result: false, reason: messageOf(e) }
      }
    }
    return out
  }

  async getBootDevice(_ctx: RequestContext, node: string): Promise<{ boot_device: string | null; persistent: boolean | null }> {
    const task = await this.tasks.sharedTask(node)
    const r = await task.call((ctx) => task.impl('management').getBootDevice(ctx))
    return { boot_device: r.bootDevice, persistent: r.persistent }
  }

  async setBootDevice(_ctx: RequestContext, node: string, device: string, persistent: boolean): Promise<void> {
    await this.tasks.withNodeLock(node, async (task) => {
      const mgmt = task.impl('management')
      const supported = mgmt.getSupportedBootDevices(await task.view())
      const dev = BOOT_DEVICE_ALIASES[device] ?? device
      if (!(supported as readonly string[]).includes(dev)) {
        throw new ValidationError(`Boot device "${device}" is not supported by node ${task.uuid}; supported: ${supported.join(', ')}.`)
      }
      await task.call((ctx) => mgmt.setBootDevice(ctx, dev as BootDevice, { persistent }))
    }, { purpose: 'set boot device' })
  }

  async getSupportedBootDevices(_ctx: RequestContext, node: string): Promise<string[]> {
    const task = await this.tasks.sharedTask(node)
    return [...task.impl('management').getSupportedBootDevices(await task.view())]
  }

  async injectNmi(_ctx: RequestContext, node: string): Promise<void> {
    await this.tasks.withNodeLock(node, (task) => task.call((ctx) => task.impl('management').injectNmi(ctx)), { purpose: 'inject NMI' })
  }

  async getConsole(_ctx: RequestContext, node: string): Promise<{ console_enabled: boolean; console_info: ConsoleInfo | null }> {
    const task = await this.tasks.sharedTask(node)
    const console = task.impl('console')
    console.validate(await task.view())
    if (!task.node.console_enabled) return { console_enabled: false, console_info: null }
    const info = await task.call((ctx) => console.getConsole(ctx))
    return { console_enabled: true, console_info: { type: info.type, url: info.url } }
  }

  async setConsole(_ctx: RequestContext, node: string, enabled: boolean): Promise<void> {
    await this.tasks.withNodeLock(node, async (task) => {
      const console = task.impl('console')
      console.validate(await task.view())
      if (task.node.console_enabled === enabled) return
      await task.call((ctx) => (enabled ? console.startConsole(ctx) : console.stopConsole(ctx)))
      await task.save({ console_enabled: enabled })
      await task.history('console', 'INFO', `Console ${enabled ? 'enabled' : 'disabled'}`)
    }, { purpose: 'set console mode' })
  }

  // ---- indicators and vendor passthru -----------------------------------------------------------

  async listIndicators(_ctx: RequestContext, node: string): Promise<IndicatorSummary[]> {
    const task = await this.tasks.sharedTask(node)
    return listIndicators(task.impl('management'), await task.view())
  }

  async getIndicatorState(_ctx: RequestContext, node: string, component: string, indicator: string): Promise<string> {
    return readIndicator(await this.tasks.sharedTask(node), component, indicator)
  }

  async setIndicatorState(_ctx: RequestContext, node: string, component: string, indicator: string, state: string): Promise<void> {
    await this.tasks.withNodeLock(node, (task) => writeIndicator(task, component, indicator, state), { purpose: 'set indicator' })
  }

  async biosSettings(_ctx: RequestContext, node: string): Promise<BiosSettingRecord[]> {
    return refreshBiosCache(this, node)
  }

  async nodeVendorMethods(_ctx: RequestContext, node: string): Promise<Record<string, PassthruMethodInfo>> {
    return methodsInfo((await this.tasks.sharedTask(node)).impl('vendor').methods)
  }

  async nodeVendorPassthru(_ctx: RequestContext, node: string, name: string, httpMethod: string, args: Record<string, unknown>): Promise<PassthruResult> {
    return nodePassthru({
      shared: await this.tasks.sharedTask(node),
      withLock: (fn) => this.tasks.withNodeLock(node, fn, { purpose: `vendor passthru ${name}` }),
      spawnLocked: async (prepare, work) => {
        const task = await this.tasks.acquire(node, { purpose: `vendor passthru ${name}` })
        const prepared = await prepare(task).catch(async (e: unknown) => {
          await this.tasks.release(task)
          throw e
        })
        this.workers.spawn(task, () => work(task, prepared))
      },
    }, name, httpMethod, args)
  }

  async driverVendorMethods(_ctx: RequestContext, driver: string): Promise<Record<string, PassthruMethodInfo>> {
    return methodsInfo(driverVendor(this, driver).driverMethods)
  }

  async driverVendorPassthru(_ctx: RequestContext, driver: string, name: string, httpMethod: string, args: Record<string, unknown>): Promise<PassthruResult> {
    const vendor = driverVendor(this, driver)
    const picked = pickMethod(vendor.driverMethods, name, httpMethod, `vendor interface "${vendor.name}" of driver ${driver}`)
    return callDriverMethod(picked, name, args, { log: this.deps.log.child({ driver, vendor_method: name }), clock: this.deps.clock })
  }

  // ---- asynchronous actions ---------------------------------------------------------------------

  /** Locks the node, shows the target power state and changes power in the background. */
  async changePowerState(_ctx: RequestContext, node: string, target: string, opts: { timeoutS?: number }): Promise<void> {
    if (!isPowerTarget(target)) throw new ValidationError(`Invalid power state target "${target}".`)
    const task = await this.tasks.acquire(node, { purpose: `power ${target}` })
    try {
      task.impl('power').validate(await task.view())
      await task.save({ target_power_state: settledPowerState(target), last_error: null })
    } catch (e) {
      await this.tasks.release(task)
      throw e instanceof FerrumError ? e : new ValidationError(messageOf(e))
    }
    const timeoutMs = (opts.timeoutS ?? this.deps.config.softPowerOffTimeoutS) * 1000
    this.workers.spawn(task, () => runPowerChange(task, target, timeoutMs))
  }

  /** See provisioning.ts. */
  async provision(_ctx: RequestContext, node: string, req: ProvisionRequest): Promise<void> {
    return provision(this, node, req)
  }

  /** See provisioning.ts. */
  async continueNode(_ctx: RequestContext, node: string): Promise<void> {
    return continueNode(this, node)
  }

  async agentLookup(_ctx: RequestContext, req: LookupRequest): Promise<LookupAnswer> {
    return lookup(this, req, this.deps.agent?.heartbeatTimeoutS ?? 300)
  }

  async agentHeartbeat(_ctx: RequestContext, node: string, req: HeartbeatRequest): Promise<void> {
    return heartbeat(this, node, req)
  }

  async continueInspection(_ctx: RequestContext, data: InspectionData): Promise<LookupAnswer> {
    return continueInspection(this, data, this.deps.agent?.heartbeatTimeoutS ?? 300)
  }

  /** Place in the admission queue for a node waiting to deploy or clean (1-based), else null. */
  async queuePosition(_ctx: RequestContext, node: string): Promise<number | null> {
    const run = this.workers.get(node)
    return run ? this.admissionPosition(run.task.node.id) : null
  }

  admissionPosition(nodeId: number): number | null {
    return this.deployQueue.position(nodeId) ?? this.cleanQueue.position(nodeId)
  }

  /** WorkflowHost: waits for a free slot of the phase's queue, then runs `fn`. */
  async admit(task: NodeTask, phase: 'deploy' | 'clean', fn: () => Promise<void>): Promise<void> {
    const queue = phase === 'deploy' ? this.deployQueue : this.cleanQueue
    try {
      await queue.run(task.node.id, fn, task.signal)
    } catch (e) {
      if (!task.signal.aborted || e !== task.signal.reason) throw e
      const message = e instanceof AbortRequestedError ? `${task.state}: aborted on request while waiting for a free ${phase} slot.` : undefined
      await failTask(task, e, { code: 'ABORTED', message })
    }
  }

  // ---- node updates, VIFs, allocations, RAID ----------------------------------------------------

  async updateNode(_ctx: RequestContext, node: string, update: NodeUpdate): Promise<void> {
    await updateNode(this, node, update)
  }

  async destroyNode(_ctx: RequestContext, node: string): Promise<void> {
    await destroyNode(this, node)
  }

  async listVifs(_ctx: RequestContext, node: string): Promise<{ id: string }[]> {
    return listVifs(this.deps.store, (await this.tasks.sharedTask(node)).node)
  }

  async attachVif(_ctx: RequestContext, node: string, vif: VifAttachRequest): Promise<void> {
    await this.tasks.withNodeLock(node, async (task) => {
      await checkNetwork(task)
      await attachVif(task, vif)
    }, { purpose: 'VIF attach' })
  }

  async detachVif(_ctx: RequestContext, node: string, vifId: string): Promise<void> {
    await this.tasks.withNodeLock(node, (task) => detachVif(task, vifId), { purpose: 'VIF detach' })
  }

  async createAllocation(_ctx: RequestContext, req: AllocationCreateRequest): Promise<AllocationRecord> {
    return createAllocation({ store: this.deps.store, log: this.deps.log }, req, (work) => this.#background(work))
  }

  /** Allocations being processed (Ironic's spawned allocation workers); stop() waits for them. */
  readonly #allocating = new Set<Promise<unknown>>()

  #background(work: () => Promise<unknown>): void {
    const p = work().catch((e: unknown) => this.deps.log.error({ err: e }, 'allocation worker failed'))
    this.#allocating.add(p)
    void p.finally(() => this.#allocating.delete(p))
  }

  /** After a restart: allocations a stopped conductor left in `allocating` are processed again. */
  async resumeAllocations(): Promise<number> {
    const left = await this.deps.store.allocations.list({ state: 'allocating' })
    for (const a of left) this.#background(() => allocate({ store: this.deps.store, log: this.deps.log }, a))
    return left.length
  }

  async destroyAllocation(_ctx: RequestContext, allocation: string): Promise<void> {
    const alloc = await this.deps.store.allocations.getByIdent(allocation)
    await destroyAllocation({ store: this.deps.store, log: this.deps.log, tasks: this.tasks }, alloc)
  }

  async setTargetRaidConfig(_ctx: RequestContext, node: string, config: Record<string, unknown> | null): Promise<void> {
    await this.tasks.withNodeLock(node, (task) => task.save({ target_raid_config: config ?? {} }), { purpose: 'set target RAID config' })
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Nodes with work in flight on this conductor. */
  get busy(): number {
    return this.workers.size
  }

  /** Waits for all running node tasks (tests and graceful shutdown). */
  async idle(): Promise<void> {
    await this.workers.idle()
    while (this.#allocating.size > 0) await Promise.all([...this.#allocating])
  }

  /** Stops accepting work, cancels running tasks (their nodes fail) and waits for their locks to go. */
  async stop(): Promise<void> {
    this.tasks.stop()
    this.workers.abortAll(new FerrumError('CONDUCTOR_STOPPING', 'the conductor is shutting down', 503, true))
    await this.idle()
    await this.deps.drivers.close?.()
  }
}
