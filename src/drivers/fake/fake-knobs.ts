/**
 * Test knobs shared by the fake interfaces. Tests steer the fakes through driver_info:
 * - `fake_step_wait`: step name(s) (`step` or `interface.step`) that return `{wait}` the first time
 *   they run, as if an agent callback were pending; re-running them finishes.
 * - `fake_fail_step`: step name(s) that throw a DriverError.
 * Every fake step appends `interface.step` to driver_internal_info `fake_steps_run`.
 */
import { DriverError } from '../../domain/errors.js'
import type { DriverContext } from '../driver-context.js'
import { invalidDriverInfo } from '../driver-errors.js'
import type { InterfaceKind } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'
import { DONE, type StepResult } from '../steps.js'

/** How many step names `fake_steps_run` keeps. */
const RUN_LOG_LIMIT = 100

/** driver_info properties of the knobs, for getProperties(). */
export const FAKE_STEP_KNOB_PROPERTIES: Readonly<Record<string, string>> = {
  fake_step_wait: 'Step name, or list of names ("step" or "interface.step"), that waits once for a callback. Optional.',
  fake_fail_step: 'Step name, or list of names ("step" or "interface.step"), that fails. Optional.',
}

function knobList(node: NodeView, field: string): readonly string[] {
  const v = node.driverInfo[field]
  if (v === undefined || v === null) return []
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  throw invalidDriverInfo(node, field, 'expected a step name or a list of step names')
}

/** Checks the knob fields are well-formed. @throws ValidationError naming the bad field */
export function validateFakeKnobs(node: NodeView): void {
  knobList(node, 'fake_step_wait')
  knobList(node, 'fake_fail_step')
}

function matches(list: readonly string[], kind: InterfaceKind, step: string): boolean {
  return list.includes(step) || list.includes(`${kind}.${step}`)
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : []
}

/**
 * Runs a fake step: logs it, then fails or waits if the knobs ask for it.
 * @throws DriverError (code FERRUM_FAKE_FAILURE) when `fake_fail_step` names the step
 */
export function runFakeStep(ctx: DriverContext, kind: InterfaceKind, step: string): StepResult {
  ctx.signal.throwIfAborted()
  const name = `${kind}.${step}`
  ctx.internalInfo.fake_steps_run = [...stringList(ctx.internalInfo.fake_steps_run), name].slice(-RUN_LOG_LIMIT)
  if (matches(knobList(ctx.node, 'fake_fail_step'), kind, step)) {
    throw new DriverError(`Fake failure of ${name} requested by driver_info fake_fail_step.`, { code: 'FERRUM_FAKE_FAILURE' })
  }
  if (matches(knobList(ctx.node, 'fake_step_wait'), kind, step)) {
    const waited = stringList(ctx.internalInfo.fake_waited_steps)
    if (!waited.includes(name)) {
      ctx.internalInfo.fake_waited_steps = [...waited, name]
      ctx.log.debug({ node: ctx.node.uuid, step: name }, 'fake step waits for a callback')
      return { wait: `${name} waits for a callback (fake_step_wait)` }
    }
  }
  return DONE
}

/** Reads a string-keyed object from driver_internal_info scratch, or an empty one. */
export function scratchObject(ctx: DriverContext, key: string): Record<string, unknown> {
  const v = ctx.internalInfo[key]
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {}
}
