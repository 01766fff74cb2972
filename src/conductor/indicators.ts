/**
 * Indicator lookups behind the conductor's indicator methods: what a node's management interface
 * offers, and the checks a get or set must pass before any BMC I/O (unknown → 404, read-only or
 * unsupported state → 400).
 */
import { NotFoundError, ValidationError } from '../domain/errors.js'
import { unsupportedOperation } from '../drivers/driver-errors.js'
import { INDICATOR_COMPONENTS, INDICATOR_STATES } from '../drivers/interfaces/management.js'
import type { IndicatorComponent, IndicatorInfo, IndicatorState, ManagementInterface } from '../drivers/interfaces/management.js'
import type { NodeView } from '../drivers/node-view.js'
import type { IndicatorSummary } from './api.js'
import type { NodeTask } from './node-task.js'

/** Every indicator the management interface reports for the node, component by component. */
export function listIndicators(mgmt: ManagementInterface, node: NodeView): IndicatorSummary[] {
  const supported = mgmt.getSupportedIndicators?.(node) ?? {}
  const out: IndicatorSummary[] = []
  for (const component of INDICATOR_COMPONENTS) {
    for (const [name, info] of Object.entries(supported[component] ?? {})) {
      out.push({ component, name, readonly: info.readonly, states: [...info.states] })
    }
  }
  return out
}

/** A known indicator of the node. */
export interface FoundIndicator {
  readonly component: IndicatorComponent
  readonly name: string
  readonly info: IndicatorInfo
}

/**
 * The indicator `name` on `component`.
 * @throws NotFoundError naming the indicators the node has
 */
export function findIndicator(mgmt: ManagementInterface, node: NodeView, component: string, name: string): FoundIndicator {
  const supported = mgmt.getSupportedIndicators?.(node) ?? {}
  // Own properties only: "constructor@system" must not find Object.prototype.constructor.
  const names = (INDICATOR_COMPONENTS as readonly string[]).includes(component) ? supported[component as IndicatorComponent] : undefined
  const info = names !== undefined && Object.hasOwn(names, name) ? names[name] : undefined
  if (info === undefined) {
    const have = listIndicators(mgmt, node).map((i) => `${i.name}@${i.component}`)
    throw new NotFoundError(
      `Node ${node.uuid} has no indicator "${name}@${component}". Its indicators: ${have.length > 0 ? have.join(', ') : 'none'}.`,
      { code: 'FERRUM_INDICATOR_NOT_FOUND', details: { component, indicator: name } },
    )
  }
  return { component: component as IndicatorComponent, name, info }
}

/**
 * The driver state for a requested one (any case), checked against what the indicator accepts.
 * @throws ValidationError for an unknown state, a read-only indicator or a state it does not offer
 */
export function settableState(node: NodeView, found: FoundIndicator, requested: string): IndicatorState {
  const state = requested.toLowerCase()
  if (!(INDICATOR_STATES as readonly string[]).includes(state)) {
    throw new ValidationError(`"${requested}" is not an indicator state. Use one of: ${INDICATOR_STATES.map((s) => s.toUpperCase()).join(', ')}.`, { code: 'FERRUM_INVALID_INDICATOR_STATE' })
  }
  const label = `${found.name}@${found.component}`
  if (found.info.readonly) {
    throw new ValidationError(`Indicator ${label} of node ${node.uuid} is read-only; its state cannot be set.`, { code: 'FERRUM_INDICATOR_READONLY' })
  }
  if (!(found.info.states as readonly string[]).includes(state)) {
    throw new ValidationError(
      `Indicator ${label} of node ${node.uuid} cannot be ${state.toUpperCase()}. It supports: ${found.info.states.map((s) => s.toUpperCase()).join(', ')}.`,
      { code: 'FERRUM_INVALID_INDICATOR_STATE' },
    )
  }
  return state as IndicatorState
}

/**
 * Reads one indicator through the driver (a shared read: `task` need not hold the node).
 * @throws NotFoundError for an unknown indicator; ValidationError when the interface has no indicators
 */
export async function readIndicator(task: NodeTask, component: string, indicator: string): Promise<IndicatorState> {
  const [mgmt, view] = [task.impl('management'), await task.view()]
  const found = findIndicator(mgmt, view, component, indicator)
  if (!mgmt.getIndicatorState) throw unsupportedOperation(view, 'management', mgmt.name, 'Reading an indicator')
  mgmt.validate(view)
  return task.call((ctx) => mgmt.getIndicatorState!(ctx, found.component, found.name))
}

/**
 * Sets one indicator through the driver; `task` holds the node lock.
 * @throws NotFoundError for an unknown indicator; ValidationError for a bad state, a read-only indicator or no support
 */
export async function writeIndicator(task: NodeTask, component: string, indicator: string, state: string): Promise<void> {
  const [mgmt, view] = [task.impl('management'), await task.view()]
  const found = findIndicator(mgmt, view, component, indicator)
  const target = settableState(view, found, state)
  if (!mgmt.setIndicatorState) throw unsupportedOperation(view, 'management', mgmt.name, 'Setting an indicator')
  mgmt.validate(view)
  await task.call((ctx) => mgmt.setIndicatorState!(ctx, found.component, found.name, target))
}
