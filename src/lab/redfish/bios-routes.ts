import { describeValue, errors } from './errors.js'
import { ROOT, type BiosValue, type SystemState, odataId, systemPath } from './model.js'
import type { Reply, RouteContext } from './router.js'
import type { RedfishService } from './service.js'

/**
 * BIOS attributes (Bios schema) with a separate settings object (DSP0266 §9.10 "Settings
 * resource"): PATCH stages values in `.../Bios/Settings`; they become current at the next boot.
 * `BiosHooks.staged` lets a vendor module intercept staging (the iDRAC wants a config job).
 */
export interface BiosHooks {
  /** Called after a PATCH staged values; may return the reply (e.g. 202 + job Location). */
  staged?: (sys: SystemState, ctx: RouteContext, applyTime: string | undefined) => Reply | undefined
}

/** Makes the staged values current; the boot hooks call it. */
export function applyBios(svc: RedfishService, sys: SystemState): void {
  const bios = sys.bios
  if (Object.keys(bios.pending).length === 0 && !bios.resetRequested) return
  const before = bios.current.BootMode
  bios.current = { ...bios.current, ...bios.pending }
  bios.pending = {}
  bios.resetRequested = false
  bios.lastApplied = { time: svc.now().toISOString(), messages: ['The BIOS settings were applied.'] }
  // The firmware boot mode follows the BootMode attribute where the BIOS has one.
  const after = bios.current.BootMode
  if (after !== before && (after === 'Uefi' || after === 'Bios')) {
    sys.machine.setBootSetting({ ...sys.machine.bootSetting(), mode: after === 'Uefi' ? 'uefi' : 'bios' })
  }
  if (bios.pendingTask) {
    svc.tasks.complete(bios.pendingTask)
    bios.pendingTask = null
  }
}

function validateAttributes(sys: SystemState, attrs: unknown): Record<string, BiosValue> {
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
    throw errors.propertyValueTypeError(describeValue(attrs), 'Attributes')
  }
  const out: Record<string, BiosValue> = {}
  for (const [name, value] of Object.entries(attrs as Record<string, unknown>)) {
    const spec = Object.hasOwn(sys.bios.specs, name) ? sys.bios.specs[name] : undefined
    if (!spec) throw errors.propertyUnknown(`Attributes/${name}`)
    if (typeof value !== typeof spec.default) throw errors.propertyValueTypeError(describeValue(value), `Attributes/${name}`)
    if (spec.values && !spec.values.includes(value as string)) throw errors.propertyValueNotInList(String(value), `Attributes/${name}`)
    if (typeof value === 'number' && !Number.isFinite(value)) throw errors.propertyValueTypeError(describeValue(value), `Attributes/${name}`)
    out[name] = value as BiosValue
  }
  return out
}

function applyTimeOf(svc: RedfishService, body: Record<string, unknown>): string | undefined {
  const sat = body['@Redfish.SettingsApplyTime']
  if (sat === undefined) return undefined
  if (typeof sat !== 'object' || sat === null || Array.isArray(sat)) {
    throw errors.propertyValueTypeError(describeValue(sat), '@Redfish.SettingsApplyTime')
  }
  const at = (sat as Record<string, unknown>).ApplyTime
  if (at === undefined) return undefined
  if (typeof at !== 'string' || !svc.personality.biosApplyTimes.includes(at)) {
    throw errors.propertyValueNotInList(describeValue(at), '@Redfish.SettingsApplyTime/ApplyTime')
  }
  return at
}

export function registerBiosRoutes(svc: RedfishService, hooks: BiosHooks = {}): void {
  const r = svc.router
  const B = `${ROOT}/Systems/:sys/Bios`

  r.get(B, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    const base = `${systemPath(sys)}/Bios`
    const last = sys.bios.lastApplied
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#Bios.v1_2_1.Bios',
        '@odata.id': base,
        Id: 'BIOS',
        Name: 'BIOS Configuration Current Settings',
        AttributeRegistry: svc.personality.biosRegistry,
        Attributes: { ...sys.bios.current },
        '@Redfish.Settings': {
          '@odata.type': '#Settings.v1_3_5.Settings',
          SettingsObject: odataId(`${base}/Settings`),
          SupportedApplyTimes: [...svc.personality.biosApplyTimes],
          ...(last
            ? {
                Time: last.time,
                Messages: last.messages.map((m) => ({ MessageId: 'Base.1.16.Success', Message: m, Severity: 'OK', MessageSeverity: 'OK' })),
              }
            : {}),
        },
        Actions: {
          '#Bios.ResetBios': { target: `${base}/Actions/Bios.ResetBios` },
        },
      },
    }
  })

  r.get(`${B}/Settings`, (ctx) => {
    const sys = svc.system(ctx.params.sys)
    return {
      status: 200,
      etag: true,
      body: {
        '@odata.type': '#Bios.v1_2_1.Bios',
        '@odata.id': `${systemPath(sys)}/Bios/Settings`,
        Id: 'Settings',
        Name: 'BIOS Configuration Pending Settings',
        AttributeRegistry: svc.personality.biosRegistry,
        Attributes: { ...sys.bios.pending },
        '@Redfish.SettingsApplyTime': {
          '@odata.type': '#Settings.v1_3_5.PreferredApplyTime',
          ApplyTime: 'OnReset',
          'ApplyTime@Redfish.AllowableValues': [...svc.personality.biosApplyTimes],
        },
      },
    }
  })

  r.on('PATCH', `${B}/Settings`, (ctx): Reply => {
    const sys = svc.system(ctx.params.sys)
    for (const key of Object.keys(ctx.body)) {
      if (key !== 'Attributes' && key !== '@Redfish.SettingsApplyTime') throw errors.propertyUnknown(key)
    }
    if (ctx.body.Attributes === undefined) throw errors.actionParameterMissing('PATCH Bios/Settings', 'Attributes')
    const attrs = validateAttributes(sys, ctx.body.Attributes)
    const applyTime = applyTimeOf(svc, ctx.body)
    sys.bios.pending = { ...sys.bios.pending, ...attrs }
    const vendor = hooks.staged?.(sys, ctx, applyTime)
    if (vendor) return vendor
    if (/respond-async/i.test(String(ctx.headers.prefer ?? ''))) {
      sys.bios.pendingTask ??= svc.tasks.create(`Apply BIOS settings on ${sys.id}`, 'Pending')
      return svc.tasks.accepted(sys.bios.pendingTask)
    }
    return { status: 204 }
  })

  r.on('POST', `${B}/Actions/Bios.ResetBios`, (ctx): Reply => {
    const sys = svc.system(ctx.params.sys)
    const defaults: Record<string, BiosValue> = {}
    for (const [k, spec] of Object.entries(sys.bios.specs)) defaults[k] = spec.default
    sys.bios.pending = defaults
    sys.bios.resetRequested = true
    return { status: 204 }
  })
}
