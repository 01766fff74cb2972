import { describeValue, errors, RedfishHttpError } from './errors.js'
import { MediaFetchError } from './media-fetch.js'
import {
  ROOT,
  type MediaSlot,
  type SystemState,
  chassisPath,
  collection,
  managerPath,
  mediaView,
  odataId,
  powerStateOf,
  systemPath,
} from './model.js'
import type { Reply, RouteContext } from './router.js'
import type { RedfishService } from './service.js'

export interface ManagerRouteOptions {
  /** Answer virtual media inserts with 202 and a task even without `Prefer: respond-async`. */
  asyncVirtualMedia: boolean
}

function slotOf(sys: SystemState, id: string, path: string): MediaSlot {
  const slot = sys.media.find((s) => s.spec.id === id)
  if (!slot) throw errors.notFound(path)
  return slot
}

function renderMedia(sys: SystemState, slot: MediaSlot): Record<string, unknown> {
  const base = `${managerPath(sys)}/VirtualMedia/${slot.spec.id}`
  const view = mediaView(slot, sys.machine)
  const name = view.image ? (view.image.split('?')[0].split('/').pop() ?? '') : null
  return {
    '@odata.type': '#VirtualMedia.v1_6_0.VirtualMedia',
    '@odata.id': base,
    Id: slot.spec.id,
    Name: slot.spec.name,
    MediaTypes: [...slot.spec.mediaTypes],
    Image: view.image,
    ImageName: name,
    Inserted: view.inserted,
    WriteProtected: slot.writeProtected,
    VerifyCertificate: slot.verifyCertificate,
    ConnectedVia: view.inserted ? 'URI' : 'NotConnected',
    TransferMethod: 'Stream',
    TransferProtocolType: view.image?.startsWith('https:') ? 'HTTPS' : view.image ? 'HTTP' : null,
    Status: { State: 'Enabled', Health: 'OK' },
    Actions: {
      '#VirtualMedia.InsertMedia': { target: `${base}/Actions/VirtualMedia.InsertMedia` },
      '#VirtualMedia.EjectMedia': { target: `${base}/Actions/VirtualMedia.EjectMedia` },
    },
  }
}

interface InsertRequest {
  image: string
  writeProtected?: boolean
  userName?: string
  password?: string
}

function optional<T>(body: Record<string, unknown>, key: string, type: 'string' | 'boolean'): T | undefined {
  const v = body[key]
  if (v === undefined) return undefined
  if (typeof v !== type) throw errors.propertyValueTypeError(describeValue(v), key)
  return v as T
}

async function eject(svc: RedfishService, sys: SystemState, slot: MediaSlot): Promise<void> {
  slot.inFlight?.abort()
  slot.inFlight = null
  if (slot.spec.machineSlot) {
    if (sys.machine.virtualMedia()) sys.machine.ejectVirtualMedia()
  } else {
    slot.image = null
    slot.inserted = false
  }
  await svc.fetcher.discard(slot.localPath)
  slot.localPath = null
}

/** Fetches the image and mounts it; synchronous (204) or as a task (202), as the client asked. */
async function insert(svc: RedfishService, sys: SystemState, slot: MediaSlot, req: InsertRequest, async: boolean): Promise<Reply> {
  if (slot.inFlight) throw errors.conflict(`An image is already being inserted into ${slot.spec.id}.`)
  if (mediaView(slot, sys.machine).inserted) throw errors.conflict(`Virtual media ${slot.spec.id} already holds an image; eject it first.`)
  const ac = new AbortController()
  slot.inFlight = ac
  if (req.writeProtected !== undefined) slot.writeProtected = req.writeProtected
  const work = async (): Promise<void> => {
    try {
      const path = await svc.fetcher.fetch(req.image, {
        verify: slot.verifyCertificate,
        signal: ac.signal,
        userName: req.userName,
        password: req.password,
      })
      if (ac.signal.aborted) {
        await svc.fetcher.discard(path)
        throw errors.conflict('The insert was cancelled by an eject.')
      }
      slot.localPath = path
      if (slot.spec.machineSlot) sys.machine.insertVirtualMedia(req.image, path)
      else {
        slot.image = req.image
        slot.inserted = true
      }
    } catch (err) {
      if (err instanceof MediaFetchError) throw errors.imageFetchFailed(req.image, err.message)
      throw err
    } finally {
      if (slot.inFlight === ac) slot.inFlight = null
    }
  }
  if (!async) {
    await work()
    return { status: 204 }
  }
  const task = svc.tasks.create(`Insert ${req.image} into ${slot.spec.id}`)
  work().then(
    () => svc.tasks.complete(task),
    (err: unknown) => svc.tasks.fail(task, err instanceof RedfishHttpError ? err : errors.internal(String(err))),
  )
  return svc.tasks.accepted(task)
}

export function registerManagerRoutes(svc: RedfishService, opts: ManagerRouteOptions): void {
  const r = svc.router
  const M = `${ROOT}/Managers/:mgr`
  const wantsAsync = (ctx: RouteContext): boolean => opts.asyncVirtualMedia || /respond-async/i.test(String(ctx.headers.prefer ?? ''))

  r.get(`${ROOT}/Managers`, () => ({
    status: 200,
    body: collection(`${ROOT}/Managers`, 'ManagerCollection', 'Manager Collection', svc.systems.map(managerPath)),
  }))

  r.get(M, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    const base = managerPath(sys)
    const p = svc.personality
    const oem = p.managerOem?.(sys)
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#Manager.v1_17_0.Manager',
        '@odata.id': base,
        Id: sys.managerId,
        Name: p.managerName,
        ManagerType: 'BMC',
        Model: svc.personality.managerModel,
        FirmwareVersion: svc.personality.firmwareVersion,
        UUID: svc.uuid,
        PowerState: 'On',
        DateTime: svc.now().toISOString(),
        Status: { State: 'Enabled', Health: 'OK' },
        VirtualMedia: odataId(`${base}/VirtualMedia`),
        Links: {
          ManagerForServers: [odataId(systemPath(sys))],
          ManagerForChassis: [odataId(chassisPath(sys))],
          ...(oem ? { Oem: oem.links } : {}),
        },
        Actions: {
          '#Manager.Reset': {
            target: `${base}/Actions/Manager.Reset`,
            'ResetType@Redfish.AllowableValues': ['GracefulRestart', 'ForceRestart'],
          },
          ...(oem ? { Oem: oem.actions } : {}),
        },
        ...(oem ? { Oem: oem.oem } : {}),
      },
    }
  })

  // The emulated BMC restarts instantly; its state (sessions aside) survives, as on real BMCs.
  r.on('POST', `${M}/Actions/Manager.Reset`, (ctx) => {
    svc.systemByManager(ctx.params.mgr)
    const t = ctx.body.ResetType
    if (t !== undefined && t !== 'GracefulRestart' && t !== 'ForceRestart') {
      throw errors.actionParameterNotInList(describeValue(t), 'ResetType', 'Manager.Reset')
    }
    return { status: 204 }
  })

  r.get(`${M}/VirtualMedia`, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    const base = `${managerPath(sys)}/VirtualMedia`
    return {
      status: 200,
      body: collection(base, 'VirtualMediaCollection', 'Virtual Media Services', sys.media.map((s) => `${base}/${s.spec.id}`)),
    }
  })

  r.get(`${M}/VirtualMedia/:slot`, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    return { status: 200, etag: true, body: renderMedia(sys, slotOf(sys, ctx.params.slot, ctx.path)) }
  })

  r.on('PATCH', `${M}/VirtualMedia/:slot`, async (ctx): Promise<Reply> => {
    const sys = svc.systemByManager(ctx.params.mgr)
    const slot = slotOf(sys, ctx.params.slot, ctx.path)
    const known = ['Image', 'Inserted', 'WriteProtected', 'VerifyCertificate', 'UserName', 'Password', 'TransferProtocolType', 'TransferMethod']
    for (const key of Object.keys(ctx.body)) if (!known.includes(key)) throw errors.propertyUnknown(key)
    const image = ctx.body.Image
    if (image !== undefined && image !== null && typeof image !== 'string') throw errors.propertyValueTypeError(describeValue(image), 'Image')
    const inserted = optional<boolean>(ctx.body, 'Inserted', 'boolean')
    const writeProtected = optional<boolean>(ctx.body, 'WriteProtected', 'boolean')
    const verify = optional<boolean>(ctx.body, 'VerifyCertificate', 'boolean')
    const userName = optional<string>(ctx.body, 'UserName', 'string')
    const password = optional<string>(ctx.body, 'Password', 'string')
    if (verify !== undefined) slot.verifyCertificate = verify
    if (image === null || image === '' || inserted === false) {
      await eject(svc, sys, slot)
      if (writeProtected !== undefined) slot.writeProtected = writeProtected
      return { status: 204 }
    }
    if (typeof image === 'string') {
      return insert(svc, sys, slot, { image, writeProtected, userName, password }, wantsAsync(ctx))
    }
    if (writeProtected !== undefined) slot.writeProtected = writeProtected
    return { status: 204 }
  })

  r.on('POST', `${M}/VirtualMedia/:slot/Actions/VirtualMedia.InsertMedia`, (ctx) => {
    const sys = svc.systemByManager(ctx.params.mgr)
    const slot = slotOf(sys, ctx.params.slot, ctx.path)
    const image = ctx.body.Image
    if (image === undefined) throw errors.actionParameterMissing('VirtualMedia.InsertMedia', 'Image')
    if (typeof image !== 'string' || image === '') throw errors.propertyValueTypeError(describeValue(image), 'Image')
    optional<boolean>(ctx.body, 'Inserted', 'boolean')
    const writeProtected = optional<boolean>(ctx.body, 'WriteProtected', 'boolean')
    const userName = optional<string>(ctx.body, 'UserName', 'string')
    const password = optional<string>(ctx.body, 'Password', 'string')
    const proto = ctx.body.TransferProtocolType
    if (proto !== undefined && proto !== 'HTTP' && proto !== 'HTTPS') {
      throw errors.actionParameterNotInList(describeValue(proto), 'TransferProtocolType', 'VirtualMedia.InsertMedia')
    }
    return insert(svc, sys, slot, { image, writeProtected, userName, password }, wantsAsync(ctx))
  })

  r.on('POST', `${M}/VirtualMedia/:slot/Actions/VirtualMedia.EjectMedia`, async (ctx): Promise<Reply> => {
    const sys = svc.systemByManager(ctx.params.mgr)
    await eject(svc, sys, slotOf(sys, ctx.params.slot, ctx.path))
    return { status: 204 }
  })
}

export function registerChassisRoutes(svc: RedfishService): void {
  const r = svc.router
  r.get(`${ROOT}/Chassis`, () => ({
    status: 200,
    body: collection(`${ROOT}/Chassis`, 'ChassisCollection', 'Chassis Collection', svc.systems.map(chassisPath)),
  }))
  r.get(`${ROOT}/Chassis/:ch`, (ctx) => {
    const sys = svc.systemByChassis(ctx.params.ch)
    const hw = sys.machine.hardware
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#Chassis.v1_23_0.Chassis',
        '@odata.id': chassisPath(sys),
        Id: sys.chassisId,
        Name: `Chassis of ${sys.machine.name}`,
        ChassisType: 'RackMount',
        Manufacturer: svc.personality.manufacturer ?? hw.manufacturer,
        Model: hw.model,
        SerialNumber: hw.serialNumber,
        PowerState: powerStateOf(sys.machine),
        Status: { State: 'Enabled', Health: 'OK' },
        Links: {
          ComputerSystems: [odataId(systemPath(sys))],
          ManagedBy: [odataId(managerPath(sys))],
        },
      },
    }
  })
}
