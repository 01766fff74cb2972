import { describeValue, errors } from './errors.js'
import { applyBios, type BiosHooks } from './bios-routes.js'
import { ROOT, type DellJob, type SystemState, collection, managerPath, odataId, systemPath } from './model.js'
import type { Reply, RouteContext } from './router.js'
import type { RedfishService } from './service.js'

/**
 * Dell iDRAC OEM behaviour: the Lifecycle Controller job queue. Staged BIOS settings only take
 * effect through a BIOSConfiguration job, created either by PATCHing the settings object with
 * `@Redfish.SettingsApplyTime` or by POSTing `TargetSettingsURI` to the Jobs collection; the
 * job runs (and completes) at the next host reset. DellJobService.DeleteJobQueue clears jobs.
 */
const oemPath = (sys: SystemState): string => `${managerPath(sys)}/Oem/Dell`
const jobPath = (sys: SystemState, job: DellJob): string => `${managerPath(sys)}/Jobs/${job.id}`
const biosSettingsPath = (sys: SystemState): string => `${systemPath(sys)}/Bios/Settings`

export function renderSystemOem(sys: SystemState): Record<string, unknown> {
  const hw = sys.machine.hardware
  return {
    Dell: {
      '@odata.type': '#DellOem.v1_3_0.DellOemResources',
      DellSystem: {
        '@odata.type': '#DellSystem.v1_4_0.DellSystem',
        '@odata.id': `${ROOT}/Systems/${sys.id}/Oem/Dell/DellSystem/${sys.id}`,
        Id: sys.id,
        Name: 'DellSystem',
        ChassisServiceTag: hw.serialNumber,
        NodeID: hw.serialNumber,
        SystemGeneration: '16G Monolithic',
        SystemID: 2796,
        BIOSReleaseDate: '01/01/2025',
        CPURollupStatus: 'OK',
        StorageRollupStatus: 'OK',
        LastSystemInventoryTime: '2025-01-01T00:00:00+00:00',
      },
    },
  }
}

export function renderManagerOem(sys: SystemState): { links: unknown; actions: unknown; oem: unknown } {
  const oem = oemPath(sys)
  return {
    links: {
      Dell: {
        DellJobService: odataId(`${oem}/DellJobService`),
        DellLCService: odataId(`${oem}/DellLCService`),
        DelliDRACCardService: odataId(`${oem}/DelliDRACCardService`),
        Jobs: odataId(`${oem}/Jobs`),
      },
    },
    // Server configuration profile import/export is not emulated, so it is not advertised.
    actions: {},
    oem: {
      Dell: {
        '@odata.type': '#DellOem.v1_3_0.DellOemResources',
        DelliDRACCard: {
          '@odata.type': '#DelliDRACCard.v1_1_0.DelliDRACCard',
          Id: 'iDRAC.Embedded.1-1_0x23_IDRACinfo',
          IPMIVersion: '2.0',
          URLString: `https://${sys.machine.name}:443`,
        },
      },
    },
  }
}

function renderJob(sys: SystemState, job: DellJob, path: string): Record<string, unknown> {
  return {
    '@odata.type': '#DellJob.v1_5_0.DellJob',
    '@odata.id': path,
    Id: job.id,
    Name: job.name,
    JobType: job.jobType,
    JobState: job.state,
    Message: job.message,
    MessageId: job.messageId,
    MessageArgs: [],
    PercentComplete: job.percent,
    StartTime: 'TIME_NOW',
    EndTime: 'TIME_NA',
    CompletionTime: job.completionTime,
    TargetSettingsURI: job.targetSettingsUri,
  }
}

export function registerDellRoutes(svc: RedfishService): BiosHooks {
  const r = svc.router
  const M = `${ROOT}/Managers/:mgr`
  let seq = 0

  const newBiosJob = (sys: SystemState): DellJob => {
    const existing = sys.jobs.find((j) => j.jobType === 'BIOSConfiguration' && j.state === 'Scheduled')
    if (existing) return existing
    seq += 1
    const stamp = Math.floor(svc.now().getTime() / 1000) % 1_000_000_000
    const job: DellJob = {
      id: `JID_${String(stamp).padStart(9, '0')}${String(seq).padStart(3, '0')}`,
      name: 'Configure: BIOS.Setup.1-1',
      jobType: 'BIOSConfiguration',
      state: 'Scheduled',
      message: 'Task successfully scheduled.',
      messageId: 'JCP001',
      percent: 0,
      targetSettingsUri: biosSettingsPath(sys),
      completionTime: null,
    }
    sys.jobs.push(job)
    return job
  }

  const deleteJob = (sys: SystemState, job: DellJob): void => {
    sys.jobs.splice(sys.jobs.indexOf(job), 1)
    // A deleted configuration job takes its staged values with it, as on the iDRAC.
    if (job.jobType === 'BIOSConfiguration' && job.state === 'Scheduled') sys.bios.pending = {}
  }

  // Scheduled BIOS jobs run at the next boot: the staged settings become current.
  svc.bootHooks.push((sys) => {
    const jobs = sys.jobs.filter((j) => j.jobType === 'BIOSConfiguration' && j.state === 'Scheduled')
    if (jobs.length === 0 && !sys.bios.resetRequested) return
    applyBios(svc, sys)
    for (const job of jobs) {
      job.state = 'Completed'
      job.percent = 100
      job.message = 'Job completed successfully.'
      job.messageId = 'PR19'
      job.completionTime = svc.now().toISOString().replace(/\.\d+Z$/, '')
    }
  })

  for (const jobs of [`${M}/Jobs`, `${M}/Oem/Dell/Jobs`]) {
    r.get(jobs, (ctx) => {
      const sys = svc.systemByManager(ctx.params.mgr)
      const base = ctx.path
      return { status: 200, body: collection(base, 'DellJobCollection', 'JobQueue', sys.jobs.map((j) => `${base}/${j.id}`)) }
    })
    r.get(`${jobs}/:jid`, (ctx) => {
      const sys = svc.systemByManager(ctx.params.mgr)
      const job = sys.jobs.find((j) => j.id === ctx.params.jid)
      if (!job) throw errors.notFound(ctx.path)
      return { status: 200, etag: true, body: renderJob(sys, job, ctx.path) }
    })
    r.on('DELETE', `${jobs}/:jid`, (ctx) => {
      const sys = svc.systemByManager(ctx.params.mgr)
      const job = sys.jobs.find((j) => j.id === ctx.params.jid)
      if (!job) throw errors.notFound(ctx.path)
      deleteJob(sys, job)
      return { status: 200, body: {} }
    })
    r.on('POST', jobs, (ctx): Reply => {
      const sys = svc.systemByManager(ctx.params.mgr)
      const target = ctx.body.TargetSettingsURI
      if (target === undefined) throw errors.actionParameterMissing('CreateJob', 'TargetSettingsURI')
      if (typeof target !== 'string' || target.replace(/\/$/, '') !== biosSettingsPath(sys)) {
        throw errors.actionParameterNotInList(describeValue(target), 'TargetSettingsURI', 'CreateJob')
      }
      if (Object.keys(sys.bios.pending).length === 0) {
        throw errors.conflict('There are no pending BIOS attribute changes to apply.')
      }
      const job = newBiosJob(sys)
      return { status: 200, headers: { Location: jobPath(sys, job) }, body: {} }
    })
  }

  r.get(`${M}/Oem/Dell/DellJobService`, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    const base = `${oemPath(sys)}/DellJobService`
    return {
      status: 200,
      body: {
        '@odata.type': '#DellJobService.v1_1_0.DellJobService',
        '@odata.id': base,
        Id: 'Job Service',
        Name: 'DellJobService',
        Actions: {
          '#DellJobService.DeleteJobQueue': {
            target: `${base}/Actions/DellJobService.DeleteJobQueue`,
            'JobID@Redfish.AllowableValues': ['JID_CLEARALL', 'JID_CLEARALL_FORCE', '<job id>'],
          },
        },
      },
    }
  })

  r.on('POST', `${M}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue`, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    const id = ctx.body.JobID
    if (id === undefined) throw errors.actionParameterMissing('DellJobService.DeleteJobQueue', 'JobID')
    if (typeof id !== 'string') throw errors.propertyValueTypeError(describeValue(id), 'JobID')
    if (id === 'JID_CLEARALL' || id === 'JID_CLEARALL_FORCE') {
      for (const job of [...sys.jobs]) deleteJob(sys, job)
    } else {
      const job = sys.jobs.find((j) => j.id === id)
      if (!job) throw errors.actionParameterNotInList(id, 'JobID', 'DellJobService.DeleteJobQueue')
      deleteJob(sys, job)
    }
    return { status: 200, body: {} }
  })

  r.get(`${M}/Oem/Dell/DellLCService`, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    const base = `${oemPath(sys)}/DellLCService`
    return {
      status: 200,
      body: {
        '@odata.type': '#DellLCService.v1_6_0.DellLCService',
        '@odata.id': base,
        Id: 'DellLCService',
        Name: 'DellLCService',
        Actions: { '#DellLCService.GetRemoteServicesAPIStatus': { target: `${base}/Actions/DellLCService.GetRemoteServicesAPIStatus` } },
      },
    }
  })

  r.on('POST', `${M}/Oem/Dell/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus`, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    return {
      status: 200,
      body: {
        LCStatus: 'Ready',
        RTStatus: 'Ready',
        ServerStatus: sys.machine.powerState() === 'on' ? 'OutOfPOST' : 'PoweredOff',
        Status: 'Ready',
      },
    }
  })

  r.get(`${M}/Oem/Dell/DelliDRACCardService`, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    const base = `${oemPath(sys)}/DelliDRACCardService`
    return {
      status: 200,
      body: {
        '@odata.type': '#DelliDRACCardService.v1_4_0.DelliDRACCardService',
        '@odata.id': base,
        Id: 'DelliDRACCardService',
        Name: 'DelliDRACCardService',
        Actions: { '#DelliDRACCardService.iDRACReset': { target: `${base}/Actions/DelliDRACCardService.iDRACReset` } },
      },
    }
  })

  // Resetting the emulated iDRAC is instant and keeps its state.
  r.on('POST', `${M}/Oem/Dell/DelliDRACCardService/Actions/DelliDRACCardService.iDRACReset`, (ctx) => {
    svc.systemByManager(ctx.params.mgr)
    return { status: 200, body: {} }
  })

  return {
    staged: (sys: SystemState, _ctx: RouteContext, applyTime: string | undefined): Reply | undefined => {
      if (applyTime !== 'OnReset') return undefined
      const job = newBiosJob(sys)
      return { status: 202, headers: { Location: jobPath(sys, job) } }
    },
  }
}
