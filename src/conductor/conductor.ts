import type { Logger } from 'pino'
import type { Store } from '../db/store.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import { INTERFACE_KINDS } from '../db/repos/nodes.js'
import type { ConductorApi, DriverSummary, InterfaceValidation, ProvisionRequest } from './api.js'
import type { DriverCatalog } from './driver-catalog.js'
import type { Clock, DriverContext } from '../drivers/driver-context.js'
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import type { InterfaceByKind } from '../drivers/interfaces/by-kind.js'
import type { BootDevice } from '../drivers/interfaces/management.js'
import { applyEvent, nextTarget, VERBS, STATE_INFO } from '../domain/provision-states.js'
import type { ProvisionEvent, ProvisionState, ProvisionVerb } from '../domain/provision-states.js'
import { isPowerTarget, settledPowerState } from '../domain/power-states.js'
import { ConflictError, FerrumError, NotFoundError, NodeLockedError, ValidationError } from '../domain/errors.js'
import { AdmissionQueue } from './admission.js'
import { toNodeView } from './node-view.js'
import { nowIso } from '../db/codec.js'
import { runWorkflow } from './workflows.js'
import type { FerrumConfig } from '../config/schema.js'

export interface ConductorDeps {
  store: Store
  drivers: DriverCatalog
  config: FerrumConfig['conductor']
  log: Logger
  clock: Clock
}

/** A node locked by this conductor, with helpers to move it through the state machine. */
export interface NodeTask {
  node: NodeRecord
  readonly signal: AbortSignal
  /** Applies a conductor event, persists the state change and records it in history. */
  event(ev: ProvisionEvent, opts?: { lastError?: string | null; targetOverride?: ProvisionState | null; detail?: { code: string; remedy: string } }): Promise<void>
  /** Writes fields of the node. */
  save(changes: Partial<NodeRecord>): Promise<void>
  /** A driver context for one call; its internalInfo is saved afterwards. */
  ctx(timeoutMs?: number): Promise<DriverContext & { dispose(): void }>
  impl<K extends InterfaceKind>(kind: K): InterfaceByKind[K]
}

const DEFAULT_CALL_TIMEOUT_MS = 60_000

/**
 * The conductor: carries out what the API accepts. It locks a node (reservation compare-and-set),
 * moves it through the provision state machine, runs the work in the background (bounded by
 * fair admission queues) and always releases the lock, also on failure.
 */
export class Conductor implements ConductorApi {
  readonly hostname: string
  readonly deployQueue: AdmissionQueue
  readonly cleanQueue: AdmissionQueue
  readonly #running = new Map<number, { abort: AbortController; done: Promise<void> }>()
  #stopping = false

  constructor(readonly deps: ConductorDeps) {
    this.hostname = deps.config.hostname
    this.deployQueue = new AdmissionQueue('deploy', deps.config.maxConcurrentDeploys)
    this.cleanQueue = new AdmissionQueue('clean', deps.config.maxConcurrentCleans)
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

  async validate(node: NodeRecord): Promise<Record<InterfaceKind, InterfaceValidation>> {
    const view = await this.#view(node)
    const out = {} as Record<InterfaceKind, InterfaceValidation>
    for (const kind of INTERFACE_KINDS) {
      const name = view.interfaces[kind]
      try {
        const impl = this.deps.drivers.implementation(kind, name)
        if (name.startsWith('no-') || name === 'noop') {
          out[kind] = { result: null, reason: `not supported` }
          continue
        }
        impl.validate(view)
        out[kind] = { result: true }
      } catch (e) {
        out[kind] = { result: false, reason: (e as Error).message }
      }
    }
    return out
  }

  async getBootDevice(node: NodeRecord): Promise<{ boot_device: string | null; persistent: boolean | null }> {
    return this.#withLock(node, async (task) => {
      const mgmt = task.impl('management')
      const ctx = await task.ctx()
      try {
        const r = await mgmt.getBootDevice(ctx)
        return { boot_device: r.bootDevice, persistent: r.persistent }
      } finally {
        ctx.dispose()
      }
    }, true)
  }

  async setBootDevice(node: NodeRecord, device: string, persistent: boolean): Promise<void> {
    await this.#withLock(node, async (task) => {
      const mgmt = task.impl('management')
      const supported = mgmt.getSupportedBootDevices(await this.#view(task.node))
      const dev = device === 'uefi http' ? 'uefihttp' : device
      if (!(supported as readonly string[]).includes(dev)) {
        throw new ValidationError(`Boot device "${device}" is not supported by node ${node.uuid}; supported: ${supported.join(', ')}.`)
      }
      const ctx = await task.ctx()
      try {
        await mgmt.setBootDevice(ctx, dev as BootDevice, { persistent })
      } finally {
        ctx.dispose()
      }
    })
  }

  async getSupportedBootDevices(node: NodeRecord): Promise<string[]> {
    const view = await this.#view(node)
    return [...this.deps.drivers.implementation('management', view.interfaces.management).getSupportedBootDevices(view)]
  }

  async injectNmi(node: NodeRecord): Promise<void> {
    await this.#withLock(node, async (task) => {
      const ctx = await task.ctx()
      try {
        await task.impl('management').injectNmi(ctx)
      } finally {
        ctx.dispose()
      }
    })
  }

  // ---- asynchronous actions ---------------------------------------------------------------------

  async changePowerState(node: NodeRecord, target: string, opts: { timeoutS?: number }): Promise<void> {
    if (!isPowerTarget(target)) throw new ValidationError(`Invalid power state target "${target}".`)
    const locked = await this.#lock(node)
    const task = this.#task(locked)
    await task.save({ target_power_state: settledPowerState(target) === 'power on' && target.includes('reboot') ? 'power on' : settledPowerState(target), last_error: null })
    this.#spawn(locked.id, task, async () => {
      const power = task.impl('power')
      const timeoutMs = (opts.timeoutS ?? this.deps.config.softPowerOffTimeoutS) * 1000
      const ctx = await task.ctx(timeoutMs + DEFAULT_CALL_TIMEOUT_MS)
      try {
        if (target === 'rebooting' || target === 'soft rebooting') await power.reboot(ctx, { timeoutMs })
        else await power.setPowerState(ctx, target, { timeoutMs })
        await task.save({ power_state: settledPowerState(target), target_power_state: null })
        await this.#history(task.node, 'power', 'INFO', `Power state changed to "${settledPowerState(target)}" (${target})`)
      } catch (e) {
        const msg = `Failed to change power state to "${target}" by the power interface "${power.name}": ${(e as Error).message}`
        await task.save({ target_power_state: null, last_error: msg })
        await this.#history(task.node, 'power', 'ERROR', msg, { code: errorCode(e, 'POWER_ACTION_FAILED'), phase: `power / ${target}`, remedy: 'Check the BMC address and credentials in driver_info (openstack baremetal node validate), then retry.' })
      } finally {
        ctx.dispose()
      }
    })
  }

  async provision(node: NodeRecord, req: ProvisionRequest): Promise<void> {
    const verb = req.verb as ProvisionVerb
    const from = node.provision_state as ProvisionState
    const event = VERBS[verb].event
    const to = applyEvent(from, event, { verb, node: node.name ?? node.uuid, apiOnly: true })
    this.#checkProvisionRules(node, verb, to)
    const locked = await this.#lock(node)
    const task = this.#task(locked)
    try {
      const pre: Partial<NodeRecord> = {}
      const dii = { ...locked.driver_internal_info }
      if (req.configdrive !== undefined && req.configdrive !== null) pre.instance_info = { ...locked.instance_info, configdrive: req.configdrive }
      if (req.rescue_password !== undefined) pre.instance_info = { ...locked.instance_info, rescue_password: req.rescue_password }
      if (req.clean_steps !== undefined) dii.requested_clean_steps = req.clean_steps
      if (req.deploy_steps !== undefined) dii.requested_deploy_steps = req.deploy_steps
      if (req.service_steps !== undefined) dii.requested_service_steps = req.service_steps
      if (req.disable_ramdisk !== undefined) dii.disable_ramdisk = req.disable_ramdisk
      pre.driver_internal_info = dii
      await task.save(pre)
      // Manual cleaning returns to manageable, so it shows "manageable" as its target.
      const override = verb === 'clean' ? 'manageable' : undefined
      await task.event(event, { lastError: null, targetOverride: override })
    } catch (e) {
      await this.deps.store.nodes.release(locked.id, this.hostname)
      throw e
    }
    if (STATE_INFO[to].stable || STATE_INFO[to].kind === 'failed') {
      await this.deps.store.nodes.release(locked.id, this.hostname)
      return
    }
    const queue = to === 'deploying' ? this.deployQueue : to === 'cleaning' ? this.cleanQueue : null
    this.#spawn(locked.id, task, () => (queue ? queue.run(locked.id, () => runWorkflow(this, task)) : runWorkflow(this, task)))
  }

  /** Place in the admission queue for a node waiting to deploy or clean (1-based), else null. */
  queuePosition(nodeId: number): number | null {
    return this.deployQueue.position(nodeId) ?? this.cleanQueue.position(nodeId)
  }

  #checkProvisionRules(node: NodeRecord, verb: ProvisionVerb, to: ProvisionState): void {
    const needsHealthy: ProvisionState[] = ['deploying', 'cleaning', 'inspecting', 'verifying', 'rescuing', 'servicing', 'adopting', 'unrescuing']
    if (node.maintenance && needsHealthy.includes(to) && verb !== 'abort') {
      throw new ValidationError(`Node ${node.uuid} is in maintenance mode${node.maintenance_reason ? ` (${node.maintenance_reason})` : ''}; unset maintenance before "${verb}".`, { code: 'NODE_IN_MAINTENANCE' })
    }
    if (node.protected && (verb === 'deleted' || verb === 'undeploy' || verb === 'rebuild')) {
      throw new ConflictError(`Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted; unset "protected" first.`, { code: 'NODE_PROTECTED' })
    }
    if (node.retired && verb === 'provide') {
      throw new ConflictError(`Node ${node.uuid} is retired and can not be made available; unset "retired" first.`, { code: 'NODE_RETIRED' })
    }
  }

  // ---- locks and tasks --------------------------------------------------------------------------

  async #lock(node: NodeRecord): Promise<NodeRecord> {
    if (this.#stopping) throw new ConflictError('The conductor is shutting down; retry in a moment.', { code: 'CONDUCTOR_STOPPING' })
    const locked = await this.deps.store.nodes.reserve(node.id, this.hostname)
    if (!locked) {
      const fresh = await this.deps.store.nodes.getById(node.id)
      throw new NodeLockedError(node.uuid, fresh?.reservation ?? 'another conductor')
    }
    return locked
  }

  async #withLock<T>(node: NodeRecord, fn: (task: NodeTask) => Promise<T>, shared = false): Promise<T> {
    if (shared) return fn(this.#task(node))
    const locked = await this.#lock(node)
    try {
      return await fn(this.#task(locked))
    } finally {
      await this.deps.store.nodes.release(locked.id, this.hostname)
    }
  }

  #spawn(nodeId: number, task: NodeTask, work: () => Promise<void>): void {
    const abort = new AbortController()
    ;(task as { signal: AbortSignal }).signal = abort.signal
    const done = (async () => {
      try {
        await work()
      } catch (e) {
        this.deps.log.error({ err: e, node: task.node.uuid }, 'node task failed unexpectedly')
        await task.save({ last_error: `Unexpected error: ${(e as Error).message}` }).catch(() => undefined)
      } finally {
        await this.deps.store.nodes.release(nodeId, this.hostname).catch(() => undefined)
        this.#running.delete(nodeId)
      }
    })()
    this.#running.set(nodeId, { abort, done })
  }

  #task(initial: NodeRecord): NodeTask {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this
    const task: NodeTask = {
      node: initial,
      signal: new AbortController().signal,
      async save(changes) {
        task.node = await self.deps.store.nodes.update(task.node.id, changes)
      },
      async event(ev, opts = {}) {
        const from = task.node.provision_state as ProvisionState
        const to = applyEvent(from, ev, { node: task.node.uuid })
        const started = task.node.provision_updated_at ? Date.parse(task.node.provision_updated_at) : null
        const changes: Partial<NodeRecord> = {
          provision_state: to,
          target_provision_state: nextTarget(to, opts.targetOverride === undefined ? (STATE_INFO[to].stable ? null : (task.node.target_provision_state as ProvisionState | null) ?? undefined) : opts.targetOverride),
          provision_updated_at: nowIso(),
        }
        if (opts.lastError !== undefined) changes.last_error = opts.lastError
        await task.save(changes)
        const failed = STATE_INFO[to].kind === 'failed' || (ev === 'fail')
        await self.#history(task.node, 'provisioning', failed ? 'ERROR' : 'INFO',
          failed && opts.lastError ? `${from} -> ${to}: ${opts.lastError}` : `${from} -> ${to} (${ev})`,
          failed ? { code: opts.detail?.code ?? 'PROVISION_FAILED', phase: from, remedy: opts.detail?.remedy ?? remedyFor(to) } : undefined,
          started === null ? null : Date.now() - started)
      },
      async ctx(timeoutMs = DEFAULT_CALL_TIMEOUT_MS) {
        const view = await self.#view(task.node)
        const ac = new AbortController()
        const timer = setTimeout(() => ac.abort(new FerrumError('DRIVER_TIMEOUT', `driver call timed out after ${timeoutMs} ms`, 500, true)), timeoutMs)
        const onAbort = () => ac.abort(task.signal.reason)
        task.signal.addEventListener('abort', onAbort, { once: true })
        const internalInfo = { ...task.node.driver_internal_info }
        const log = self.deps.log.child({ node: task.node.uuid })
        return {
          node: view,
          log,
          signal: ac.signal,
          clock: self.deps.clock,
          internalInfo,
          dispose() {
            clearTimeout(timer)
            task.signal.removeEventListener('abort', onAbort)
            // Persist what the driver recorded (fire-and-forget ordering is kept by the caller awaiting save next).
            if (JSON.stringify(internalInfo) !== JSON.stringify(task.node.driver_internal_info)) {
              task.node = { ...task.node, driver_internal_info: internalInfo }
              void self.deps.store.nodes.update(task.node.id, { driver_internal_info: internalInfo })
            }
          },
        }
      },
      impl(kind) {
        const name = (task.node as unknown as Record<string, string | null>)[`${kind}_interface`]
        if (!name) throw new ValidationError(`Node ${task.node.uuid} has no ${kind} interface set.`)
        return self.deps.drivers.implementation(kind, name)
      },
    }
    return task
  }

  /** A task for a node this conductor already holds (used by resume paths such as heartbeats). */
  taskFor(node: NodeRecord): NodeTask {
    return this.#task(node)
  }

  async #view(node: NodeRecord) {
    const traits = await this.deps.store.nodes.traits(node.id)
    return toNodeView(node, traits)
  }

  async #history(node: NodeRecord, type: string, severity: 'INFO' | 'WARNING' | 'ERROR', event: string, detail?: { code: string; phase: string; remedy: string }, durationMs?: number | null): Promise<void> {
    await this.deps.store.history.add({
      node_id: node.id, event_type: type, severity, event, conductor: this.hostname,
      provision_state: node.provision_state, duration_ms: durationMs ?? null, error_detail: detail ?? null,
    })
  }

  /** Records a history entry (for workflows and periodics). */
  history(node: NodeRecord, type: string, severity: 'INFO' | 'WARNING' | 'ERROR', event: string, detail?: { code: string; phase: string; remedy: string }): Promise<void> {
    return this.#history(node, type, severity, event, detail)
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Waits for all running node tasks (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()].map((r) => r.done))
  }

  /** Stops accepting work, cancels running tasks and waits for them to release their locks. */
  async stop(): Promise<void> {
    this.#stopping = true
    for (const r of this.#running.values()) r.abort.abort(new FerrumError('CONDUCTOR_STOPPING', 'conductor is shutting down', 503, true))
    await this.idle()
  }
}

function errorCode(e: unknown, fallback: string): string {
  return e instanceof FerrumError ? e.code : fallback
}

/** What an operator can do about a node that landed in a failure state. */
export function remedyFor(state: ProvisionState): string {
  switch (state) {
    case 'enroll': return 'Fix driver_info (BMC address, credentials), check `node validate`, then run "manage" again.'
    case 'deploy failed': return 'Read last_error, fix the cause (image, config drive, BMC), then "deploy"/"rebuild" again or "undeploy".'
    case 'clean failed': return 'Read last_error, fix the cause, then "manage" and "provide" again.'
    case 'inspect failed': return 'Read last_error, then "inspect" again or "manage".'
    case 'rescue failed': return 'Read last_error, then "rescue" or "unrescue" again.'
    case 'unrescue failed': return 'Read last_error, then "unrescue" again.'
    case 'service failed': return 'Read last_error, then "service" again or "abort" to return to active.'
    case 'adopt failed': return 'Read last_error, fix driver_info/instance_info, then "adopt" again or "manage".'
    case 'error': return 'The tear-down failed: read last_error, fix the cause, then "undeploy" again.'
    default: return 'Read last_error and the node history for the cause.'
  }
}
