/**
 * Fake inspection: reports fixed hardware properties (merged with driver_info
 * `fake_inspect_properties`) and the node's port MACs. Step name for the knobs: `inspect.inspect_hardware`.
 */
import type { DriverContext } from '../driver-context.js'
import { invalidDriverInfo } from '../driver-errors.js'
import type { InspectInterface, InspectResult } from '../interfaces/inspect.js'
import type { NodeView } from '../node-view.js'
import { FAKE_STEP_KNOB_PROPERTIES, runFakeStep, validateFakeKnobs } from './fake-knobs.js'

const DEFAULT_PROPERTIES = { cpu_arch: 'x86_64', cpus: 2, memory_mb: 4096, local_gb: 40 } as const

/** Inspection that invents a modest server. */
export class FakeInspect implements InspectInterface {
  readonly kind = 'inspect'
  readonly name = 'fake'

  validate(node: NodeView): void {
    validateFakeKnobs(node)
    const extra = node.driverInfo.fake_inspect_properties
    if (extra !== undefined && (typeof extra !== 'object' || extra === null || Array.isArray(extra))) {
      throw invalidDriverInfo(node, 'fake_inspect_properties', 'expected an object')
    }
  }

  getProperties(): Readonly<Record<string, string>> {
    return { ...FAKE_STEP_KNOB_PROPERTIES, fake_inspect_properties: 'Properties reported by fake inspection. Optional.' }
  }

  async inspectHardware(ctx: DriverContext): Promise<InspectResult> {
    this.validate(ctx.node)
    const result = await runFakeStep(ctx, 'inspect', 'inspect_hardware')
    if ('wait' in result) return result
    const extra = (ctx.node.driverInfo.fake_inspect_properties ?? {}) as Record<string, unknown>
    return {
      done: true,
      updates: { properties: { ...DEFAULT_PROPERTIES, ...extra } },
      macAddresses: ctx.node.ports.map((p) => p.address),
    }
  }

  async abort(ctx: DriverContext): Promise<void> {
    ctx.internalInfo.fake_inspect_aborted = true
  }
}
