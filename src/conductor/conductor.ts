import type { Logger } from 'pino'
import type { Store } from '../db/store.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import { INTERFACE_KINDS } from '../db/repos/nodes.js'
import type { ConductorApi, DriverSummary, IndicatorSummary, InterfaceValidation, PassthruMethodInfo, PassthruResult, ProvisionRequest } from './api.js'
import type { DriverCatalog } from './driver-catalog.js'
import { listIndicators, readIndicator, writeIndicator } from './indicators.js'
import { callDriverMethod, methodsInfo, nodePassthru, pickMethod } from './vendor-passthru.js'
import type { Clock } from '../common/clock.js'
import type { BootFiles } from '../drivers/driver-context.js'
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import type { BootDevice } from '../drivers/interfaces/management.js'
import type { DriverStep } from '../drivers/steps.js'
import { applyEvent, invalidActionMessage, isProvisionVerb, STATE_INFO, VERBS, WAIT_STATES } from '../domain/provision-states.js'
import type { ProvisionState, ProvisionVerb } from '../domain/provision-states.js'
import { isPowerTarget, settledPowerState } from '../domain/power-states.js'
import { ConflictError, FerrumError, InvalidStateError, InvalidStateRequestedError, NotFoundError, NodeLockedError, ValidationError } from '../domain/errors.js'
import { AdmissionQueue } from './admission.js'
import { NodeTask, type TaskDeps } from './node-task.js'
import { continueFromWait, runWorkflow, type WorkflowHost } from './workflows.js'
import { abortParked, failTask, phaseOfState, STEP_FIELD, wipeProgress } from './fail.js'
import { AbortRequestedError, messageOf } from './failures.js'
import { runPowerChange } from './power-actions.js'
import type { StepSettings } from './step-runner.js'
import { templateStepsFor } from './deploy-templates.js'
import type { FerrumConfig } from '../config/schema.js'

export interface ConductorDeps {
  store: Store
  drivers: DriverCatalog
  config: FerrumConfig['conductor']
  log: Logger
  clock: Clock
  /** Ferrum's HTTP boot server (dir + URL prefix), handed to drivers; unset when none runs. */
  bootFiles?: BootFiles
}

/** Working states whose work the `abort` verb may interrupt (a Ferrum extension). */
const ABORTABLE_WORK: ReadonlySet<ProvisionState> = new Set(['deploying', 'cleaning', 'servicing', 'inspecting', 'rescuing'])
/** Working states that refuse nodes in maintenance (as Ironic does). */
const NEEDS_HEALTHY: ReadonlySet<ProvisionState> = new Set(['deploying', 'cleaning', 'inspecting', 'verifying', 'rescuing', 'servicing', 'adopting', 'unrescuing'])

interface Running {
  readonly task: NodeTask
  readonly abort: AbortController
  readonly done: Promise<void>
}

/**
 * The conductor: carries out what the API accepts. It locks a node (reservation compare-and-set),
 * moves it through the provision state machine, runs the work in the background (bounded by
 * fair admission queues) and always releases the lock, also on failure.
 */
export class Conductor implements ConductorApi, WorkflowHost {
  readonly hostname: string
  readonly deployQueue: AdmissionQueue
  readonly cleanQueue: AdmissionQueue
  readonly stepSettings: StepSettings
  readonly #running = new Map<number, Running>()
  readonly #taskDeps: TaskDeps
  #stopping = false

  constructor(readonly deps: ConductorDeps) {
    this.hostname = deps.config.hostname
    this.deployQueue = new AdmissionQueue('deploy', deps.config.maxConcurrentDeploys)
    this.cleanQueue = new AdmissionQueue('clean', deps.config.maxConcurrentCleans)
    this.stepSettings = { automatedClean: deps.config.automatedClean, templateSteps: (node) => templateStepsFor(deps.store, node) }
    this.#taskDeps = { store: deps.store, drivers: deps.drivers, log: deps.log, clock: deps.clock, hostname: this.hostname, bootFiles: deps.bootFiles }
  }

  // ---- drivers --------------------------------------------------------------------------------

  listDrivers(): DriverSummary[] {
    return this.deps.drivers.hardwareTypes().map((name) => this.getDriver(name))
  }

  getDriver(name: string): DriverSummary {
    if (!this.deps.drivers.hardwareTypes().includes(name)) {
      throw new NotFoundError(`Could not find the following driver(s) or hardware type(s): ${name}.`, { code: 'DRIVER_NOT_FOUND' })
    }
    return { name, hosts: [this.hostname], type: 'dynamic', interfaces: this.deps.drivers.interfaceOptions(name) }
  }

  driverProperties(name: string): Record<string, string> {
    this.getDriver(name)
    return this.deps.drivers.properties(name)
  }

  resolveInterfaces(driver: string, requested: Partial<Record<InterfaceKind, string | null>>): Record<InterfaceKind, string> {
    if (!this.deps.drivers.hardwareTypes().includes(driver)) {
      throw new ValidationError(`No valid host was found. Reason: No conductor service registered which supports driver ${driver} for conductor group "". Use one of: ${this.deps.drivers.hardwareTypes().join(', ')}.`, { code: 'DRIVER_NOT_FOUND' })
    }
    return this.deps.drivers.resolve(driver, requested)
  }

  // ---- synchronous driver calls -----------------------------------------------------------------

  /** Ironic's validate: each interface's validate(), true or false with the reason. Never touches the BMC. */
  async validate(node: NodeRecord): Promise<Record<InterfaceKind, InterfaceValidation>> {
    const view = await this.#task(node).view()
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

  async getBootDevice(node: NodeRecord): Promise<{ boot_device: string | null; persistent: boolean | null }> {
    const task = this.#task(node)
    const r = await task.call((ctx) => task.impl('management').getBootDevice(ctx), undefined, { readOnly: true })
    return { boot_device: r.bootDevice, persistent: r.persistent }
  }

  async setBootDevice(node: NodeRecord, device: string, persistent: boolean): Promise<void> {
    await this.#withLock(node, async (task) => {
      const mgmt = task.impl('management')
      const supported = mgmt.getSupportedBootDevices(await task.view())
      const dev = device === 'uefi http' ? 'uefihttp' : device
      if (!(supported as readonly string[]).includes(dev)) {
        throw new ValidationError(`Boot device "${device}" is not supported by node ${node.uuid}; supported: ${supported.join(', ')}.`)
      }
      await task.call((ctx) => mgmt.setBootDevice(ctx, dev as BootDevice, { persistent }))
    })
  }

  async getSupportedBootDevices(node: NodeRecord): Promise<string[]> {
    const task = this.#task(node)
    return [...task.impl('management').getSupportedBootDevices(await task.view())]
  }

  async injectNmi(node: NodeRecord): Promise<void> {
    await this.#withLock(node, (task) => task.call((ctx) => task.impl('management').injectNmi(ctx)))
  }

  // ---- indicators and vendor passthru -----------------------------------------------------------

  async listIndicators(node: NodeRecord): Promise<IndicatorSummary[]> {
    const task = this.#task(node)
    return listIndicators(task.impl('management'), await task.view())
  }

  async getIndicatorState(node: NodeRecord, component: string, indicator: string): Promise<string> {
    return readIndicator(this.#task(node), component, indicator)
  }

  async setIndicatorState(node: NodeRecord, component: string, indicator: string, state: string): Promise<void> {
    await this.#withLock(node, (task) => writeIndicator(task, component, indicator, state))
  }

  async nodeVendorMethods(node: NodeRecord): Promise<Record<string, PassthruMethodInfo>> {
    return methodsInfo(this.#task(node).impl('vendor').methods)
  }

  async nodeVendorPassthru(node: NodeRecord, name: string, httpMethod: string, args: Record<string, unknown>): Promise<PassthruResult> {
    return nodePassthru({
      shared: this.#task(node),
      withLock: (fn) => this.#withLock(node, fn),
      spawnLocked: async (prepare, work) => {
        const task = await this.#lockedTask(node)
        const prepared = await prepare(task).catch(async (e: unknown) => {
          await this.#release(task)
          throw e
        })
        this.#spawn(task, () => work(task, prepared))
      },
    }, name, httpMethod, args)
  }

  driverVendorMethods(driver: string): Record<string, PassthruMethodInfo> {
    return methodsInfo(this.#driverVendor(driver).driverMethods)
  }

  async driverVendorPassthru(driver: string, name: string, httpMethod: string, args: Record<string, unknown>): Promise<PassthruResult> {
    const vendor = this.#driverVendor(driver)
    const picked = pickMethod(vendor.driverMethods, name, httpMethod, `vendor interface "${vendor.name}" of driver ${driver}`)
    return callDriverMethod(picked, name, args, { log: this.deps.log.child({ driver, vendor_method: name }), clock: this.deps.clock })
  }

  /** The hardware type's default vendor interface (driver-level passthru has no node to choose one). */
  #driverVendor(driver: string) {
    const name = this.getDriver(driver).interfaces.vendor?.default
    if (!name) throw new ValidationError(`Hardware type ${driver} has no enabled vendor interface.`, { code: 'FERRUM_UNSUPPORTED_DRIVER_EXTENSION' })
    return this.deps.drivers.implementation('vendor', name)
  }

  // ---- asynchronous actions ---------------------------------------------------------------------

  /** Locks the node, shows the target power state and changes power in the background. */
  async changePowerState(node: NodeRecord, target: string, opts: { timeoutS?: number }): Promise<void> {
    if (!isPowerTarget(target)) throw new ValidationError(`Invalid power state target "${target}".`)
    const task = await this.#lockedTask(node)
    try {
      task.impl('power').validate(await task.view())
      await task.save({ target_power_state: settledPowerState(target), last_error: null })
    } catch (e) {
      await this.#release(task)
      throw e instanceof FerrumError ? e : new ValidationError(messageOf(e))
    }
    const timeoutMs = (opts.timeoutS ?? this.deps.config.softPowerOffTimeoutS) * 1000
    this.#spawn(task, () => runPowerChange(task, target, timeoutMs))
  }

  /**
   * Accepts a provision verb: checks it against the state machine and the rules, locks the node,
   * applies the event and starts the work. `abort` also stops work in flight (see docs/conductor.md).
   * @throws InvalidStateError (409) naming the state and the verbs allowed there
   * @throws NodeLockedError (409) while another operation holds the node
   */
  async provision(node: NodeRecord, req: ProvisionRequest): Promise<void> {
    const verb = req.verb
    if (!isProvisionVerb(verb)) throw new ValidationError(`"${verb}" is not a valid provision target.`)
    if (verb === 'abort' && this.#running.has(node.id)) return this.#abortRunning(node.id, req.apiMinor)
    const event = VERBS[verb].event
    const to = this.#accept(node, node.provision_state as ProvisionState, verb, req.apiMinor)
    this.#checkRules(node, verb, to)
    const task = await this.#lockedTask(node)
    try {
      // The node may have moved between the read and the lock.
      this.#accept(task.node, task.state, verb, req.apiMinor, false)
      if (verb === 'abort') {
        this.#spawn(task, () => abortParked(task))
        return
      }
      const changes = this.#requestChanges(task.node, verb, req)
      await task.event(event, { lastError: null, targetOverride: verb === 'clean' ? 'manageable' : undefined, changes })
    } catch (e) {
      await this.#release(task)
      throw e
    }
    if (STATE_INFO[task.state].stable || STATE_INFO[task.state].kind === 'failed') {
      await this.#release(task)
      return
    }
    this.#spawn(task, () => runWorkflow(this, task))
  }

  /**
   * The state `verb` leads to from `state`. As in Ironic, a refused verb on a node that is busy
   * is a 409 NodeLocked (clients retry), and on an idle node a 400 naming the state and the
   * verbs allowed there (clients give up at once).
   */
  #accept(node: NodeRecord, state: ProvisionState, verb: ProvisionVerb, apiMinor?: number, lockMatters = true): ProvisionState {
    try {
      return applyEvent(state, VERBS[verb].event, { verb, node: node.name ?? node.uuid, apiOnly: true, apiMinor })
    } catch (e) {
      if (!(e instanceof InvalidStateError)) throw e
      if (lockMatters && node.reservation !== null) throw new NodeLockedError(node.uuid, node.reservation)
      throw new InvalidStateRequestedError(e.message, { details: e.details })
    }
  }

  /** The node fields a verb's arguments set, and the stale progress it forgets. */
  #requestChanges(node: NodeRecord, verb: ProvisionVerb, req: ProvisionRequest): Partial<NodeRecord> {
    const changes: Partial<NodeRecord> = {}
    const phase = verb === 'clean' || verb === 'provide' ? 'clean' : verb === 'service' ? 'service' : ['deploy', 'active', 'rebuild'].includes(verb) ? 'deploy' : null
    const wiped = wipeProgress(node, phase)
    Object.assign(changes, wiped)
    const dii = { ...(wiped.driver_internal_info ?? node.driver_internal_info) }
    if (req.configdrive !== undefined && req.configdrive !== null) changes.instance_info = { ...node.instance_info, configdrive: req.configdrive }
    if (req.rescue_password !== undefined) changes.instance_info = { ...node.instance_info, rescue_password: req.rescue_password }
    if (req.clean_steps !== undefined) dii.requested_clean_steps = req.clean_steps
    if (req.deploy_steps !== undefined) dii.requested_deploy_steps = req.deploy_steps
    if (req.service_steps !== undefined) dii.requested_service_steps = req.service_steps
    if (req.disable_ramdisk !== undefined) dii.disable_ramdisk = req.disable_ramdisk
    if (verb === 'deleted' || verb === 'undeploy') dii.ferrum_teardown_from = node.provision_state
    changes.driver_internal_info = dii
    return changes
  }

  #checkRules(node: NodeRecord, verb: ProvisionVerb, to: ProvisionState): void {
    if (node.maintenance && NEEDS_HEALTHY.has(to)) {
      throw new ValidationError(`Node ${node.uuid} is in maintenance mode${node.maintenance_reason ? ` (${node.maintenance_reason})` : ''}; unset maintenance before "${verb}".`, { code: 'NODE_IN_MAINTENANCE' })
    }
    if (node.protected && (verb === 'deleted' || verb === 'undeploy' || verb === 'rebuild')) {
      throw new ConflictError(`Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted; unset "protected" first.`, { code: 'NODE_PROTECTED' })
    }
    if (node.retired && verb === 'provide') {
      throw new ConflictError(`Node ${node.uuid} is retired and can not be made available; unset "retired" first.`, { code: 'NODE_RETIRED' })
    }
  }

  /**
   * `abort` on a node this conductor is working on (Ferrum's extension; Ironic only aborts parked
   * nodes). A node still waiting for an admission slot, or running an abortable step, stops at
   * once; a non-abortable step is marked `abort_after` and the node fails when it finishes.
   */
  async #abortRunning(nodeId: number, apiMinor?: number): Promise<void> {
    const run = this.#running.get(nodeId)!
    const task = run.task
    const state = task.state
    if (!ABORTABLE_WORK.has(state)) {
      throw new InvalidStateError(invalidActionMessage(state, 'abort', task.node.name ?? task.uuid, apiMinor) + ' The current operation cannot be aborted; wait for it to finish.')
    }
    const phase = phaseOfState(state)
    const step = phase ? (task.node[STEP_FIELD[phase]] as DriverStep | null) : null
    if (this.queuePosition(nodeId) !== null || !step || step.abortable) {
      run.abort.abort(new AbortRequestedError())
      return
    }
    task.abortAfterStep = true
    await task.save({ [STEP_FIELD[phase!]]: { ...step, abort_after: true } })
    await task.history('provisioning', 'INFO', `Abort requested during step ${step.interface}.${step.step}, which cannot be interrupted; the node fails once it finishes.`)
  }

  /**
   * Continues a node parked in a wait state (`wait call-back`, `clean wait`, …): the pending
   * work finished. The agent's heartbeat calls this; tests call it for fake hardware.
   * @throws InvalidStateError when the node is not waiting
   * @throws NodeLockedError while the node is busy (the caller retries)
   */
  async continueNode(node: NodeRecord): Promise<void> {
    if (!WAIT_STATES.has(node.provision_state as ProvisionState)) {
      throw new InvalidStateError(`Node ${node.name ?? node.uuid} is not waiting for a callback: it is in state "${node.provision_state}".`)
    }
    const task = await this.#lockedTask(node)
    if (!WAIT_STATES.has(task.state)) {
      await this.#release(task)
      throw new InvalidStateError(`Node ${node.name ?? node.uuid} is not waiting for a callback: it is in state "${task.state}".`)
    }
    this.#spawn(task, () => continueFromWait(this, task))
  }

  /** Place in the admission queue for a node waiting to deploy or clean (1-based), else null. */
  queuePosition(nodeId: number): number | null {
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

  // ---- locks and tasks --------------------------------------------------------------------------

  #task(node: NodeRecord): NodeTask {
    return new NodeTask(this.#taskDeps, node)
  }

  /** A task for a node that the caller has locked itself (periodics). */
  taskFor(node: NodeRecord): NodeTask {
    return this.#task(node)
  }

  async #lockedTask(node: NodeRecord): Promise<NodeTask> {
    if (this.#stopping) throw new ConflictError('The conductor is shutting down; retry in a moment.', { code: 'CONDUCTOR_STOPPING' })
    const locked = await this.deps.store.nodes.reserve(node.id, this.hostname)
    if (!locked) {
      const fresh = await this.deps.store.nodes.getById(node.id)
      if (!fresh) throw new NotFoundError(`Node ${node.uuid} could not be found.`, { code: 'NODE_NOT_FOUND' })
      throw new NodeLockedError(node.uuid, fresh.reservation ?? 'another conductor')
    }
    return this.#task(locked)
  }

  async #release(task: NodeTask): Promise<void> {
    await this.deps.store.nodes.release(task.node.id, this.hostname)
  }

  async #withLock<T>(node: NodeRecord, fn: (task: NodeTask) => Promise<T>): Promise<T> {
    const task = await this.#lockedTask(node)
    try {
      return await fn(task)
    } finally {
      await this.#release(task)
    }
  }

  /**
   * Runs `work` in the background on a locked task. Whatever happens, a node left in a working
   * state is failed (never left "deploying" forever) and the lock is released last.
   */
  #spawn(task: NodeTask, work: () => Promise<void>): void {
    const abort = new AbortController()
    task.signal = abort.signal
    const done = (async () => {
      try {
        await work()
      } catch (e) {
        this.deps.log.error({ err: e, node: task.uuid }, 'node task failed unexpectedly')
        try {
          if (STATE_INFO[task.state].kind === 'working') await failTask(task, e, { code: 'UNEXPECTED_ERROR' })
          else await task.save({ last_error: `Unexpected error: ${messageOf(e)}`, target_power_state: null })
        } catch (e2) {
          this.deps.log.error({ err: e2, node: task.uuid }, 'could not record the failure')
        }
      } finally {
        await this.#release(task).catch((e: unknown) => this.deps.log.error({ err: e, node: task.uuid }, 'could not release the node lock'))
        this.#running.delete(task.node.id)
      }
    })()
    this.#running.set(task.node.id, { task, abort, done })
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Nodes with work in flight on this conductor. */
  get busy(): number {
    return this.#running.size
  }

  /** Waits for all running node tasks (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()].map((r) => r.done))
  }

  /** Stops accepting work, cancels running tasks (their nodes fail) and waits for their locks to go. */
  async stop(): Promise<void> {
    this.#stopping = true
    for (const r of this.#running.values()) r.abort.abort(new FerrumError('CONDUCTOR_STOPPING', 'the conductor is shutting down', 503, true))
    await this.idle()
    await this.deps.drivers.close?.()
  }
}
