import type { NodeTask } from './node-task.js'
import { DEFAULT_CALL_TIMEOUT_MS } from './node-task.js'
import { isSoftTarget, settledPowerState, type PowerTarget } from '../domain/power-states.js'
import { detail, failureCode, messageOf } from './failures.js'

/**
 * Carries out one power change on a locked node whose target_power_state is already set, and
 * clears the target afterwards. A failure records last_error and a history entry with code
 * POWER_ACTION_FAILED (or POWER_TIMEOUT for a soft action the OS ignored), and re-reads the
 * power state so the node shows what the BMC says rather than what was asked for.
 */
export async function runPowerChange(task: NodeTask, target: PowerTarget, timeoutMs: number): Promise<void> {
  const power = task.impl('power')
  const settled = settledPowerState(target)
  const from = task.node.power_state
  const clock = task.deps.clock
  const started = clock.now()
  try {
    await task.call((ctx) => (target === 'rebooting' ? power.reboot(ctx, { timeoutMs }) : power.setPowerState(ctx, target, { timeoutMs })), timeoutMs + DEFAULT_CALL_TIMEOUT_MS)
    await task.save({ power_state: settled, target_power_state: null, last_error: null })
    await task.history('power', 'INFO', `Power state changed from "${from ?? 'None'}" to "${settled}" (${target})`, undefined, clock.now() - started)
  } catch (e) {
    const code = failureCode(e, 'POWER_ACTION_FAILED')
    const msg = `Failed to change power state to "${target}" by the power interface "${power.name}": ${messageOf(e)}`
    let observed: string | null = 'error'
    try {
      observed = await task.call((ctx) => power.getPowerState(ctx), DEFAULT_CALL_TIMEOUT_MS)
    } catch {
      // The BMC does not answer either: the state is unknown.
    }
    await task.save({ power_state: observed, target_power_state: null, last_error: msg })
    const phase = `power / ${target}${isSoftTarget(target) ? ` (timeout ${Math.round(timeoutMs / 1000)} s)` : ''}`
    await task.history('power', 'ERROR', msg, detail(code, phase, task.state), clock.now() - started)
  }
}
