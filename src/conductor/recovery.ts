import type { ConductorCore } from './conductor-core.js'
import { STATE_INFO, WORKING_STATES } from '../domain/provision-states.js'
import { failTask, phaseOfState } from './fail.js'
import { currentStep } from './step-progress.js'

/** What a recovery pass did. */
export interface RecoveryReport {
  /** Locks this conductor held from its previous life, now released. */
  released: number
  /** Nodes moved from a working state to its failure state. */
  failed: number
  /** Power actions that died in flight (target_power_state cleared). */
  powerCleared: number
}

/**
 * Crash recovery, run at start-up before the API serves: releases the locks this conductor
 * (same hostname) held when it died, moves every node it left in a working state to that
 * state's failure state with code CONDUCTOR_RESTARTED (history says which step was running),
 * and clears power targets whose action died. Nodes parked in wait states need nothing: they
 * were not locked, and their timeouts still count from provision_updated_at.
 */
export async function recoverNodes(c: ConductorCore): Promise<RecoveryReport> {
  const { store, log } = c.deps
  const released = await c.tasks.releaseAllHeldBy()
  const stuck = await store.nodes.list({ provision_states: [...WORKING_STATES], reserved: false })
  let failed = 0
  for (const n of stuck) {
    const from = n.provision_state
    if (!STATE_INFO[from].failState) continue
    try {
      const r = await c.tasks.tryWithNodeLock(n.id, async (task) => {
        const step = currentStep(task.node, phaseOfState(from))
        const message = `The conductor ${c.hostname} restarted while the node was "${from}"${step ? ` (step ${step.interface}.${step.step})` : ''}; the operation was interrupted.`
        await failTask(task, new Error(message), { code: 'CONDUCTOR_RESTARTED', step, message })
      })
      if (r.ran) failed++
    } catch (e) {
      log.error({ err: e, node: n.uuid }, 'crash recovery could not fail the node')
    }
  }
  const powerNodes = await store.nodes.list({ reserved: false })
  let powerCleared = 0
  for (const n of powerNodes) {
    if (n.target_power_state === null) continue
    await store.nodes.update(n.id, { target_power_state: null, last_error: `The conductor ${c.hostname} restarted during a power change to "${n.target_power_state}"; the result is unknown until the next power sync.` })
    await store.history.add({ node_id: n.id, event_type: 'power', severity: 'ERROR', event: `Power change to "${n.target_power_state}" interrupted by a conductor restart`, conductor: c.hostname, provision_state: n.provision_state, error_detail: { code: 'CONDUCTOR_RESTARTED', phase: `power / ${n.target_power_state}`, remedy: 'Check the power state (it is re-read by the power sync) and repeat the power action if needed.' } })
    powerCleared++
  }
  if (released.length + failed + powerCleared > 0) log.warn({ released: released.length, failed, powerCleared }, 'recovered from an unclean shutdown')
  return { released: released.length, failed, powerCleared }
}
