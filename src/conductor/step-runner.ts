/**
 * Runs a phase's steps (deploy, clean, service) one by one, persisting the plan, the index and
 * the current step before each, so a restarted conductor knows exactly where a node stood.
 */
import { stepPhase, type OpenPhase } from './timeline.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { NodeTask } from './node-task.js'
import type { DriverStep, StepPhase } from '../drivers/steps.js'
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import { INTERFACE_KINDS } from '../drivers/interface-kinds.js'
import type { JsonObject } from '../drivers/node-view.js'
import { ValidationError } from '../domain/errors.js'
import { AbortRequestedError, type FailureCode } from './failures.js'
import { failTask } from './fail.js'
import { clearProgress, readProgress, STEP_FIELD, withIndex, withPlan, type RequestedStep } from './step-progress.js'

/** How long one step call may run before it is cancelled (a waiting step parks instead). */
const STEP_CALL_TIMEOUT_MS = 30 * 60_000

const FAIL_CODE: Record<StepPhase, FailureCode> = { deploy: 'DEPLOY_STEP_FAILED', clean: 'CLEAN_STEP_FAILED', service: 'SERVICE_STEP_FAILED' }

/** Ironic orders steps of equal priority by interface. */
const INTERFACE_ORDER: Partial<Record<InterfaceKind, number>> = { power: 7, management: 6, deploy: 5, bios: 4, raid: 3, firmware: 2, inspect: 1 }

/** Steps the conductor itself carries out, wherever they are requested (Ironic's reserved steps). */
const RESERVED: Readonly<Record<string, InterfaceKind>> = { hold: 'deploy', wait: 'deploy', power_on: 'power', power_off: 'power', reboot: 'power' }

function isReserved(s: { interface: string; step: string }): boolean {
  return RESERVED[s.step] === s.interface
}

function orderSteps(steps: DriverStep[]): DriverStep[] {
  return [...steps].sort((a, b) => b.priority - a.priority || (INTERFACE_ORDER[b.interface] ?? 0) - (INTERFACE_ORDER[a.interface] ?? 0))
}

/** What ended a run of steps. */
export type StepsOutcome = 'done' | 'parked' | 'failed'

/** Settings the runner needs. */
export interface StepSettings {
  /** Config default for nodes whose automated_clean is null. */
  automatedClean: boolean
  /** Deploy steps of the deploy templates matching the node's instance traits (deploy-templates.ts). */
  templateSteps?: (node: NodeRecord) => Promise<RequestedStep[]>
}

/**
 * The steps a phase runs: for automated cleaning and deployment the drivers' steps with
 * priority > 0 (deploy_steps may add or re-prioritise); for manual cleaning and servicing
 * exactly the requested steps, in the order given.
 * @throws ValidationError naming a requested step no interface offers, or a missing argument
 */
export async function planSteps(task: NodeTask, phase: StepPhase, settings: StepSettings): Promise<DriverStep[]> {
  const node = task.node
  const view = await task.view()
  const requested = readProgress(node.driver_internal_info, phase).requested
  const offered: DriverStep[] = []
  for (const kind of INTERFACE_KINDS) {
    const impl = task.impl(kind)
    const list = phase === 'deploy' ? impl.getDeploySteps?.(view) : phase === 'clean' ? impl.getCleanSteps?.(view) : impl.getServiceSteps?.(view)
    if (list) offered.push(...list)
  }
  const resolve = (r: RequestedStep, priority: number): DriverStep => {
    if (isReserved(r)) return { interface: r.interface, step: r.step, priority, args: r.args ?? {}, abortable: true }
    const o = offered.find((s) => s.interface === r.interface && s.step === r.step)
    if (!o) {
      const names = offered.map((s) => `${s.interface}.${s.step}`).join(', ') || 'none'
      throw new ValidationError(`The ${phase} step "${r.interface}.${r.step}" is not offered by the interfaces of node ${node.uuid} (offered: ${names}).`)
    }
    for (const [arg, info] of Object.entries(o.argsinfo ?? {})) {
      if (info.required && (r.args === undefined || !(arg in r.args))) {
        throw new ValidationError(`The ${phase} step "${r.interface}.${r.step}" needs the argument "${arg}" (${info.description}).`)
      }
    }
    return { ...o, args: r.args ?? {}, priority }
  }
  const manualClean = phase === 'clean' && node.target_provision_state === 'manageable'
  if (phase === 'service' || manualClean) return (requested ?? []).map((r) => resolve(r, 0))
  if (phase === 'clean' && !(node.automated_clean ?? settings.automatedClean)) return []
  let steps = offered.filter((s) => s.priority > 0)
  // Deploy templates first, then the deploy_steps of the request, each overriding what came before.
  const templates = phase === 'deploy' && settings.templateSteps ? await settings.templateSteps(node) : []
  for (const r of [...templates, ...(requested ?? [])]) {
    steps = steps.filter((s) => !(s.interface === r.interface && s.step === r.step))
    const step = resolve(r, r.priority ?? offered.find((s) => s.interface === r.interface && s.step === r.step)?.priority ?? 0)
    if (step.priority > 0) steps.push(step)
  }
  return orderSteps(steps)
}

/**
 * Runs the phase's remaining steps. Returns `done` when all finished (the caller fires the
 * closing event), `parked` when a step asked to wait or hold (the node is in the wait/hold state
 * and the lock can go), or `failed` when the node went to the failure state.
 * @throws only on database errors; step failures and aborts are turned into `failed`
 */
export async function runSteps(task: NodeTask, phase: StepPhase, settings: StepSettings): Promise<StepsOutcome> {
  const field = STEP_FIELD[phase]
  const progress = readProgress(task.node.driver_internal_info, phase)
  let steps = progress.steps
  if (!steps) {
    try {
      steps = await planSteps(task, phase, settings)
    } catch (e) {
      await failTask(task, e, { code: 'STEP_INVALID' })
      return 'failed'
    }
    await task.save({ driver_internal_info: withPlan(task.node.driver_internal_info, phase, steps) })
  }
  for (let index = progress.steps ? progress.index : 0; index < steps.length; index++) {
    const step = steps[index]
    try {
      if (task.signal.aborted) throw task.signal.reason
      if (task.abortAfterStep) throw new AbortRequestedError()
      await task.save({ [field]: step, driver_internal_info: withIndex(task.node.driver_internal_info, phase, index) })
      const key = `${phase}:${step.interface}.${step.step}:${index}`
      if ((task.node.driver_internal_info.ferrum_phase as OpenPhase | undefined)?.step !== key) await task.phase(stepPhase(step.interface, step.step), { step: key })
      const result = await runOne(task, step)
      if ('wait' in result) {
        await task.save({ driver_internal_info: withIndex(task.node.driver_internal_info, phase, result.rerun ? index : index + 1) })
        if (task.abortAfterStep) throw new AbortRequestedError()
        await task.event(result.hold ? 'hold' : 'wait')
        await task.history('step', 'INFO', `${phase} step ${step.interface}.${step.step}: ${result.wait}`)
        return 'parked'
      }
      const updates: Partial<NodeRecord> = {}
      if (result.updates?.properties) updates.properties = { ...task.node.properties, ...result.updates.properties }
      if (result.updates && 'raidConfig' in result.updates) updates.raid_config = result.updates.raidConfig ?? null
      if (Object.keys(updates).length > 0) await task.save(updates)
      if (task.abortAfterStep) throw new AbortRequestedError()
    } catch (e) {
      await failTask(task, e, { code: FAIL_CODE[phase], step })
      return 'failed'
    }
  }
  await task.save({ [field]: null, driver_internal_info: clearProgress(task.node.driver_internal_info, phase) })
  return 'done'
}

type StepRun = { done: true; updates?: { properties?: JsonObject; raidConfig?: JsonObject | null } } | { wait: string; hold?: boolean; rerun?: boolean }

async function runOne(task: NodeTask, step: DriverStep): Promise<StepRun> {
  if (isReserved(step)) {
    switch (step.step) {
      case 'hold': return { wait: 'held by a "hold" step', hold: true }
      case 'wait': {
        const seconds = Number(step.args.seconds ?? 0)
        if (!(seconds > 0)) return { wait: 'waiting for a callback ("wait" step without seconds)' }
        await task.call((ctx) => ctx.clock.sleep(seconds * 1000, ctx.signal), seconds * 1000 + 60_000)
        return { done: true }
      }
      default: {
        const target = step.step === 'power_on' ? 'power on' : step.step === 'power_off' ? 'power off' : 'rebooting'
        await task.call((ctx) => task.impl('power').setPowerState(ctx, target))
        await task.save({ power_state: target === 'rebooting' ? 'power on' : target })
        return { done: true }
      }
    }
  }
  return task.call((ctx) => {
    const impl = task.impl(step.interface)
    if (!impl.executeStep) throw new ValidationError(`The ${step.interface} interface "${impl.name}" has no steps.`)
    return impl.executeStep(ctx, step)
  }, STEP_CALL_TIMEOUT_MS)
}
