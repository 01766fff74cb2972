/** Fake rescue: a flag in driver_internal_info `fake_rescued`. Knob step name: `rescue.rescue`. */
import type { DriverContext } from '../driver-context.js'
import type { RescueInterface } from '../interfaces/rescue.js'
import type { NodeView } from '../node-view.js'
import type { StepResult } from '../steps.js'
import { FAKE_STEP_KNOB_PROPERTIES, runFakeStep, validateFakeKnobs } from './fake-knobs.js'

/** Rescue mode as a flag. */
export class FakeRescue implements RescueInterface {
  readonly kind = 'rescue'
  readonly name = 'fake'

  validate(node: NodeView): void {
    validateFakeKnobs(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return FAKE_STEP_KNOB_PROPERTIES
  }

  async rescue(ctx: DriverContext): Promise<StepResult> {
    const result = await runFakeStep(ctx, 'rescue', 'rescue')
    if ('done' in result) ctx.internalInfo.fake_rescued = true
    return result
  }

  async unrescue(ctx: DriverContext): Promise<void> {
    ctx.signal.throwIfAborted()
    ctx.internalInfo.fake_rescued = false
  }

  async cleanUp(ctx: DriverContext): Promise<void> {
    delete ctx.internalInfo.fake_rescued
  }
}
