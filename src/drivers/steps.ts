/**
 * Steps: the units of deploy, clean and service work (Ironic's `@deploy_step`/`@clean_step`).
 * An interface lists its steps per phase and executes one by name; a step finishes or asks the
 * conductor to wait for an agent callback.
 */
import { ValidationError } from '../domain/errors.js'
import type { DriverContext } from './driver-context.js'
import type { InterfaceKind } from './interface-kinds.js'
import type { JsonObject, NodeView } from './node-view.js'

import type { StepPhase } from '../domain/provision-states.js'

export { STEP_PHASES, type StepPhase } from '../domain/provision-states.js'

/** Describes one argument of a step, as Ironic's `argsinfo`. */
export interface StepArgInfo {
  readonly description: string
  readonly required: boolean
}

/** A step as stored in driver_internal_info and shown by the API (Ironic's field names). */
export interface DriverStep {
  readonly interface: InterfaceKind
  readonly step: string
  /** 0 means the step only runs when asked for explicitly. */
  readonly priority: number
  readonly args: JsonObject
  readonly abortable?: boolean
  readonly reboot_requested?: boolean
  readonly requires_ramdisk?: boolean
  readonly argsinfo?: Readonly<Record<string, StepArgInfo>>
}

/** Node fields a step may ask the conductor to save. */
export interface NodeUpdates {
  /** Merged into node.properties. */
  readonly properties?: JsonObject
  /** Replaces node.raid_config (null clears it). */
  readonly raidConfig?: JsonObject | null
}

/**
 * The outcome of a step: finished (optionally with node updates), or waiting — for an agent
 * callback (`wait`), or with `hold` for the operator's `unhold`. With `rerun` the same step runs
 * again when the node continues (an agent command polled until it finished) instead of the next.
 */
export type StepResult = { readonly done: true; readonly updates?: NodeUpdates } | { readonly wait: string; readonly hold?: boolean; readonly rerun?: boolean }

/** The function behind a step. */
export type StepHandler = (ctx: DriverContext, args: JsonObject) => Promise<StepResult>

/** Steps an interface offers; every method is optional. */
export interface StepProvider {
  getDeploySteps?(node: NodeView): readonly DriverStep[]
  getCleanSteps?(node: NodeView): readonly DriverStep[]
  getServiceSteps?(node: NodeView): readonly DriverStep[]
  /**
   * Runs one step offered by this interface.
   * @throws ValidationError when the interface has no such step
   */
  executeStep?(ctx: DriverContext, step: DriverStep): Promise<StepResult>
}

/** Declares one step of an interface. */
export interface StepSpec {
  readonly step: string
  /** Default priority per phase the step is offered in. */
  readonly priority: Partial<Record<StepPhase, number>>
  readonly abortable?: boolean
  readonly rebootRequested?: boolean
  readonly requiresRamdisk?: boolean
  readonly argsinfo?: Readonly<Record<string, StepArgInfo>>
  readonly run: StepHandler
}

/** A kind's steps, ready to back the StepProvider methods. */
export interface StepTable {
  list(phase: StepPhase): readonly DriverStep[]
  execute(ctx: DriverContext, step: DriverStep): Promise<StepResult>
}

/** The constant `{ done: true }` result. */
export const DONE: StepResult = Object.freeze({ done: true })

/** Builds a step table for one interface kind from declarative specs. */
export function defineSteps(kind: InterfaceKind, name: string, specs: readonly StepSpec[]): StepTable {
  const byName = new Map(specs.map((s) => [s.step, s]))
  return {
    list(phase) {
      return specs
        .filter((s) => s.priority[phase] !== undefined)
        .map((s) => ({
          interface: kind,
          step: s.step,
          priority: s.priority[phase] as number,
          args: {},
          abortable: s.abortable ?? false,
          ...(s.rebootRequested === undefined ? {} : { reboot_requested: s.rebootRequested }),
          ...(s.requiresRamdisk === undefined ? {} : { requires_ramdisk: s.requiresRamdisk }),
          ...(s.argsinfo === undefined ? {} : { argsinfo: s.argsinfo }),
        }))
    },
    async execute(ctx, step) {
      const spec = step.interface === kind ? byName.get(step.step) : undefined
      if (spec === undefined) {
        throw new ValidationError(`The ${kind} interface "${name}" has no step "${step.interface}.${step.step}".`)
      }
      return spec.run(ctx, step.args)
    },
  }
}
