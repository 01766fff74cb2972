/**
 * iDRAC management (`idrac-redfish`): Redfish boot device, boot mode and NMI with the iDRAC's
 * fixed ids, plus manual clean/service steps for the Lifecycle Controller: `clear_job_queue`,
 * `reset_idrac` and `known_good_state` (both), as Ironic's idrac-redfish management offers.
 */
import type { DriverContext } from '../driver-context.js'
import type { BootDevice, BootDeviceInfo, BootMode, ManagementInterface } from '../interfaces/management.js'
import type { NodeView } from '../node-view.js'
import { RedfishAccess, type RedfishInterfaceOptions } from '../redfish/redfish-access.js'
import { RedfishManagement } from '../redfish/redfish-management.js'
import { DONE, defineSteps, type DriverStep, type StepResult, type StepTable } from '../steps.js'
import { IdracJobs, idracOptions } from './idrac-defaults.js'

/** Management of a Dell server through its iDRAC's Redfish service. */
export class IdracRedfishManagement implements ManagementInterface {
  readonly kind = 'management'
  readonly name = 'idrac-redfish'
  readonly #redfish: RedfishManagement
  readonly #jobs: IdracJobs
  readonly #steps: StepTable

  constructor(opts: RedfishInterfaceOptions = {}) {
    const o = idracOptions(this.name, opts)
    this.#redfish = new RedfishManagement(o)
    const bmc = new RedfishAccess('management', this.name, o)
    this.#jobs = new IdracJobs(bmc)
    const everywhere = { clean: 0, service: 0 }
    this.#steps = defineSteps('management', this.name, [
      { step: 'clear_job_queue', priority: everywhere, run: async (ctx) => (await this.#jobs.clear(ctx), DONE) },
      { step: 'reset_idrac', priority: everywhere, run: async (ctx) => (await this.#jobs.resetIdrac(ctx, bmc.pollMs), DONE) },
      {
        step: 'known_good_state',
        priority: everywhere,
        run: async (ctx) => {
          await this.#jobs.resetIdrac(ctx, bmc.pollMs)
          await this.#jobs.clear(ctx)
          return DONE
        },
      },
    ])
  }

  validate(node: NodeView): void {
    this.#redfish.validate(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return this.#redfish.getProperties()
  }

  getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo> {
    return this.#redfish.getBootDevice(ctx)
  }

  setBootDevice(ctx: DriverContext, device: BootDevice, opts?: { readonly persistent?: boolean }): Promise<void> {
    return this.#redfish.setBootDevice(ctx, device, opts)
  }

  getSupportedBootDevices(node: NodeView): readonly BootDevice[] {
    return this.#redfish.getSupportedBootDevices(node)
  }

  getBootMode(ctx: DriverContext): Promise<BootMode | null> {
    return this.#redfish.getBootMode(ctx)
  }

  setBootMode(ctx: DriverContext, mode: BootMode): Promise<void> {
    return this.#redfish.setBootMode(ctx, mode)
  }

  getSupportedBootModes(node: NodeView): readonly BootMode[] {
    return this.#redfish.getSupportedBootModes(node)
  }

  injectNmi(ctx: DriverContext): Promise<void> {
    return this.#redfish.injectNmi(ctx)
  }

  /** Job ids in the iDRAC's queue (for tests and diagnostics). */
  listJobs(ctx: DriverContext): Promise<string[]> {
    return this.#jobs.list(ctx)
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
