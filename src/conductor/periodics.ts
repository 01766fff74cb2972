import type { Conductor } from './conductor.js'
import { STATE_INFO, WAIT_STATES, WORKING_STATES } from '../domain/provision-states.js'
import type { ProvisionState } from '../domain/provision-states.js'
import { remedyFor } from './conductor.js'
import { nowIso } from '../db/codec.js'

/** Wait state → config key of its callback timeout. */
const WAIT_TIMEOUTS: Partial<Record<ProvisionState, 'deployCallbackTimeoutS' | 'cleanCallbackTimeoutS' | 'inspectWaitTimeoutS' | 'rescueCallbackTimeoutS' | 'serviceCallbackTimeoutS'>> = {
  'wait call-back': 'deployCallbackTimeoutS',
  'clean wait': 'cleanCallbackTimeoutS',
  'inspect wait': 'inspectWaitTimeoutS',
  'rescue wait': 'rescueCallbackTimeoutS',
  'service wait': 'serviceCallbackTimeoutS',
}

/**
 * The conductor's periodic work: heartbeat, wait-state timeouts and power-state sync, plus the
 * recovery pass at start-up for nodes a dead conductor left mid-operation.
 */
export class Periodics {
  readonly #timers: NodeJS.Timeout[] = []
  readonly #powerFailures = new Map<number, number>()
  #syncing = false

  constructor(private readonly c: Conductor) {}

  /**
   * Crash recovery: releases this conductor's stale locks and moves every node that was in a
   * working state (the work died with the process) to that state's failure state, with history.
   */
  async recover(): Promise<{ released: number; failed: number }> {
    const { store } = this.c.deps
    const released = await store.nodes.releaseAllHeldBy(this.c.hostname)
    const stuck = await store.nodes.list({ provision_states: [...WORKING_STATES] })
    let failed = 0
    for (const n of stuck) {
      if (n.reservation !== null && n.reservation !== this.c.hostname) continue
      const from = n.provision_state as ProvisionState
      const to = STATE_INFO[from].failState
      if (!to) continue
      const msg = `The conductor ${this.c.hostname} restarted while the node was "${from}"; the operation was interrupted.`
      await store.nodes.update(n.id, {
        provision_state: to,
        target_provision_state: STATE_INFO[to].stable ? null : n.target_provision_state,
        provision_updated_at: nowIso(),
        last_error: msg,
        reservation: null,
        target_power_state: null,
      })
      await store.history.add({ node_id: n.id, event_type: 'provisioning', severity: 'ERROR', event: `${from} -> ${to}: ${msg}`, conductor: this.c.hostname, provision_state: to, error_detail: { code: 'CONDUCTOR_RESTARTED', phase: from, remedy: remedyFor(to) } })
      failed++
    }
    // Power actions in flight died too.
    const db = store.database.db
    await db.updateTable('nodes').set({ target_power_state: null }).where('target_power_state', 'is not', null).where('reservation', 'is', null).execute()
    return { released: released.length, failed }
  }

  start(): void {
    const cfg = this.c.deps.config
    const every = (s: number, fn: () => Promise<unknown>) => {
      if (s <= 0) return
      const t = setInterval(() => void fn().catch((e: unknown) => this.c.deps.log.error({ err: e }, 'periodic task failed')), s * 1000)
      t.unref()
      this.#timers.push(t)
    }
    every(cfg.heartbeatIntervalS, () => this.c.deps.store.conductors.heartbeat(this.c.hostname))
    every(cfg.timeoutCheckIntervalS, () => this.checkTimeouts())
    every(cfg.powerSyncIntervalS, () => this.syncPowerStates())
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t)
    this.#timers.length = 0
  }

  /** Fails nodes that waited for a callback longer than the state's timeout. Returns how many. */
  async checkTimeouts(now = Date.now()): Promise<number> {
    const { store, config } = this.c.deps
    const waiting = await store.nodes.list({ provision_states: [...WAIT_STATES], reserved: false, maintenance: false })
    let n = 0
    for (const node of waiting) {
      const key = WAIT_TIMEOUTS[node.provision_state as ProvisionState]
      if (!key || !node.provision_updated_at) continue
      const limitS = config[key]
      if (now - Date.parse(node.provision_updated_at) < limitS * 1000) continue
      const locked = await store.nodes.reserve(node.id, this.c.hostname)
      if (!locked) continue
      try {
        const task = this.c.taskFor(locked)
        await task.event('fail', {
          lastError: `Timeout reached while waiting for callback for node ${node.uuid} in state "${node.provision_state}" (${limitS} s).`,
          detail: { code: 'CALLBACK_TIMEOUT', remedy: 'Check that the node boots the ramdisk and reaches the API (console, DHCP, network), then retry.' },
        })
        n++
      } finally {
        await store.nodes.release(node.id, this.c.hostname)
      }
    }
    return n
  }

  /**
   * Reads every idle node's power state from its BMC (bounded parallelism) and records changes.
   * After `powerSyncMaxRetries` failures in a row a node goes to maintenance with fault
   * "power failure"; when its BMC answers again, the fault and maintenance are cleared.
   */
  async syncPowerStates(): Promise<{ checked: number; changed: number; failed: number }> {
    if (this.#syncing) return { checked: 0, changed: 0, failed: 0 }
    this.#syncing = true
    try {
      const { store, config, log } = this.c.deps
      const nodes = (await store.nodes.list({ reserved: false })).filter((n) => !n.maintenance || n.fault === 'power failure')
      let changed = 0
      let failed = 0
      let i = 0
      const worker = async () => {
        while (i < nodes.length) {
          const node = nodes[i++]
          const task = this.c.taskFor(node)
          let ctx
          try {
            const power = task.impl('power')
            ctx = await task.ctx(30_000)
            const state = await power.getPowerState(ctx)
            this.#powerFailures.delete(node.id)
            const fresh = await store.nodes.getById(node.id)
            if (!fresh || fresh.reservation !== null) continue
            const updates: Record<string, unknown> = {}
            if (fresh.power_state !== state) {
              updates.power_state = state
              changed++
              await this.c.history(fresh, 'power', 'INFO', `Power state sync: "${fresh.power_state}" -> "${state}" (changed outside Ferrum)`)
            }
            if (fresh.maintenance && fresh.fault === 'power failure') {
              Object.assign(updates, { maintenance: false, maintenance_reason: null, fault: null })
              await this.c.history(fresh, 'power', 'INFO', 'BMC answers again: maintenance and fault "power failure" cleared')
            }
            if (Object.keys(updates).length > 0) await store.nodes.update(node.id, updates)
          } catch (e) {
            failed++
            const count = (this.#powerFailures.get(node.id) ?? 0) + 1
            this.#powerFailures.set(node.id, count)
            log.warn({ node: node.uuid, attempt: count }, `power state sync failed: ${(e as Error).message}`)
            if (count >= config.powerSyncMaxRetries && !node.maintenance) {
              const reason = `During sync_power_state, max retries exceeded for node ${node.uuid}, node state ${node.power_state} does not match expected state 'None'. Updating DB state to 'None' Switching node to maintenance mode. Error: ${(e as Error).message}`
              await store.nodes.update(node.id, { maintenance: true, maintenance_reason: reason, fault: 'power failure', power_state: null })
              await this.c.history(node, 'power', 'ERROR', reason, { code: 'POWER_SYNC_FAILED', phase: 'power sync', remedy: 'Check the BMC (network, credentials); the node leaves maintenance by itself once the BMC answers.' })
            }
          } finally {
            ctx?.dispose()
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(config.powerSyncParallelism, nodes.length) }, worker))
      return { checked: nodes.length, changed, failed }
    } finally {
      this.#syncing = false
    }
  }
}
