/**
 * Fake RAID: "builds" the target configuration by returning it as the node's new raid_config.
 * Steps: `raid.create_configuration` and `raid.delete_configuration` (clean, manual) and
 * `raid.apply_configuration` (deploy, manual, args `raid_config`, `delete_existing`).
 */
import { ValidationError } from '../../domain/errors.js'
import type { DriverContext } from '../driver-context.js'
import type { CreateRaidOptions, LogicalDisk, RaidConfig, RaidInterface } from '../interfaces/raid.js'
import type { NodeView } from '../node-view.js'
import { defineSteps, type DriverStep, type StepResult } from '../steps.js'
import { FAKE_STEP_KNOB_PROPERTIES, runFakeStep, validateFakeKnobs } from './fake-knobs.js'

/** RAID levels accepted in a logical disk (Ironic's list). */
export const RAID_LEVELS = ['0', '1', '2', '5', '6', '1+0', '5+0', '6+0', 'JBOD'] as const

function asRaidConfig(value: unknown): RaidConfig {
  const disks = (value as { logical_disks?: unknown } | null)?.logical_disks
  return { logical_disks: Array.isArray(disks) ? (disks as LogicalDisk[]) : [] }
}

/** RAID that only rewrites raid_config. */
export class FakeRaid implements RaidInterface {
  readonly kind = 'raid'
  readonly name = 'fake'
  readonly #steps = defineSteps('raid', 'fake', [
    {
      step: 'create_configuration',
      priority: { clean: 0 },
      argsinfo: {
        create_root_volume: { description: 'Whether to create the root volume. Defaults to true.', required: false },
        create_nonroot_volumes: { description: 'Whether to create non-root volumes. Defaults to true.', required: false },
      },
      run: (ctx, args) =>
        this.createConfiguration(ctx, {
          createRootVolume: args.create_root_volume !== false,
          createNonrootVolumes: args.create_nonroot_volumes !== false,
        }),
    },
    { step: 'delete_configuration', priority: { clean: 0 }, run: (ctx) => this.deleteConfiguration(ctx) },
    {
      step: 'apply_configuration',
      priority: { deploy: 0 },
      argsinfo: {
        raid_config: { description: 'The RAID configuration to apply.', required: true },
        delete_existing: { description: 'Delete existing logical disks first. Defaults to true.', required: false },
      },
      run: async (ctx, args) => {
        const config = asRaidConfig(args.raid_config)
        this.validateRaidConfig(ctx.node, config)
        const result = await runFakeStep(ctx, 'raid', 'apply_configuration')
        return 'wait' in result ? result : { done: true, updates: { raidConfig: config } }
      },
    },
  ])

  validate(node: NodeView): void {
    validateFakeKnobs(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return FAKE_STEP_KNOB_PROPERTIES
  }

  validateRaidConfig(_node: NodeView, config: RaidConfig): void {
    if (config.logical_disks.length === 0) throw new ValidationError('The RAID configuration has no logical disks.')
    config.logical_disks.forEach((d, i) => {
      const sizeOk = d.size_gb === 'MAX' || (typeof d.size_gb === 'number' && d.size_gb > 0)
      if (!sizeOk) throw new ValidationError(`Logical disk ${i}: size_gb must be a positive number or "MAX".`)
      if (!(RAID_LEVELS as readonly string[]).includes(d.raid_level)) {
        throw new ValidationError(`Logical disk ${i}: raid_level "${String(d.raid_level)}" is not one of ${RAID_LEVELS.join(', ')}.`)
      }
    })
  }

  async createConfiguration(ctx: DriverContext, opts: CreateRaidOptions = {}): Promise<StepResult> {
    const target = asRaidConfig(ctx.node.targetRaidConfig)
    this.validateRaidConfig(ctx.node, target)
    const result = await runFakeStep(ctx, 'raid', 'create_configuration')
    if ('wait' in result) return result
    const keep = target.logical_disks.filter((d) =>
      d.is_root_volume === true ? opts.createRootVolume !== false : opts.createNonrootVolumes !== false,
    )
    return { done: true, updates: { raidConfig: { logical_disks: keep } } }
  }

  async deleteConfiguration(ctx: DriverContext): Promise<StepResult> {
    const result = await runFakeStep(ctx, 'raid', 'delete_configuration')
    return 'wait' in result ? result : { done: true, updates: { raidConfig: {} } }
  }

  getLogicalDiskProperties(): Readonly<Record<string, string>> {
    return {
      size_gb: 'Size of the logical disk in GiB, or "MAX" for all remaining space. Required.',
      raid_level: `RAID level: ${RAID_LEVELS.join(', ')}. Required.`,
      is_root_volume: 'Whether the instance is deployed on this disk. Optional.',
      volume_name: 'Name of the volume. Optional.',
      controller: 'Controller to create the disk on. Optional.',
      physical_disks: 'Physical disks to build the disk from. Optional.',
    }
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
