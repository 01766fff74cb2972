import type { NodeRecord } from '../db/repos/nodes.js'
import { findTransition, STATE_INFO } from '../domain/provision-states.js'
import type { ProvisionState } from '../domain/provision-states.js'
import type { DriverStep, StepPhase } from '../drivers/steps.js'
import type { NodeTask } from './node-task.js'
import { currentStep, STEP_FIELD, wipeProgress } from './step-progress.js'
import { detail, failureCode, messageOf, phaseOf, type FailureCode } from './failures.js'

/** The step phase a state belongs to, if any (see StateInfo.phase). */
export function phaseOfState(state: ProvisionState): StepPhase | null {
  return STATE_INFO[state].phase ?? null
}

/** Options of {@link failTask}. */
export interface FailOptions {
  /** The code for this kind of failure (aborts, timeouts and restarts keep their own). */
  code: FailureCode
  /** The step that failed, if any. */
  step?: DriverStep | null
  /** Replaces the generated last_error. */
  message?: string
}

/**
 * Moves a node from its working or wait state to the failure state with last_error and a
 * history entry carrying code, phase and remedy; forgets the step progress and undoes what the
 * drivers prepared. A clean step failure also sets maintenance with fault "clean failure", as
 * Ironic does, so the node is not handed out before someone looked at it.
 */
export async function failTask(task: NodeTask, e: unknown, opts: FailOptions): Promise<void> {
  const from = task.state
  const t = findTransition(from, 'fail')
  if (!t) {
    await task.save({ last_error: messageOf(e) })
    return
  }
  const to = t[2]
  const code = failureCode(e, opts.code)
  const phase = phaseOfState(from)
  const step = opts.step ?? null
  const where = phaseOf(from, step, phase ? `${phase} step` : undefined)
  const lastError = opts.message ?? (code === 'ABORTED'
    ? `${where}: aborted on request${step ? ` (step ${step.interface}.${step.step})` : ''}.`
    : `${where} failed: ${messageOf(e)}`)
  const changes: Partial<NodeRecord> = wipeProgress(task.node, phase)
  if (code === 'CLEAN_STEP_FAILED') Object.assign(changes, { maintenance: true, maintenance_reason: lastError, fault: 'clean failure' })
  await task.event('fail', { lastError, detail: detail(code, where, to, step), changes })
  await cleanUpAfterFailure(task, to)
}

/**
 * Undoes driver preparations after a failure or abort (best effort: a failing clean-up is
 * recorded as a warning and does not change the outcome).
 */
export async function cleanUpAfterFailure(task: NodeTask, to: ProvisionState): Promise<void> {
  const which = STATE_INFO[to].cleanUp
  try {
    if (which === 'deploy') await task.call((ctx) => task.impl('deploy').cleanUp(ctx))
    else if (which === 'rescue') await task.call((ctx) => task.impl('rescue').cleanUp(ctx))
    else if (which === 'inspect') {
      const insp = task.impl('inspect')
      if (insp.abort) await task.call((ctx) => insp.abort!(ctx))
    }
  } catch (e) {
    await task.history('provisioning', 'WARNING', `Clean-up after "${to}" failed: ${messageOf(e)}`)
  }
}

/**
 * The `abort` verb on a node parked in a wait or hold state (or servicing failed): applies the
 * event, forgets the step progress and undoes driver preparations.
 */
export async function abortParked(task: NodeTask, user?: string): Promise<void> {
  const from = task.state
  const to = findTransition(from, 'abort')![2]
  const phase = phaseOfState(from)
  const step = phase ? (task.node[STEP_FIELD[phase]] as DriverStep | null) : null
  const changes = wipeProgress(task.node, phase)
  if (STATE_INFO[to].kind !== 'failed') {
    await task.event('abort', { lastError: null, changes })
    return
  }
  const where = phaseOf(from, currentStep(task.node, phase), phase ? `${phase} step` : undefined)
  const lastError = `${where}: aborted on request${user ? ` by ${user}` : ''}.`
  await task.event('abort', { lastError, detail: detail('ABORTED', where, to, step), changes })
  await cleanUpAfterFailure(task, to)
}
