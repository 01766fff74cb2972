/**
 * A phase's step progress, kept where Ironic keeps it so its tooling reads it the same way:
 * `driver_internal_info.{phase}_steps` (the plan), `{phase}_step_index` (the next step to run),
 * `requested_{phase}_steps` (what the request asked for), and the node field `{phase}_step` (the
 * step running now). Also `ferrum_teardown_from`, the state an undeploy started from. This module
 * is the only code that spells those keys; the step runner, the verbs and failure handling read,
 * write and clear progress through it.
 */
import type { NodeRecord } from '../db/repos/nodes.js'
import type { InterfaceKind } from '../domain/interface-kinds.js'
import { isProvisionState, type ProvisionState, type StepPhase } from '../domain/provision-states.js'
import type { DriverStep } from '../drivers/steps.js'
import type { JsonObject } from '../drivers/node-view.js'

type Dii = Record<string, unknown>

/** The node field holding the step a phase is running now. */
export const STEP_FIELD = { deploy: 'deploy_step', clean: 'clean_step', service: 'service_step' } as const satisfies Record<StepPhase, keyof NodeRecord>

/** A step as a request (clean_steps, deploy_steps, service_steps, a template) names it. */
export interface RequestedStep {
  interface: InterfaceKind
  step: string
  args?: JsonObject
  priority?: number
}

const planKey = (phase: StepPhase) => `${phase}_steps`
const indexKey = (phase: StepPhase) => `${phase}_step_index`
const requestedKey = (phase: StepPhase) => `requested_${phase}_steps`
const TEARDOWN_FROM = 'ferrum_teardown_from'

/** A phase's progress as recorded in driver_internal_info. */
export interface StepProgress {
  /** The plan, once made; undefined before the phase planned its steps. */
  readonly steps: DriverStep[] | undefined
  /** The index of the next step to run. */
  readonly index: number
  /** The steps the request asked for, if it named any. */
  readonly requested: RequestedStep[] | undefined
}

/** Reads a phase's progress. */
export function readProgress(dii: Dii, phase: StepPhase): StepProgress {
  return {
    steps: (dii[planKey(phase)] ?? undefined) as DriverStep[] | undefined,
    index: Number(dii[indexKey(phase)] ?? 0),
    requested: (dii[requestedKey(phase)] ?? undefined) as RequestedStep[] | undefined,
  }
}

/** driver_internal_info with a fresh plan, starting at its first step. */
export function withPlan(dii: Dii, phase: StepPhase, steps: DriverStep[]): Dii {
  return { ...dii, [planKey(phase)]: steps, [indexKey(phase)]: 0 }
}

/** driver_internal_info with the index of the next step to run. */
export function withIndex(dii: Dii, phase: StepPhase, index: number): Dii {
  return { ...dii, [indexKey(phase)]: index }
}

/** driver_internal_info with the steps a request asked for (checked when the phase plans its steps). */
export function withRequested(dii: Dii, phase: StepPhase, steps: readonly unknown[]): Dii {
  return { ...dii, [requestedKey(phase)]: steps }
}

/**
 * driver_internal_info without a phase's plan, index and requested steps. `disable_ramdisk` goes
 * with a clean or service phase (it applies to one manual clean or service run).
 */
export function clearProgress(dii: Dii, phase: StepPhase): Dii {
  const out = { ...dii }
  for (const k of [planKey(phase), indexKey(phase), requestedKey(phase)]) delete out[k]
  if (phase !== 'deploy') delete out.disable_ramdisk
  return out
}

/** The changes that forget a phase's progress: the keys above and the current step. */
export function wipeProgress(node: NodeRecord, phase: StepPhase | null): Partial<NodeRecord> {
  if (phase === null) return {}
  return { driver_internal_info: clearProgress(node.driver_internal_info, phase), [STEP_FIELD[phase]]: null }
}

/** The step a phase is running (or was running when it stopped), if any. */
export function currentStep(node: NodeRecord, phase: StepPhase | null): DriverStep | null {
  if (phase === null) return null
  const raw = node[STEP_FIELD[phase]] as DriverStep | null
  return raw && Object.keys(raw).length > 0 ? raw : null
}

/** driver_internal_info remembering the state an undeploy started from. */
export function withTeardownFrom(dii: Dii, state: ProvisionState): Dii {
  return { ...dii, [TEARDOWN_FROM]: state }
}

/** The state an undeploy started from, if recorded. */
export function teardownFrom(dii: Dii): ProvisionState | undefined {
  const v = dii[TEARDOWN_FROM]
  return isProvisionState(v) ? v : undefined
}

/** driver_internal_info after a tear-down: no deploy progress and no tear-down origin. */
export function clearTeardown(dii: Dii): Dii {
  const out = clearProgress(dii, 'deploy')
  delete out[TEARDOWN_FROM]
  return out
}
