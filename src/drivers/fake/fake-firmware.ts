/**
 * Fake firmware: component versions live in driver_internal_info `fake_firmware`.
 * Step (clean and service, manual): `firmware.update` (args `settings`: [{component, url, version?}]).
 */
import { ValidationError } from '../../domain/errors.js'
import type { DriverContext } from '../driver-context.js'
import type { FirmwareComponent, FirmwareInterface, FirmwareUpdate } from '../interfaces/firmware.js'
import type { NodeView } from '../node-view.js'
import { defineSteps, type DriverStep, type StepResult } from '../steps.js'
import { FAKE_STEP_KNOB_PROPERTIES, runFakeStep, scratchObject, validateFakeKnobs } from './fake-knobs.js'

/** Components the fake node starts with, at their initial versions. */
export const FAKE_FIRMWARE_INITIAL: Readonly<Record<string, string>> = { bios: '1.0.0', bmc: '1.0.0' }

function parseUpdates(value: unknown): FirmwareUpdate[] {
  if (!Array.isArray(value)) throw new ValidationError('Firmware "settings" must be a list of {component, url}.')
  return value.map((u: unknown, i) => {
    const { component, url, version } = (u ?? {}) as Record<string, unknown>
    if (typeof component !== 'string' || typeof url !== 'string') {
      throw new ValidationError(`Firmware update ${i} needs a string "component" and "url".`)
    }
    return typeof version === 'string' ? { component, url, version } : { component, url }
  })
}

/** Firmware that flashes instantly. */
export class FakeFirmware implements FirmwareInterface {
  readonly kind = 'firmware'
  readonly name = 'fake'
  readonly #steps = defineSteps('firmware', 'fake', [
    {
      step: 'update',
      priority: { clean: 0, service: 0 },
      argsinfo: { settings: { description: 'A list of {component, url, checksum?} to flash.', required: true } },
      run: (ctx, args) => this.update(ctx, parseUpdates(args.settings)),
    },
  ])

  validate(node: NodeView): void {
    validateFakeKnobs(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return FAKE_STEP_KNOB_PROPERTIES
  }

  async getComponents(ctx: DriverContext): Promise<readonly FirmwareComponent[]> {
    const flashed = scratchObject(ctx, 'fake_firmware')
    return Object.entries(FAKE_FIRMWARE_INITIAL).map(([component, initial]) => {
      const last = typeof flashed[component] === 'string' ? (flashed[component] as string) : null
      return { component, initial_version: initial, current_version: last ?? initial, last_version_flashed: last }
    })
  }

  async update(ctx: DriverContext, updates: readonly FirmwareUpdate[]): Promise<StepResult> {
    for (const u of updates) {
      if (!Object.hasOwn(FAKE_FIRMWARE_INITIAL, u.component)) {
        throw new ValidationError(`Unknown firmware component "${u.component}"; known: ${Object.keys(FAKE_FIRMWARE_INITIAL).join(', ')}.`)
      }
    }
    const result = await runFakeStep(ctx, 'firmware', 'update')
    if ('wait' in result) return result
    const flashed = scratchObject(ctx, 'fake_firmware')
    for (const u of updates) flashed[u.component] = u.version ?? (u.url.split('/').pop() || u.url)
    ctx.internalInfo.fake_firmware = flashed
    return result
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
}
