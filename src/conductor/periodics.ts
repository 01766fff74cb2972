import { describeBootProgress, nodeBootStages } from '../netboot/node-boot-stages.js'
import type { ConductorCore } from './conductor-core.js'
import { STATE_INFO, WAIT_STATES } from '../domain/provision-states.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import { failTask, phaseOfState } from './fail.js'
import { currentStep } from './step-progress.js'
import { detail, messageOf } from './failures.js'
import { recoverNodes, type RecoveryReport } from './recovery.js'

/** The fault Ironic sets when the power sync gives up on a BMC. */
export const POWER_FAILURE = 'power failure'

/**
 * The conductor's periodic work: heartbeat, wait-state timeouts and power-state sync, plus the
 * recovery pass at start-up for nodes a dead conductor left mid-operation.
 */
export class Periodics {
  readonly #timers: NodeJS.Timeout[] = []
  readonly #powerFailures = new Map<number, number>()
  #syncing = false

  constructor(private readonly c: ConductorCore) {}

  /** See recoverNodes. */
  async recover(): Promise<RecoveryReport> {
    const report = await recoverNodes(this.c)
    await this.c.resumeAllocations()
    return report
  }

  start(): void {
    const cfg = this.c.deps.config
    const every = (s: number, name: string, fn: () => Promise<unknown>, randomPhase = false) => {
      if (s <= 0) return
      let busy = false
      const tick = () => {
        if (busy) return
        busy = true
        fn().catch((e: unknown) => this.c.deps.log.error({ err: e }, `periodic task ${name} failed`)).finally(() => (busy = false))
      }
      const repeat = () => {
        const t = setInterval(tick, s * 1000)
        t.unref()
        this.#timers.push(t)
      }
      if (!randomPhase) return repeat()
      const first = setTimeout(() => {
        tick()
        repeat()
      }, Math.random() * s * 1000)
      first.unref()
      this.#timers.push(first)
    }
    every(cfg.heartbeatIntervalS, 'heartbeat', () => this.heartbeat())
    every(cfg.timeoutCheckIntervalS, 'timeouts', () => this.checkTimeouts())
    // NOTE: a random phase (jitter), so conductors started or restarted together do not sweep
    // their BMCs in lockstep; per-BMC limits (one operation at a time, minimum command interval)
    // live in the drivers (IpmiSessionPool, BmcGate).
    every(cfg.powerSyncIntervalS, 'power sync', () => this.syncPowerStates(), true)
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t)
    this.#timers.length = 0
  }

  /** Records that this conductor is alive (the conductors list derives `alive` from it). */
  async heartbeat(): Promise<void> {
    await this.c.deps.store.conductors.heartbeat(this.c.hostname)
  }

  /** Fails nodes that sat in a wait state longer than its timeout. Returns how many. */
  async checkTimeouts(now = this.c.deps.clock.now()): Promise<number> {
    const { store, config } = this.c.deps
    const waiting = await store.nodes.list({ provision_states: [...WAIT_STATES], reserved: false, maintenance: false })
    let n = 0
    for (const node of waiting) {
      const key = STATE_INFO[node.provision_state].timeout
      if (!key || !node.provision_updated_at) continue
      const limitS = config[key]
      if (now - Date.parse(node.provision_updated_at) < limitS * 1000) continue
      const done = await this.c.tasks.tryWithNodeLock(node.id, async (task) => {
        if (task.node.provision_state !== node.provision_state) return false
        const seen = lastSeen(task.node)
        const boot = await this.#bootProgress(task.node)
        const message = `Timeout reached while waiting for callback for node ${node.uuid} in state "${node.provision_state}" (${limitS} s)${seen ? `; last seen: ${seen}` : ''}${boot ? `; ${boot}` : ''}.`
        await failTask(task, new Error(message), { code: 'CALLBACK_TIMEOUT', message })
        return true
      })
      if (done.ran && done.value) n++
    }
    return n
  }

  /** For a node that booted a ramdisk and never called back: where its network boot got to, or null. */
  async #bootProgress(node: NodeRecord): Promise<string | null> {
    const netboot = this.c.deps.netboot
    const dii = node.driver_internal_info
    if (!netboot || dii.ferrum_ramdisk_params === undefined || typeof dii.agent_last_heartbeat === 'string') return null
    try {
      const ports = await this.c.deps.store.ports.list({ node_id: node.id })
      return describeBootProgress(await nodeBootStages(node, ports.filter((p) => p.pxe_enabled).map((p) => p.address), netboot))
    } catch {
      return null
    }
  }

  /**
   * Reads every idle node's power state from its BMC (bounded parallelism) and records changes
   * made outside Ferrum. After `powerSyncMaxRetries` failures in a row the node goes to
   * maintenance with fault "power failure"; once its BMC answers again, both are cleared.
   */
  async syncPowerStates(): Promise<{ checked: number; changed: number; failed: number }> {
    if (this.#syncing) return { checked: 0, changed: 0, failed: 0 }
    this.#syncing = true
    try {
      const { store, config } = this.c.deps
      const nodes = (await store.nodes.list({ reserved: false }))
        .filter((n) => STATE_INFO[n.provision_state].powerSync && (!n.maintenance || n.fault === POWER_FAILURE))
      const stats = { checked: nodes.length, changed: 0, failed: 0 }
      let i = 0
      const worker = async () => {
        while (i < nodes.length) await this.#syncOne(nodes[i++], stats)
      }
      await Promise.all(Array.from({ length: Math.min(config.powerSyncParallelism, nodes.length) }, worker))
      return stats
    } finally {
      this.#syncing = false
    }
  }

  async #syncOne(node: NodeRecord, stats: { changed: number; failed: number }): Promise<void> {
    const { config, log } = this.c.deps
    const task = this.c.tasks.shared(node)
    let state
    try {
      state = await task.call((ctx) => task.impl('power').getPowerState(ctx), 30_000)
    } catch (e) {
      stats.failed++
      const count = (this.#powerFailures.get(node.id) ?? 0) + 1
      this.#powerFailures.set(node.id, count)
      log.warn({ node: node.uuid, attempt: count }, `node ${node.uuid}: power state sync failed (${count}/${config.powerSyncMaxRetries}): ${messageOf(e)}`)
      if (count < config.powerSyncMaxRetries || node.maintenance) return
      await this.c.tasks.tryWithNodeLock(node.id, async (t) => {
        const reason = `During sync_power_state, max retries exceeded for node ${node.uuid}, node state ${node.power_state ?? 'None'} does not match expected state 'None'. Updating DB state to 'None' Switching node to maintenance mode. Error: ${messageOf(e)}`
        await t.save({ maintenance: true, maintenance_reason: reason, fault: POWER_FAILURE, power_state: null })
        await t.history('power', 'ERROR', reason, detail('POWER_SYNC_FAILED', `power sync (${count} failures in a row)`, t.state))
      })
      return
    }
    this.#powerFailures.delete(node.id)
    if (node.power_state === state && !(node.maintenance && node.fault === POWER_FAILURE)) return
    await this.c.tasks.tryWithNodeLock(node.id, async (t) => {
      const locked = t.node
      if (locked.power_state !== state) {
        stats.changed++
        await t.save({ power_state: state })
        await t.history('power', 'INFO', `Power state sync: "${locked.power_state ?? 'None'}" -> "${state}" (the BMC reports a change made outside Ferrum)`)
      }
      if (locked.maintenance && locked.fault === POWER_FAILURE) {
        await t.save({ maintenance: false, maintenance_reason: null, fault: null })
        await t.history('power', 'INFO', 'The BMC answers again: maintenance and fault "power failure" cleared')
      }
    })
  }
}

/** What the node was last known to be doing, for a timeout's last_error (the step, the agent's command and progress). */
export function lastSeen(node: NodeRecord): string {
  const parts: string[] = []
  const phase = phaseOfState(node.provision_state)
  const step = currentStep(node, phase)
  if (step) parts.push(`${phase} step ${step.step}`)
  const dii = node.driver_internal_info
  const cmd = dii.ferrum_agent_command as { name?: string } | undefined
  if (cmd?.name) parts.push(`agent running ${cmd.name}`)
  const progress = dii.ferrum_agent_progress as { bytes?: number; total?: number | null } | undefined
  if (progress && typeof progress.bytes === 'number') parts.push(`${progress.bytes}${progress.total ? ` of ${progress.total}` : ''} bytes written`)
  if (typeof dii.agent_last_heartbeat === 'string') parts.push(`last agent heartbeat ${dii.agent_last_heartbeat}`)
  else if (dii.ferrum_ramdisk_params !== undefined) parts.push('the agent never called back')
  return parts.join(', ')
}
