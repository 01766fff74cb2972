/**
 * iDRAC BIOS (`idrac-redfish`): staged settings only take effect through a BIOSConfiguration job
 * in the Lifecycle Controller queue. The settings PATCH carries
 * `@Redfish.SettingsApplyTime: OnReset`, which makes the iDRAC create the job (202 + Location);
 * older firmware that answers without one gets the job from a POST to the Jobs collection.
 * The reboot runs the job; the step then waits for it to complete before checking the values.
 */
import type { RedfishResponse } from '../../protocols/redfish/client.js'
import type { DriverContext } from '../driver-context.js'
import type { BiosInterface, BiosSetting, BiosSettingChange } from '../interfaces/bios.js'
import type { NodeView } from '../node-view.js'
import { RedfishAccess, type RedfishInterfaceOptions } from '../redfish/redfish-access.js'
import { RedfishBios } from '../redfish/redfish-bios.js'
import type { SystemHandle } from '../redfish/redfish-connections.js'
import type { DriverStep, StepResult } from '../steps.js'
import { IdracJobs, idracOptions } from './idrac-defaults.js'

/** Options of IdracRedfishBios. */
export interface IdracBiosOptions extends RedfishInterfaceOptions {
  /** Deadline for the configuration job after the reboot. Default 30 minutes (jobs run in POST). */
  readonly jobTimeoutMs?: number
}

/** BIOS settings of a Dell server through its iDRAC. */
export class IdracRedfishBios implements BiosInterface {
  readonly kind = 'bios'
  readonly name = 'idrac-redfish'
  readonly #redfish: RedfishBios

  constructor(opts: IdracBiosOptions = {}) {
    const o = idracOptions(this.name, opts)
    const bmc = new RedfishAccess('bios', this.name, o)
    const jobs = new IdracJobs(bmc)
    const jobTimeoutMs = opts.jobTimeoutMs ?? 1_800_000
    this.#redfish = new RedfishBios({
      ...o,
      hooks: {
        patchExtras: { '@Redfish.SettingsApplyTime': { ApplyTime: 'OnReset' } },
        afterStaged: async (ctx: DriverContext, _h: SystemHandle, settingsPath: string, res: RedfishResponse<unknown>) => {
          const job = res.location !== undefined && /\/Jobs\/[^/]+$/.test(res.location) ? res.location : await jobs.createConfigJob(ctx, settingsPath)
          ctx.log.info({ node: ctx.node.uuid, job }, `node ${ctx.node.uuid}: iDRAC BIOS configuration job ${job} scheduled`)
          ctx.internalInfo.idrac_bios_job = job
          return job
        },
        afterReboot: async (ctx: DriverContext, _h: SystemHandle, job: string) => {
          await jobs.waitFor(ctx, job, bmc.pollMs, jobTimeoutMs)
          delete ctx.internalInfo.idrac_bios_job
        },
      },
    })
  }

  validate(node: NodeView): void {
    this.#redfish.validate(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return this.#redfish.getProperties()
  }

  getSettings(ctx: DriverContext): Promise<readonly BiosSetting[]> {
    return this.#redfish.getSettings(ctx)
  }

  applySettings(ctx: DriverContext, settings: readonly BiosSettingChange[]): Promise<StepResult> {
    return this.#redfish.applySettings(ctx, settings)
  }

  factoryReset(ctx: DriverContext): Promise<StepResult> {
    return this.#redfish.factoryReset(ctx)
  }

  getCleanSteps(node: NodeView): readonly DriverStep[] {
    return this.#redfish.getCleanSteps(node)
  }

  getDeploySteps(node: NodeView): readonly DriverStep[] {
    return this.#redfish.getDeploySteps(node)
  }

  getServiceSteps(node: NodeView): readonly DriverStep[] {
    return this.#redfish.getServiceSteps(node)
  }

  executeStep(ctx: DriverContext, step: DriverStep): Promise<StepResult> {
    return this.#redfish.executeStep(ctx, step)
  }
}
