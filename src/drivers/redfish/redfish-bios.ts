/**
 * Redfish BIOS: reads `Bios.Attributes`; changes are staged in the settings object
 * (`@Redfish.Settings` → `Bios/Settings`, DSP0266 "Settings resource") and applied by the reboot
 * that follows, then checked. Steps (clean, deploy and service, manual, priority 0):
 * `bios.apply_configuration` (args `settings`: [{name, value}]) and `bios.factory_reset`.
 * Vendors plug in through {@link RedfishBiosHooks} (the iDRAC needs a config job).
 */
import { DriverError, ValidationError } from '../../domain/errors.js'
import type { RedfishResponse } from '../../protocols/redfish/client.js'
import type { Bios } from '../../protocols/redfish/resources.js'
import type { DriverContext } from '../driver-context.js'
import type { BiosInterface, BiosSetting, BiosSettingChange } from '../interfaces/bios.js'
import type { JsonObject, NodeView } from '../node-view.js'
import { DONE, defineSteps, type DriverStep, type StepResult, type StepTable } from '../steps.js'
import { RedfishAccess, type RedfishInterfaceOptions } from './redfish-access.js'
import type { SystemHandle } from './redfish-connections.js'
import { REDFISH_PROPERTIES } from './redfish-driver-info.js'
import { RedfishPower } from './redfish-power.js'

/** Vendor hooks around staging BIOS changes. */
export interface RedfishBiosHooks {
  /** Extra properties of the settings PATCH (e.g. `@Redfish.SettingsApplyTime`). */
  readonly patchExtras?: Readonly<Record<string, unknown>>
  /** Called with the PATCH answer; returns a handle to wait on after the reboot (a job path). */
  afterStaged?(ctx: DriverContext, handle: SystemHandle, settingsPath: string, res: RedfishResponse<unknown>): Promise<string | null>
  /** Waits for what `afterStaged` returned, after the reboot. */
  afterReboot?(ctx: DriverContext, handle: SystemHandle, waitOn: string): Promise<void>
}

/** Options of RedfishBios. */
export interface RedfishBiosOptions extends RedfishInterfaceOptions {
  readonly hooks?: RedfishBiosHooks
  /** How long to wait for staged settings to become current after the reboot. Default 10 minutes. */
  readonly applyTimeoutMs?: number
}

/** Parses the `settings` step argument. */
export function parseBiosChanges(value: unknown): BiosSettingChange[] {
  if (!Array.isArray(value) || value.length === 0) throw new ValidationError('BIOS "settings" must be a non-empty list of {name, value}.')
  return value.map((s: unknown, i) => {
    const { name, value: v } = (s ?? {}) as { name?: unknown; value?: unknown }
    if (typeof name !== 'string' || name === '' || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) {
      throw new ValidationError(`BIOS setting ${i} needs a string "name" and a "value".`)
    }
    return { name, value: String(v) }
  })
}

/** BIOS settings through a Redfish BMC. */
export class RedfishBios implements BiosInterface {
  readonly kind = 'bios'
  readonly name: string
  readonly #bmc: RedfishAccess
  readonly #power: RedfishPower
  readonly #hooks: RedfishBiosHooks
  readonly #applyTimeoutMs: number
  readonly #steps: StepTable

  constructor(opts: RedfishBiosOptions = {}) {
    this.#bmc = new RedfishAccess('bios', 'redfish', opts)
    this.name = this.#bmc.name
    this.#power = new RedfishPower({ ...opts, name: this.name })
    this.#hooks = opts.hooks ?? {}
    this.#applyTimeoutMs = opts.applyTimeoutMs ?? 600_000
    this.#steps = defineSteps('bios', this.name, [
      {
        step: 'apply_configuration',
        priority: { clean: 0, deploy: 0, service: 0 },
        argsinfo: { settings: { description: 'A list of {name, value} BIOS settings to apply.', required: true } },
        run: (ctx: DriverContext, args: JsonObject) => this.applySettings(ctx, parseBiosChanges(args.settings)),
      },
      { step: 'factory_reset', priority: { clean: 0, deploy: 0, service: 0 }, run: (ctx: DriverContext) => this.factoryReset(ctx) },
    ])
  }

  validate(node: NodeView): void {
    this.#bmc.info(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return REDFISH_PROPERTIES
  }

  async getSettings(ctx: DriverContext): Promise<readonly BiosSetting[]> {
    const { bios } = await this.#bios(ctx, await this.#bmc.system(ctx))
    return Object.entries(bios.Attributes ?? {})
      .map(([name, value]) => ({ name, value: value === null ? null : String(value) }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /**
   * Stages the settings, reboots so the firmware applies them, checks they are current, and
   * powers the node off again if it was off.
   * @throws RedfishError when the BMC refuses a setting; DriverError when they are not applied in time
   */
  async applySettings(ctx: DriverContext, settings: readonly BiosSettingChange[]): Promise<StepResult> {
    const handle = await this.#bmc.system(ctx)
    const { bios, path } = await this.#bios(ctx, handle)
    const current = bios.Attributes ?? {}
    const attrs: Record<string, string | number | boolean> = {}
    for (const s of settings) attrs[s.name] = typed(current[s.name], s.value)
    const settingsPath = bios['@Redfish.Settings']?.SettingsObject?.['@odata.id'] ?? `${path}/Settings`
    const res = await handle.client.patchWithEtag(settingsPath, { Attributes: attrs, ...this.#hooks.patchExtras }, { signal: ctx.signal })
    const waitOn = (await this.#hooks.afterStaged?.(ctx, handle, settingsPath, res)) ?? null
    ctx.log.info({ node: ctx.node.uuid, settings: Object.keys(attrs) }, `node ${ctx.node.uuid}: BIOS settings staged; rebooting to apply them`)
    await this.#rebootAndRestore(ctx, async () => {
      if (waitOn !== null) await this.#hooks.afterReboot?.(ctx, handle, waitOn)
      await this.#until(ctx, 'the BIOS settings to be applied', async () => {
        const now = (await this.#bios(ctx, handle)).bios.Attributes ?? {}
        return settings.every((s) => String(now[s.name]) === s.value)
      })
    })
    return DONE
  }

  /** Asks the BMC for factory defaults (`#Bios.ResetBios`), which the next boot applies. */
  async factoryReset(ctx: DriverContext): Promise<StepResult> {
    const handle = await this.#bmc.system(ctx)
    const { bios, path } = await this.#bios(ctx, handle)
    const target = bios.Actions?.['#Bios.ResetBios']?.target ?? `${path}/Actions/Bios.ResetBios`
    await handle.client.waitForTask(await handle.client.post(target, {}, { signal: ctx.signal }), { signal: ctx.signal })
    const settingsPath = bios['@Redfish.Settings']?.SettingsObject?.['@odata.id'] ?? `${path}/Settings`
    await this.#rebootAndRestore(ctx, () =>
      this.#until(ctx, 'the BIOS defaults to be applied', async () => {
        const pending = (await handle.client.get<Bios>(settingsPath, { signal: ctx.signal })).body.Attributes ?? {}
        return Object.keys(pending).length === 0
      }),
    )
    return DONE
  }

  getCleanSteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('clean')
  }

  getDeploySteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('deploy')
  }

  getServiceSteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('service')
  }

  executeStep(ctx: DriverContext, step: DriverStep): Promise<StepResult> {
    return this.#steps.execute(ctx, step)
  }

  async #bios(ctx: DriverContext, handle: SystemHandle): Promise<{ bios: Bios; path: string }> {
    const path = handle.system.Bios?.['@odata.id']
    if (path === undefined) {
      throw new DriverError(`The BMC of node ${ctx.node.uuid} exposes no Bios resource for ${handle.path}.`, { code: 'REDFISH_NOT_FOUND' })
    }
    return { bios: (await handle.client.get<Bios>(path, { signal: ctx.signal })).body, path }
  }

  async #rebootAndRestore(ctx: DriverContext, check: () => Promise<void>): Promise<void> {
    const wasOn = (await this.#power.getPowerState(ctx)) === 'power on'
    await this.#power.reboot(ctx)
    await check()
    if (!wasOn) await this.#power.setPowerState(ctx, 'power off')
  }

  async #until(ctx: DriverContext, what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = ctx.clock.now() + this.#applyTimeoutMs
    while (!(await done())) {
      if (ctx.clock.now() >= deadline) {
        throw new DriverError(`Timed out after ${Math.round(this.#applyTimeoutMs / 1000)} s waiting for ${what} on node ${ctx.node.uuid}.`, {
          code: 'FERRUM_BIOS_TIMEOUT',
        })
      }
      await ctx.clock.sleep(this.#bmc.pollMs, ctx.signal)
    }
  }
}

/** A step's string value in the type the BMC uses for the attribute now. */
function typed(current: unknown, value: string): string | number | boolean {
  if (typeof current === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  if (typeof current === 'boolean' && (value === 'true' || value === 'false')) return value === 'true'
  return value
}
