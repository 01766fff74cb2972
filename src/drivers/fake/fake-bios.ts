/**
 * Fake BIOS: settings live in driver_internal_info `fake_bios_settings`.
 * Steps (clean and deploy, manual): `bios.apply_configuration` (args `settings`), `bios.factory_reset`.
 */
import { ValidationError } from '../../domain/errors.js'
import type { DriverContext } from '../driver-context.js'
import type { BiosInterface, BiosSetting, BiosSettingChange } from '../interfaces/bios.js'
import type { NodeView } from '../node-view.js'
import { defineSteps, type DriverStep, type StepResult } from '../steps.js'
import { FAKE_STEP_KNOB_PROPERTIES, runFakeStep, scratchObject, validateFakeKnobs } from './fake-knobs.js'

/** Factory defaults of the fake BIOS. */
export const FAKE_BIOS_DEFAULTS: Readonly<Record<string, string>> = {
  BootMode: 'Uefi',
  ProcVirtualization: 'Enabled',
  LogicalProc: 'Enabled',
}

function parseChanges(value: unknown): BiosSettingChange[] {
  if (!Array.isArray(value)) throw new ValidationError('BIOS "settings" must be a list of {name, value}.')
  return value.map((s: unknown, i) => {
    const { name, value: v } = (s ?? {}) as { name?: unknown; value?: unknown }
    if (typeof name !== 'string' || typeof v !== 'string') {
      throw new ValidationError(`BIOS setting ${i} needs a string "name" and "value".`)
    }
    return { name, value: v }
  })
}

/** A BIOS made of a dictionary. */
export class FakeBios implements BiosInterface {
  readonly kind = 'bios'
  readonly name = 'fake'
  readonly #steps = defineSteps('bios', 'fake', [
    {
      step: 'apply_configuration',
      priority: { clean: 0, deploy: 0 },
      argsinfo: { settings: { description: 'A list of {name, value} BIOS settings.', required: true } },
      run: (ctx, args) => this.applySettings(ctx, parseChanges(args.settings)),
    },
    { step: 'factory_reset', priority: { clean: 0, deploy: 0 }, run: (ctx) => this.factoryReset(ctx) },
  ])

  validate(node: NodeView): void {
    validateFakeKnobs(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return FAKE_STEP_KNOB_PROPERTIES
  }

  async getSettings(ctx: DriverContext): Promise<readonly BiosSetting[]> {
    const current = { ...FAKE_BIOS_DEFAULTS, ...scratchObject(ctx, 'fake_bios_settings') }
    return Object.entries(current).map(([name, value]) => ({ name, value: String(value) }))
  }

  async applySettings(ctx: DriverContext, settings: readonly BiosSettingChange[]): Promise<StepResult> {
    const result = await runFakeStep(ctx, 'bios', 'apply_configuration')
    if ('wait' in result) return result
    const next = scratchObject(ctx, 'fake_bios_settings')
    for (const s of settings) next[s.name] = s.value
    ctx.internalInfo.fake_bios_settings = next
    return result
  }

  async factoryReset(ctx: DriverContext): Promise<StepResult> {
    const result = await runFakeStep(ctx, 'bios', 'factory_reset')
    if ('done' in result) delete ctx.internalInfo.fake_bios_settings
    return result
  }

  getCleanSteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('clean')
  }

  getDeploySteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('deploy')
  }

  executeStep(ctx: DriverContext, step: DriverStep): Promise<StepResult> {
    return this.#steps.execute(ctx, step)
  }
}
