/**
 * What the iDRAC interfaces share: the fixed Redfish ids of a Dell server and the Lifecycle
 * Controller job queue (Dell OEM: `Managers/iDRAC.Embedded.1/Jobs`, `DellJobService`).
 */
import { DriverError } from '../../domain/errors.js'
import type { RedfishClient } from '../../protocols/redfish/client.js'
import type { Manager, ResourceCollection } from '../../protocols/redfish/resources.js'
import type { DriverContext } from '../driver-context.js'
import type { RedfishAccess, RedfishInterfaceOptions } from '../redfish/redfish-access.js'
import type { RedfishDefaults } from '../redfish/redfish-driver-info.js'

/** The iDRAC's one ComputerSystem and its manager. */
export const IDRAC_SYSTEM_ID = 'System.Embedded.1'
export const IDRAC_MANAGER_ID = 'iDRAC.Embedded.1'

/** driver_info defaults of every idrac-redfish interface. */
export const IDRAC_DEFAULTS: RedfishDefaults = { systemId: IDRAC_SYSTEM_ID }

/** The redfish options of an idrac interface called `name`. */
export function idracOptions(name: string, opts: RedfishInterfaceOptions = {}): RedfishInterfaceOptions {
  return { ...opts, name, defaults: { ...IDRAC_DEFAULTS, ...opts.defaults } }
}

/** One job of the Lifecycle Controller queue (DellJob). */
export interface DellJob {
  readonly Id?: string
  readonly JobState?: string
  readonly JobType?: string
  readonly Message?: string
  readonly MessageId?: string
  readonly PercentComplete?: number
}

const DONE_STATES = new Set(['Completed', 'CompletedWithErrors'])
const FAILED_STATES = new Set(['Failed', 'CompletedWithErrors_Failed', 'Cancelled', 'Canceled'])

/** Access to a node's iDRAC job queue. */
export class IdracJobs {
  readonly #bmc: RedfishAccess

  constructor(bmc: RedfishAccess) {
    this.#bmc = bmc
  }

  /** The manager's path, the client and the Jobs collection path. */
  async #where(ctx: DriverContext): Promise<{ client: RedfishClient; manager: Manager; path: string }> {
    const handle = await this.#bmc.system(ctx)
    const { manager, path } = await this.#bmc.manager(ctx, handle)
    return { client: handle.client, manager, path }
  }

  /** Creates a configuration job for a settings object; returns the job's path. */
  async createConfigJob(ctx: DriverContext, targetSettingsUri: string): Promise<string> {
    const { client, path } = await this.#where(ctx)
    const res = await client.post(`${path}/Jobs`, { TargetSettingsURI: targetSettingsUri }, { signal: ctx.signal })
    if (res.location === undefined) {
      throw new DriverError(`The iDRAC of node ${ctx.node.uuid} created no job for ${targetSettingsUri} (no Location).`, { code: 'REDFISH_ERROR' })
    }
    return res.location
  }

  /** Job ids in the queue. */
  async list(ctx: DriverContext): Promise<string[]> {
    const { client, manager, path } = await this.#where(ctx)
    const jobs = manager.Links?.Oem?.Dell?.Jobs?.['@odata.id'] ?? `${path}/Jobs`
    const body = (await client.get<ResourceCollection>(jobs, { signal: ctx.signal })).body
    return (body.Members ?? []).map((m) => m['@odata.id'].split('/').pop() as string)
  }

  /** Deletes every job (DellJobService.DeleteJobQueue with JID_CLEARALL). */
  async clear(ctx: DriverContext): Promise<void> {
    const { client, manager, path } = await this.#where(ctx)
    const service = manager.Links?.Oem?.Dell?.DellJobService?.['@odata.id'] ?? `${path}/Oem/Dell/DellJobService`
    await client.post(`${service}/Actions/DellJobService.DeleteJobQueue`, { JobID: 'JID_CLEARALL' }, { signal: ctx.signal })
    ctx.log.info({ node: ctx.node.uuid }, `node ${ctx.node.uuid}: iDRAC job queue cleared`)
  }

  /** Restarts the iDRAC (Manager.Reset) and waits until it answers again. */
  async resetIdrac(ctx: DriverContext, pollMs: number, timeoutMs = 600_000): Promise<void> {
    const { client, path } = await this.#where(ctx)
    await client.post(`${path}/Actions/Manager.Reset`, { ResetType: 'GracefulRestart' }, { signal: ctx.signal })
    await until(ctx, pollMs, timeoutMs, 'the iDRAC to come back after its reset', async () => {
      try {
        await client.get(path, { signal: ctx.signal })
        return true
      } catch (e) {
        if ((e as { retryable?: boolean }).retryable === true) return false
        throw e
      }
    })
  }

  /**
   * Polls a job until it completes.
   * @throws DriverError FERRUM_IDRAC_JOB_FAILED when it fails; FERRUM_IDRAC_JOB_TIMEOUT past the deadline
   */
  async waitFor(ctx: DriverContext, jobPath: string, pollMs: number, timeoutMs: number): Promise<DellJob> {
    const client = this.#bmc.client(ctx)
    let job: DellJob = {}
    await until(ctx, pollMs, timeoutMs, `iDRAC job ${jobPath} to complete`, async () => {
      job = (await client.get<DellJob>(jobPath, { signal: ctx.signal })).body
      const state = String(job.JobState)
      if (FAILED_STATES.has(state)) {
        throw new DriverError(`iDRAC job ${job.Id ?? jobPath} of node ${ctx.node.uuid} ended ${state}: ${job.Message ?? 'no message'}.`, {
          code: 'FERRUM_IDRAC_JOB_FAILED',
          details: { job: job.Id, message_id: job.MessageId },
        })
      }
      return DONE_STATES.has(state)
    })
    return job
  }
}

/** Polls `check` on the context's clock until it is true or the deadline passes. */
export async function until(ctx: DriverContext, pollMs: number, timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = ctx.clock.now() + timeoutMs
  while (!(await check())) {
    if (ctx.clock.now() >= deadline) {
      throw new DriverError(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} (node ${ctx.node.uuid}).`, {
        code: 'FERRUM_IDRAC_JOB_TIMEOUT',
      })
    }
    await ctx.clock.sleep(pollMs, ctx.signal)
  }
}
