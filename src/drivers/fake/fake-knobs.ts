/**
 * Test knobs shared by the fake interfaces. Tests steer the fakes through driver_info; a knob
 * that names steps takes a step name or a list of them, each `step` or `interface.step`:
 * - `fake_step_wait`: the step returns `{wait}`, as if an agent were still running it. The
 *   conductor parks the node in the phase's wait state until `continueNode` (the agent's
 *   heartbeat) says the step finished; the step is not run again.
 * - `fake_step_hold`: the step returns `{wait, hold}`: the node parks in the phase's hold state
 *   until the operator says `unhold` (or `abort`).
 * - `fake_fail_step`: the step throws a DriverError (code FERRUM_FAKE_FAILURE).
 * - `fake_step_sleep_ms`: milliseconds each step takes, either one number for every step or an
 *   object `{ "<step>": ms }`; from the CLI (strings only) `"500"` or `"deploy.deploy=500,erase_devices=200"`.
 *   The sleep ends early when the call is aborted (abort, timeout, conductor shutdown), so slow
 *   steps are also cancellable steps.
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
  fake_step_wait: 'Step name, or list of names ("step" or "interface.step"), that waits for a callback. Optional.',
  fake_step_hold: 'Step name, or list of names, that parks the node in a hold state until "unhold". Optional.',
  fake_fail_step: 'Step name, or list of names ("step" or "interface.step"), that fails. Optional.',
  fake_step_sleep_ms: 'Milliseconds every step takes (a number), or per step ({"step": ms}). Optional.',
}

function knobList(node: NodeView, field: string): readonly string[] {
  const v = node.driverInfo[field]
  if (v === undefined || v === null) return []
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter((x) => x !== '')
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  throw invalidDriverInfo(node, field, 'expected a step name or a list of step names')
}

function isMs(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0
}

/** driver_info set through the CLI holds strings only: "500" and "a=1,b=2" mean 500 and {a: 1, b: 2}. */
function fromCliString(v: unknown): unknown {
  if (typeof v !== 'string') return v
  if (/^\d+$/.test(v.trim())) return Number(v)
  const pairs = v.split(',').map((p) => p.split('='))
  if (pairs.every((p) => p.length === 2 && /^\d+$/.test(p[1].trim()))) return Object.fromEntries(pairs.map(([k, ms]) => [k.trim(), Number(ms)]))
  return v
}

/** Milliseconds `interface.step` sleeps per `fake_step_sleep_ms` (0 when not set). */
function sleepMs(node: NodeView, kind: InterfaceKind, step: string): number {
  const v = fromCliString(node.driverInfo.fake_step_sleep_ms)
  if (v === undefined || v === null) return 0
  if (isMs(v)) return v
  if (typeof v === 'object' && !Array.isArray(v)) {
    const byStep = v as Record<string, unknown>
    const ms = byStep[`${kind}.${step}`] ?? byStep[step]
    if (ms === undefined) return 0
    if (isMs(ms)) return ms
  }
  throw invalidDriverInfo(node, 'fake_step_sleep_ms', 'expected milliseconds, or an object of step name to milliseconds')
}

/** Checks the knob fields are well-formed. @throws ValidationError naming the bad field */
export function validateFakeKnobs(node: NodeView): void {
  knobList(node, 'fake_step_wait')
  knobList(node, 'fake_step_hold')
  knobList(node, 'fake_fail_step')
  const sleep = fromCliString(node.driverInfo.fake_step_sleep_ms)
  if (sleep !== undefined && sleep !== null && !isMs(sleep)) {
    const ok = typeof sleep === 'object' && !Array.isArray(sleep) && Object.values(sleep as object).every(isMs)
    if (!ok) throw invalidDriverInfo(node, 'fake_step_sleep_ms', 'expected milliseconds, or an object of step name to milliseconds')
  }
}

function matches(list: readonly string[], kind: InterfaceKind, step: string): boolean {
  return list.includes(step) || list.includes(`${kind}.${step}`)
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : []
}

/**
 * Runs a fake step: logs it, sleeps if asked, then fails, holds or waits if the knobs say so.
 * @throws DriverError (code FERRUM_FAKE_FAILURE) when `fake_fail_step` names the step
 * @throws the signal's reason when the call is aborted while the step sleeps
 */
export async function runFakeStep(ctx: DriverContext, kind: InterfaceKind, step: string): Promise<StepResult> {
  ctx.signal.throwIfAborted()
  const name = `${kind}.${step}`
  ctx.internalInfo.fake_steps_run = [...stringList(ctx.internalInfo.fake_steps_run), name].slice(-RUN_LOG_LIMIT)
  const ms = sleepMs(ctx.node, kind, step)
  if (ms > 0) await ctx.clock.sleep(ms, ctx.signal)
  if (matches(knobList(ctx.node, 'fake_fail_step'), kind, step)) {
    throw new DriverError(`Fake failure of ${name} requested by driver_info fake_fail_step.`, { code: 'FERRUM_FAKE_FAILURE' })
  }
  if (matches(knobList(ctx.node, 'fake_step_hold'), kind, step)) {
    ctx.log.debug({ node: ctx.node.uuid, step: name }, 'fake step holds the node')
    return { wait: `${name} holds the node until "unhold" (fake_step_hold)`, hold: true }
  }
  if (matches(knobList(ctx.node, 'fake_step_wait'), kind, step)) {
    ctx.log.debug({ node: ctx.node.uuid, step: name }, 'fake step waits for a callback')
    return { wait: `${name} waits for a callback (fake_step_wait)` }
  }
  return DONE
}

/** A boolean knob; the CLI can only send the string "true". */
export function knobTrue(node: NodeView, field: string): boolean {
  const v = node.driverInfo[field]
  return v === true || v === 'true'
}

/** A milliseconds knob (number or numeric string), 0 when unset. */
export function knobMs(node: NodeView, field: string): number {
  const v = fromCliString(node.driverInfo[field])
  if (v === undefined || v === null) return 0
  if (isMs(v)) return v
  throw invalidDriverInfo(node, field, 'expected milliseconds')
}

/** Reads a string-keyed object from driver_internal_info scratch, or an empty one. */
export function scratchObject(ctx: DriverContext, key: string): Record<string, unknown> {
  const v = ctx.internalInfo[key]
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {}
}
