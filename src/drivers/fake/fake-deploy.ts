/**
 * Fake deploy: steps finish at once unless the driver_info knobs say otherwise (see fake-knobs.ts).
 * Offers `deploy.deploy` (deploy, 100), `deploy.erase_devices` (clean, 10) and
 * `deploy.fake_service` (service, manual).
 */
import type { DriverContext } from '../driver-context.js'
import type { DeployInterface } from '../interfaces/deploy.js'
import type { NodeView } from '../node-view.js'
import { defineSteps, type DriverStep, type StepResult } from '../steps.js'
import { FAKE_STEP_KNOB_PROPERTIES, runFakeStep, validateFakeKnobs } from './fake-knobs.js'

/** Deployment that writes nothing. */
export class FakeDeploy implements DeployInterface {
  readonly kind = 'deploy'
  readonly name = 'fake'
  readonly #steps = defineSteps('deploy', 'fake', [
    { step: 'deploy', priority: { deploy: 100 }, run: (ctx) => this.deploy(ctx) },
    { step: 'erase_devices', priority: { clean: 10 }, abortable: true, run: async (ctx) => runFakeStep(ctx, 'deploy', 'erase_devices') },
    { step: 'fake_service', priority: { service: 0 }, run: async (ctx) => runFakeStep(ctx, 'deploy', 'fake_service') },
  ])

  validate(node: NodeView): void {
    validateFakeKnobs(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return FAKE_STEP_KNOB_PROPERTIES
  }

  getDeploySteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('deploy')
  }

  getCleanSteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('clean')
  }

  getServiceSteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('service')
  }

  executeStep(ctx: DriverContext, step: DriverStep): Promise<StepResult> {
    return this.#steps.execute(ctx, step)
  }

  async deploy(ctx: DriverContext): Promise<StepResult> {
    const result = await runFakeStep(ctx, 'deploy', 'deploy')
    if ('done' in result) ctx.internalInfo.fake_deployed = true
    return result
  }

  async tearDown(ctx: DriverContext): Promise<void> {
    ctx.signal.throwIfAborted()
    ctx.internalInfo.fake_deployed = false
  }

  async prepare(ctx: DriverContext): Promise<void> {
    ctx.signal.throwIfAborted()
    ctx.internalInfo.fake_prepared = true
  }

  async cleanUp(ctx: DriverContext): Promise<void> {
    delete ctx.internalInfo.fake_prepared
  }

  async takeOver(_ctx: DriverContext): Promise<void> {}
}
