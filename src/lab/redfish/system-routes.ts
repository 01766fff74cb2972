import type { LabBootDevice, LabBootSetting, LabMachine } from '../machine.js'
import { describeValue, errors } from './errors.js'
import {
  BOOT_ENABLED,
  BOOT_MODES,
  BOOT_TARGETS,
  BOOT_TARGET_OF,
  RESET_TYPES,
  ROOT,
  type ResetType,
  type SystemState,
  chassisPath,
  collection,
  managerPath,
  odataId,
  powerStateOf,
  systemPath,
} from './model.js'
import type { Reply } from './router.js'
import type { RedfishService } from './service.js'

const STATUS_OK = { State: 'Enabled', Health: 'OK', HealthRollup: 'OK' }
const ledValues = ['Off', 'Lit', 'Blinking'] as const

/** Segment-safe id for a NIC or disk name. */
const segment = (name: string): string => name.replace(/[^A-Za-z0-9._:-]/g, '-')

function bootEnabled(b: LabBootSetting): (typeof BOOT_ENABLED)[number] {
  if (b.device === 'none') return 'Disabled'
  return b.persistent ? 'Continuous' : 'Once'
}

/** The ComputerSystem resource. */
export function renderSystem(svc: RedfishService, sys: SystemState): Record<string, unknown> {
  const m = sys.machine
  const hw = m.hardware
  const boot = m.bootSetting()
  const base = systemPath(sys)
  return {
    '@odata.type': '#ComputerSystem.v1_20_0.ComputerSystem',
    '@odata.id': base,
    Id: sys.id,
    Name: m.name,
    SystemType: 'Physical',
    Manufacturer: svc.personality.manufacturer ?? hw.manufacturer,
    Model: hw.model,
    SerialNumber: hw.serialNumber,
    SKU: hw.serialNumber,
    UUID: hw.uuid,
    HostName: m.name,
    AssetTag: sys.assetTag,
    IndicatorLED: sys.indicatorLed,
    BiosVersion: svc.personality.biosVersion,
    PowerState: powerStateOf(m),
    Status: STATUS_OK,
    Boot: {
      BootSourceOverrideTarget: BOOT_TARGET_OF[boot.device],
      'BootSourceOverrideTarget@Redfish.AllowableValues': Object.keys(BOOT_TARGETS),
      BootSourceOverrideEnabled: bootEnabled(boot),
      'BootSourceOverrideEnabled@Redfish.AllowableValues': [...BOOT_ENABLED],
      BootSourceOverrideMode: boot.mode === 'uefi' ? 'UEFI' : 'Legacy',
      'BootSourceOverrideMode@Redfish.AllowableValues': Object.keys(BOOT_MODES),
    },
    ProcessorSummary: {
      Count: 1,
      LogicalProcessorCount: hw.cpus,
      CoreCount: hw.cpus,
      Model: hw.cpuModel,
      Status: STATUS_OK,
    },
    MemorySummary: {
      TotalSystemMemoryGiB: Math.round((hw.memoryMiB / 1024) * 1000) / 1000,
      Status: STATUS_OK,
    },
    Processors: odataId(`${base}/Processors`),
    EthernetInterfaces: odataId(`${base}/EthernetInterfaces`),
    SimpleStorage: odataId(`${base}/SimpleStorage`),
    Storage: odataId(`${base}/Storage`),
    Bios: odataId(`${base}/Bios`),
    Links: {
      Chassis: [odataId(chassisPath(sys))],
      ManagedBy: [odataId(managerPath(sys))],
    },
    Actions: {
      '#ComputerSystem.Reset': {
        target: `${base}/Actions/ComputerSystem.Reset`,
        'ResetType@Redfish.AllowableValues': [...RESET_TYPES],
      },
    },
    ...(svc.personality.systemOem ? { Oem: svc.personality.systemOem(sys) } : {}),
  }
}

/** Applies a PATCH to `Boot`; validates every property before changing anything. */
function patchBoot(machine: LabMachine, patch: unknown): void {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw errors.propertyValueTypeError(describeValue(patch), 'Boot')
  }
  const p = patch as Record<string, unknown>
  for (const key of Object.keys(p)) {
    if (key.endsWith('@Redfish.AllowableValues')) throw errors.propertyNotWritable(`Boot/${key}`)
    if (!['BootSourceOverrideTarget', 'BootSourceOverrideEnabled', 'BootSourceOverrideMode'].includes(key)) {
      throw errors.propertyUnknown(`Boot/${key}`)
    }
  }
  const check = (key: string, allowed: readonly string[]): string | undefined => {
    const v = p[key]
    if (v === undefined) return undefined
    if (typeof v !== 'string') throw errors.propertyValueTypeError(describeValue(v), `Boot/${key}`)
    if (!allowed.includes(v)) throw errors.propertyValueNotInList(v, `Boot/${key}`)
    return v
  }
  const target = check('BootSourceOverrideTarget', Object.keys(BOOT_TARGETS))
  const enabled = check('BootSourceOverrideEnabled', BOOT_ENABLED)
  const mode = check('BootSourceOverrideMode', Object.keys(BOOT_MODES)) as keyof typeof BOOT_MODES | undefined

  const cur = machine.bootSetting()
  const curEnabled = bootEnabled(cur)
  // Naming a device while the override is off means "once", as the firmware would read it.
  const effEnabled = enabled ?? (curEnabled === 'Disabled' && target !== undefined ? 'Once' : curEnabled)
  const effTarget = target ?? BOOT_TARGET_OF[cur.device]
  const device: LabBootDevice = effEnabled === 'Disabled' ? 'none' : BOOT_TARGETS[effTarget]
  machine.setBootSetting({
    device,
    persistent: device !== 'none' && effEnabled === 'Continuous',
    mode: mode ? BOOT_MODES[mode] : cur.mode,
  })
}

/** Runs a ComputerSystem.Reset; anything that boots the machine runs the boot hooks first. */
async function reset(svc: RedfishService, sys: SystemState, type: ResetType): Promise<void> {
  const m = sys.machine
  const on = m.powerState() === 'on'
  switch (type) {
    case 'On':
    case 'ForceOn':
      if (!on) {
        await svc.beforeBoot(sys)
        await m.powerOn()
      }
      return
    case 'ForceOff':
      return m.powerOff()
    case 'GracefulShutdown':
      return m.softOff()
    case 'GracefulRestart':
      await svc.beforeBoot(sys)
      if (on) await m.softOff()
      return m.powerOn()
    case 'ForceRestart':
      await svc.beforeBoot(sys)
      return m.reset()
    case 'PowerCycle':
      await svc.beforeBoot(sys)
      return m.powerCycle()
    case 'PushPowerButton':
      if (on) return m.softOff()
      await svc.beforeBoot(sys)
      return m.powerOn()
    case 'Nmi':
      if (!on) throw errors.conflict('The system is powered off; an NMI cannot be delivered.')
      return m.nmi()
  }
}

export function registerSystemRoutes(svc: RedfishService): void {
  const r = svc.router
  const S = `${ROOT}/Systems/:sys`

  r.get(`${ROOT}/Systems`, () => ({
    status: 200,
    body: collection(`${ROOT}/Systems`, 'ComputerSystemCollection', 'Computer System Collection', svc.systems.map(systemPath)),
  }))

  r.get(S, (ctx): Reply => ({ status: 200, etag: true, body: renderSystem(svc, svc.system(ctx.params.sys)) }))

  r.on('PATCH', S, (ctx): Reply => {
    const sys = svc.system(ctx.params.sys)
    const writable = ['Boot', 'AssetTag', 'IndicatorLED']
    for (const key of Object.keys(ctx.body)) {
      if (!writable.includes(key)) {
        if (key in renderSystem(svc, sys)) throw errors.propertyNotWritable(key)
        throw errors.propertyUnknown(key)
      }
    }
    const { AssetTag, IndicatorLED } = ctx.body
    if (AssetTag !== undefined && typeof AssetTag !== 'string') throw errors.propertyValueTypeError(describeValue(AssetTag), 'AssetTag')
    if (IndicatorLED !== undefined && !ledValues.includes(IndicatorLED as (typeof ledValues)[number])) {
      throw errors.propertyValueNotInList(describeValue(IndicatorLED), 'IndicatorLED')
    }
    if (ctx.body.Boot !== undefined) patchBoot(sys.machine, ctx.body.Boot)
    if (typeof AssetTag === 'string') sys.assetTag = AssetTag.slice(0, 256)
    if (IndicatorLED !== undefined) sys.indicatorLed = IndicatorLED as (typeof ledValues)[number]
    return { status: 200, etag: true, body: renderSystem(svc, sys) }
  })

  r.on('POST', `${S}/Actions/ComputerSystem.Reset`, async (ctx): Promise<Reply> => {
    const sys = svc.system(ctx.params.sys)
    const type = ctx.body.ResetType
    if (type === undefined) throw errors.actionParameterMissing('ComputerSystem.Reset', 'ResetType')
    if (typeof type !== 'string' || !(RESET_TYPES as readonly string[]).includes(type)) {
      throw errors.actionParameterNotInList(describeValue(type), 'ResetType', 'ComputerSystem.Reset')
    }
    await reset(svc, sys, type as ResetType)
    return { status: 204 }
  })

  r.get(`${S}/Processors`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    return {
      status: 200,
      body: collection(`${systemPath(sys)}/Processors`, 'ProcessorCollection', 'Processors Collection', [`${systemPath(sys)}/Processors/CPU1`]),
    }
  })

  r.get(`${S}/Processors/:cpu`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    if (ctx.params.cpu !== 'CPU1') throw errors.notFound(ctx.path)
    const hw = sys.machine.hardware
    const arm = hw.cpuArch === 'aarch64'
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#Processor.v1_18_0.Processor',
        '@odata.id': `${systemPath(sys)}/Processors/CPU1`,
        Id: 'CPU1',
        Name: 'Processor',
        Socket: 'CPU 1',
        ProcessorType: 'CPU',
        ProcessorArchitecture: arm ? 'ARM' : 'x86',
        InstructionSet: arm ? 'ARM-A64' : 'x86-64',
        Manufacturer: hw.manufacturer,
        Model: hw.cpuModel,
        TotalCores: hw.cpus,
        TotalThreads: hw.cpus,
        Status: STATUS_OK,
      },
    }
  })

  r.get(`${S}/EthernetInterfaces`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    const base = `${systemPath(sys)}/EthernetInterfaces`
    return {
      status: 200,
      body: collection(base, 'EthernetInterfaceCollection', 'Ethernet Interface Collection', sys.machine.hardware.nics.map((n) => `${base}/${segment(n.name)}`)),
    }
  })

  r.get(`${S}/EthernetInterfaces/:nic`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    const nic = sys.machine.hardware.nics.find((n) => segment(n.name) === ctx.params.nic)
    if (!nic) throw errors.notFound(ctx.path)
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#EthernetInterface.v1_9_0.EthernetInterface',
        '@odata.id': `${systemPath(sys)}/EthernetInterfaces/${segment(nic.name)}`,
        Id: segment(nic.name),
        Name: nic.name,
        MACAddress: nic.mac,
        PermanentMACAddress: nic.mac,
        LinkStatus: 'LinkUp',
        SpeedMbps: 10000,
        Status: { State: 'Enabled', Health: 'OK' },
      },
    }
  })

  r.get(`${S}/SimpleStorage`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    const base = `${systemPath(sys)}/SimpleStorage`
    return { status: 200, body: collection(base, 'SimpleStorageCollection', 'Simple Storage Collection', [`${base}/1`]) }
  })

  r.get(`${S}/SimpleStorage/:id`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    if (ctx.params.id !== '1') throw errors.notFound(ctx.path)
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#SimpleStorage.v1_3_1.SimpleStorage',
        '@odata.id': `${systemPath(sys)}/SimpleStorage/1`,
        Id: '1',
        Name: 'Simple Storage Controller',
        Status: STATUS_OK,
        Devices: sys.machine.hardware.disks.map((d) => ({
          Name: d.name,
          Manufacturer: sys.machine.hardware.manufacturer,
          Model: 'Virtual Disk',
          CapacityBytes: d.sizeBytes,
          Status: { State: 'Enabled', Health: 'OK' },
        })),
      },
    }
  })

  r.get(`${S}/Storage`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    const base = `${systemPath(sys)}/Storage`
    return { status: 200, body: collection(base, 'StorageCollection', 'Storage Collection', [`${base}/1`]) }
  })

  r.get(`${S}/Storage/:id`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    if (ctx.params.id !== '1') throw errors.notFound(ctx.path)
    const base = `${systemPath(sys)}/Storage/1`
    const drives = sys.machine.hardware.disks.map((d) => odataId(`${base}/Drives/${segment(d.name)}`))
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#Storage.v1_15_0.Storage',
        '@odata.id': base,
        Id: '1',
        Name: 'Storage Subsystem',
        Status: STATUS_OK,
        Drives: drives,
        'Drives@odata.count': drives.length,
        StorageControllers: [
          {
            '@odata.id': `${base}#/StorageControllers/0`,
            MemberId: '0',
            Name: 'Virtual SATA Controller',
            SupportedControllerProtocols: ['PCIe'],
            SupportedDeviceProtocols: ['SATA'],
            Status: STATUS_OK,
          },
        ],
      },
    }
  })

  r.get(`${S}/Storage/:id/Drives/:drive`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    const disk = sys.machine.hardware.disks.find((d) => segment(d.name) === ctx.params.drive)
    if (ctx.params.id !== '1' || !disk) throw errors.notFound(ctx.path)
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#Drive.v1_17_0.Drive',
        '@odata.id': `${systemPath(sys)}/Storage/1/Drives/${segment(disk.name)}`,
        Id: segment(disk.name),
        Name: disk.name,
        CapacityBytes: disk.sizeBytes,
        BlockSizeBytes: 512,
        MediaType: 'SSD',
        Protocol: 'SATA',
        Manufacturer: sys.machine.hardware.manufacturer,
        Model: 'Virtual Disk',
        SerialNumber: `${sys.machine.hardware.serialNumber}-${segment(disk.name)}`,
        Status: { State: 'Enabled', Health: 'OK' },
      },
    }
  })
}
