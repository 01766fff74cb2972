import type { Logger } from 'pino'
import type { Store } from '../db/store.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { HistoryErrorDetail } from '../db/repos/history.js'
import type { DriverCatalog } from './driver-catalog.js'
import type { Clock } from '../common/clock.js'
import type { AgentSettings, BootFiles, DriverContext } from '../drivers/driver-context.js'
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import type { InterfaceByKind } from '../drivers/interfaces/by-kind.js'
import type { NodeView, PortView } from '../drivers/node-view.js'
import { applyEvent, nextTarget, STATE_INFO } from '../domain/provision-states.js'
import type { ProvisionEvent, ProvisionState } from '../domain/provision-states.js'
import { FerrumError, ValidationError } from '../domain/errors.js'
import { toNodeView } from './node-view.js'
import { nowIso } from '../db/codec.js'
import { MIN_PHASE_MS, phaseEvent, type OpenPhase } from './timeline.js'

/** Default deadline of one driver call. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000
import type { DhcpProvider } from '../netboot/dhcp-hosts.js'

/** What a task needs from the conductor. */
export interface TaskDeps {
  store: Store
  drivers: DriverCatalog
  log: Logger
  clock: Clock
  hostname: string
  /** Ferrum's HTTP boot server, passed to drivers as `ctx.bootFiles` (read at each call). */
  bootFiles?: BootFiles
  /** DHCP host entries, passed to drivers as `ctx.dhcp`. */
  dhcp?: DhcpProvider
  /** Agent protocol settings, passed to drivers as `ctx.agent`. */
  agent?: AgentSettings
}

/** Options of {@link NodeTask.event}. */
export interface EventOptions {
  /** Sets (or, with null, clears) last_error. */
  lastError?: string | null
  /** The target_provision_state to show instead of the state's default (manual cleaning). */
  targetOverride?: ProvisionState | null
  /** For failures: the stable code, phase and remedy recorded in history. */
  detail?: HistoryErrorDetail
  /** Extra fields saved in the same update as the state change. */
  changes?: Partial<NodeRecord>
}

/**
 * A node held by this conductor (exclusive), or looked at without a lock (shared, for reads).
 * Tasks come from the TaskManager (task.ts). Every write goes through `save`/`event`, in order and
 * awaited, so what the database holds is always what the task last did — the basis of crash
 * recovery.
 */
export class NodeTask {
  /** Aborted when the operator aborts the work or the conductor stops. */
  signal: AbortSignal = new AbortController().signal
  /** Set when an abort arrived during a step that cannot be interrupted: stop after it. */
  abortAfterStep = false

  /**
   * @param shared true for a read-only task on a node this conductor does not hold: its driver
   *   calls save nothing and `save`/`event` throw
   */
  constructor(readonly deps: TaskDeps, public node: NodeRecord, readonly shared = false) {}

  /** The conductor's clock, as an ISO-8601 timestamp (what the store keeps). */
  nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString()
  }

  get uuid(): string {
    return this.node.uuid
  }

  get state(): ProvisionState {
    return this.node.provision_state
  }

  /**
   * Writes fields of the node and keeps the fresh record.
   * @throws Error on a shared task: writes need the node lock
   */
  async save(changes: Partial<NodeRecord>): Promise<void> {
    if (this.shared) throw new Error(`bug: write to node ${this.node.uuid} through a shared (unlocked) task`)
    this.node = await this.deps.store.nodes.update(this.node.id, changes)
  }

  /**
   * Applies a conductor event (or an accepted API verb), persists the new state together with
   * `opts.changes`, and records the change in history with the time spent in the old state.
   * @throws InvalidStateError when the machine has no such transition
   */
  async event(ev: ProvisionEvent, opts: EventOptions = {}): Promise<void> {
    const from = this.state
    const to = applyEvent(from, ev, { node: this.node.uuid })
    // The node settles (or fails): the phase it was in ends here.
    const settles = STATE_INFO[to].stable || STATE_INFO[to].kind === 'failed'
    if (settles && this.node.driver_internal_info.ferrum_phase !== undefined) {
      await this.phase(null)
      if (opts.changes?.driver_internal_info) {
        const { ferrum_phase: _gone, ...rest } = opts.changes.driver_internal_info
        opts = { ...opts, changes: { ...opts.changes, driver_internal_info: rest } }
      }
    }
    const now = this.deps.clock.now()
    const entered = this.node.provision_updated_at ?? this.node.created_at
    const since = entered ? Date.parse(entered) : null
    const keepTarget = STATE_INFO[to].stable ? null : (this.node.target_provision_state ?? undefined)
    const changes: Partial<NodeRecord> = {
      ...opts.changes,
      provision_state: to,
      target_provision_state: nextTarget(to, opts.targetOverride === undefined ? keepTarget : opts.targetOverride),
      provision_updated_at: nowIso(),
    }
    if (opts.lastError !== undefined) changes.last_error = opts.lastError
    await this.save(changes)
    const failed = STATE_INFO[to].kind === 'failed' || ev === 'fail'
    const text = failed && opts.lastError ? `${from} -> ${to}: ${opts.lastError}` : `${from} -> ${to} (${ev})`
    await this.history('provisioning', failed ? 'ERROR' : 'INFO', text, failed ? opts.detail ?? genericDetail(from) : undefined, since === null ? null : Math.max(0, now - since))
  }

  /** Records a history entry for the node. */
  async history(type: string, severity: 'INFO' | 'WARNING' | 'ERROR', event: string, detail?: HistoryErrorDetail, durationMs?: number | null, phase?: string): Promise<void> {
    await this.deps.store.history.add({
      node_id: this.node.id, event_type: type, severity, event, conductor: this.deps.hostname,
      provision_state: this.node.provision_state, duration_ms: durationMs ?? null, error_detail: detail ?? null, phase: phase ?? null,
    })
  }

  /**
   * Starts a provisioning phase (see timeline.ts): the phase running now ends and goes into the
   * history with its duration; `name` null only ends it. A phase of the same name goes on.
   * @param opts.step the plan step that starts the phase (sub-phases marked by drivers keep it)
   * @param opts.at when it started (a driver's mark), default now
   */
  async phase(name: string | null, opts: { step?: string; at?: number; bytes?: number } = {}): Promise<void> {
    const dii = this.node.driver_internal_info
    const open = dii.ferrum_phase as OpenPhase | undefined
    if (name !== null && open?.name === name && opts.bytes === undefined) return
    const next: Record<string, unknown> = { ...dii }
    const at = opts.at ?? this.deps.clock.now()
    if (name !== null && open?.name === name) {
      next.ferrum_phase = { ...open, bytes: opts.bytes }
    } else {
      if (open && typeof open.started_at === 'string') {
        const ms = Math.max(0, at - Date.parse(open.started_at))
        // A phase cut off by the next one in the same breath did nothing worth a line.
        if (ms >= MIN_PHASE_MS) await this.history('phase', 'INFO', phaseEvent(open, ms), undefined, ms, open.name)
      }
      if (name === null) delete next.ferrum_phase
      else next.ferrum_phase = { name, started_at: new Date(at).toISOString(), ...(opts.step ?? open?.step ? { step: opts.step ?? open?.step } : {}) } satisfies OpenPhase
    }
    await this.save({ driver_internal_info: next })
  }

  /** The node's ports as drivers see them, read once per task (see {@link portsChanged}). */
  #ports: PortView[] | null = null

  /** The node as drivers see it (with traits and ports). */
  async view(): Promise<NodeView> {
    const traits = await this.deps.store.nodes.traits(this.node.id)
    this.#ports ??= (await this.deps.store.ports.list({ node_id: this.node.id })).map((p) => ({
      uuid: p.uuid, address: p.address, pxeEnabled: p.pxe_enabled, physicalNetwork: p.physical_network,
      localLinkConnection: p.local_link_connection, extra: p.extra,
    }))
    return toNodeView(this.node, traits, this.#ports)
  }

  /** The task changed the node's ports: the next view reads them again. */
  portsChanged(): void {
    this.#ports = null
  }

  /** The node's implementation of an interface kind. @throws ValidationError when unset or disabled */
  impl<K extends InterfaceKind>(kind: K): InterfaceByKind[K] {
    const name = (this.node as unknown as Record<string, string | null>)[`${kind}_interface`]
    if (!name) throw new ValidationError(`Node ${this.node.uuid} has no ${kind} interface set.`)
    return this.deps.drivers.implementation(kind, name)
  }

  /**
   * Runs one driver call with a context (deadline, the task's abort signal, a scratch copy of
   * driver_internal_info). What the driver wrote to the scratch copy is saved before this
   * resolves or rejects, so later writes never race it. On a shared task nothing is saved.
   */
  async call<T>(fn: (ctx: DriverContext) => Promise<T>, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<T> {
    const node = await this.view()
    const ac = new AbortController()
    const timer = setTimeout(() => ac.abort(new FerrumError('DRIVER_TIMEOUT', `the driver call did not finish within ${Math.round(timeoutMs / 1000)} s`, 500, true)), timeoutMs)
    const onAbort = () => ac.abort(this.signal.reason)
    if (this.signal.aborted) onAbort()
    else this.signal.addEventListener('abort', onAbort, { once: true })
    const before = JSON.stringify(this.node.driver_internal_info)
    const internalInfo: Record<string, unknown> = JSON.parse(before) as Record<string, unknown>
    const interfaces = { boot: this.impl('boot'), management: this.impl('management'), power: this.impl('power') }
    const marks: { name: string; at: number; bytes?: number }[] = []
    const timeline = {
      phase: (name: string) => void marks.push({ name, at: this.deps.clock.now() }),
      bytes: (n: number) => void marks.push({ name: '', at: this.deps.clock.now(), bytes: n }),
    }
    const ctx: DriverContext = { node, log: this.deps.log.child({ node: this.node.uuid }), signal: ac.signal, clock: this.deps.clock, internalInfo, bootFiles: this.deps.bootFiles, dhcp: this.deps.dhcp, interfaces, agent: this.deps.agent, timeline }
    try {
      return await fn(ctx)
    } finally {
      clearTimeout(timer)
      this.signal.removeEventListener('abort', onAbort)
      if (!this.shared && JSON.stringify(internalInfo) !== before) await this.save({ driver_internal_info: internalInfo })
      if (!this.shared) {
        for (const m of marks) {
          const open = this.node.driver_internal_info.ferrum_phase as OpenPhase | undefined
          if (m.bytes !== undefined) {
            if (open) await this.phase(open.name, { bytes: m.bytes })
          } else await this.phase(m.name, { at: m.at })
        }
      }
    }
  }
}

function genericDetail(from: ProvisionState): HistoryErrorDetail {
  return { code: 'PROVISION_FAILED', phase: from, remedy: 'Read last_error and the node history for the cause, then retry the action.' }
}
