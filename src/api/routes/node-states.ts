import { requireVersion, requireMinor } from '../route-meta.js'
import { readArg } from '../args.js'
import { API_BOOT_DEVICES } from '../../drivers/interfaces/management.js'
import { INTERFACE_KINDS } from '../../domain/interface-kinds.js'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import { requestContext } from '../context.js'
import type { NodeRecord } from '../../db/repos/nodes.js'
import { InvalidStateRequestedError, NodeLockedError, ValidationError } from '../../domain/errors.js'
import { allows } from '../microversions.js'
import { baseUrl } from '../links.js'
import { findNode } from '../node-lookup.js'
import { check } from '../validate.js'
import type { ProvisionRequest } from '../../conductor/api.js'
import { applyRunbook } from './runbooks.js'
import { isPowerTarget, POWER_TARGETS, POWER_TARGET_SINCE_MINOR, POWER_TIMEOUT_SINCE_MINOR } from '../../domain/power-states.js'
import { allowedVerbs, invalidActionMessage, isProvisionVerb } from '../../domain/provision-states.js'
import { verbSinceMinor } from '../../domain/provision-states-api.js'

const PowerBody = Type.Object(
  { target: Type.String({ maxLength: 64 }), timeout: Type.Optional(Type.Union([Type.Integer(), Type.Null()])) },
  { additionalProperties: false },
)
const Step = Type.Object(
  {
    interface: Type.String({ minLength: 1, maxLength: 64 }),
    step: Type.String({ minLength: 1, maxLength: 255 }),
    args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    priority: Type.Optional(Type.Integer({ minimum: 0 })),
    order: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
)
const ProvisionBody = Type.Object(
  {
    target: Type.String({ maxLength: 64 }),
    configdrive: Type.Optional(Type.Union([Type.String(), Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
    clean_steps: Type.Optional(Type.Union([Type.Array(Step, { maxItems: 100 }), Type.Null()])),
    deploy_steps: Type.Optional(Type.Union([Type.Array(Step, { maxItems: 100 }), Type.Null()])),
    service_steps: Type.Optional(Type.Array(Step, { maxItems: 100 })),
    rescue_password: Type.Optional(Type.String({ maxLength: 255 })),
    disable_ramdisk: Type.Optional(Type.Boolean()),
    runbook: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
)
/** `PUT …/states/console`: `enabled`, a boolean as Ironic reads one ("true", "off"…). */
const ConsoleBody = Type.Object({ enabled: Type.Union([Type.Boolean(), Type.String()]) }, { additionalProperties: false })

const BootDeviceBody = Type.Object(
  { boot_device: Type.String({ maxLength: 64 }), persistent: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
)

export function statesView(n: NodeRecord, req: FastifyRequest, queuePosition: number | null = null): Record<string, unknown> {
  const out: Record<string, unknown> = {
    console_enabled: n.console_enabled,
    last_error: n.last_error,
    power_state: n.power_state,
    provision_state: n.provision_state,
    provision_updated_at: n.provision_updated_at,
    target_power_state: n.target_power_state,
    target_provision_state: n.target_provision_state,
  }
  if (allows(req.apiVersion, 'raid_config')) {
    out.raid_config = n.raid_config ?? {}
    out.target_raid_config = n.target_raid_config ?? {}
  }
  if (allows(req.apiVersion, 'boot_mode_fields')) {
    out.boot_mode = n.boot_mode ?? null
    out.secure_boot = n.secure_boot ?? null
  }
  // Ferrum's own: the node's place in the deploy/clean admission queue (null when not waiting).
  out.ferrum_queue_position = queuePosition
  return out
}

export function registerNodeStateRoutes(app: FastifyInstance, deps: AppDeps): void {
  type P = { Params: { node: string } }
  const accepted = (req: FastifyRequest, n: NodeRecord) => `${baseUrl(req, deps)}/v1/nodes/${n.uuid}/states`

  app.get<P>('/v1/nodes/:node/states', async (req) => {
    const node = await findNode(deps, req, req.params.node)
    return statesView(node, req, await deps.conductor.queuePosition(requestContext(req), node.uuid))
  })

  app.put<P>('/v1/nodes/:node/states/power', async (req, reply) => {
    const body = check(PowerBody, req.body, 'args')
    if (!isPowerTarget(body.target)) {
      const n = await findNode(deps, req, req.params.node)
      throw new ValidationError(`The requested action "${body.target}" can not be performed on node "${n.uuid}" while it is in state "${n.power_state ?? 'None'}".`, { details: { ferrum_remedy: `Use one of: ${POWER_TARGETS.join(', ')}.` } })
    }
    requireMinor(req, POWER_TARGET_SINCE_MINOR[body.target], `Power target "${body.target}"`)
    if (body.timeout !== undefined && body.timeout !== null) {
      requireMinor(req, POWER_TIMEOUT_SINCE_MINOR, 'A power timeout')
      if (body.timeout < 1 || body.timeout > 86400) throw new ValidationError('timeout has to be positive integer', { details: { ferrum_remedy: 'Give the timeout in seconds, 1 to 86400.' } })
    }
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.changePowerState(requestContext(req), node.uuid, body.target, { timeoutS: body.timeout ?? undefined })
    void reply.code(202).header('Location', accepted(req, node))
    return null
  })

  app.put<P>('/v1/nodes/:node/states/provision', async (req, reply) => {
    const checked = check(ProvisionBody, req.body, 'args')
    const body = { ...checked, clean_steps: checked.clean_steps ?? undefined, deploy_steps: checked.deploy_steps ?? undefined }
    // Ironic's order: the verb's version, then whether the node's state takes it (an unknown verb
    // included), then the arguments. The conductor checks the state again under the node lock.
    const node = await findNode(deps, req, req.params.node)
    if (isProvisionVerb(body.target)) requireMinor(req, verbSinceMinor(body.target), `The "${body.target}" provision action`)
    // (`abort` of work in flight is the conductor's to judge: it stops an abortable step.)
    if (!isProvisionVerb(body.target) || (body.target !== 'abort' && !allowedVerbs(node.provision_state).includes(body.target))) {
      if (node.reservation !== null) throw new NodeLockedError(node.uuid, node.reservation)
      throw new InvalidStateRequestedError(invalidActionMessage(node.provision_state, body.target, node.uuid, req.apiVersion.minor), {
        details: { provision_state: node.provision_state, action: body.target, allowed: allowedVerbs(node.provision_state, req.apiVersion.minor) },
      })
    }
    if (body.configdrive !== undefined && body.configdrive !== null) {
      if (!['active', 'rebuild', 'deploy'].includes(body.target)) throw new ValidationError('A config drive can only be passed with the "active", "deploy" or "rebuild" actions.')
      if (body.target === 'rebuild') requireVersion(req, 'rebuild_configdrive', 'A config drive with "rebuild"')
      if (typeof body.configdrive === 'object') requireVersion(req, 'build_configdrive', 'A config drive given as a JSON object')
    }
    if (body.clean_steps !== undefined && body.target !== 'clean') throw new ValidationError('"clean_steps" is only valid for the "clean" action.')
    if (body.target === 'clean' && body.clean_steps === undefined && body.runbook === undefined) {
      throw new ValidationError('"clean_steps" is required when setting target provision state to clean', { details: { ferrum_remedy: 'Give "clean_steps": a list of {"interface": …, "step": …, "args": {…}}.' } })
    }
    if (body.deploy_steps !== undefined) {
      requireVersion(req, 'deploy_steps_provision', '"deploy_steps"')
      if (!['active', 'rebuild', 'deploy'].includes(body.target)) throw new ValidationError('"deploy_steps" is only valid for the "active", "deploy" and "rebuild" actions.')
    }
    if (body.service_steps !== undefined && body.target !== 'service') throw new ValidationError('"service_steps" is only valid for the "service" action.')
    if (body.target === 'service' && body.service_steps === undefined && body.runbook === undefined) {
      throw new ValidationError('"service_steps" is required for the "service" action.')
    }
    if (body.rescue_password !== undefined && body.target !== 'rescue') throw new ValidationError('"rescue_password" is only valid for the "rescue" action.')
    if (body.target === 'rescue' && !body.rescue_password) throw new ValidationError('A non-empty "rescue_password" is required when setting target provision state to rescue')
    if (body.disable_ramdisk !== undefined) {
      requireVersion(req, 'disable_ramdisk', '"disable_ramdisk"')
      if (!['clean', 'service'].includes(body.target)) throw new ValidationError('"disable_ramdisk" is only valid for the "clean" and "service" actions.')
    }
    if (body.runbook !== undefined) requireVersion(req, 'runbooks', '"runbook"')
    const pr: ProvisionRequest = { ...body, verb: body.target, apiMinor: req.apiVersion.minor }
    await applyRunbook(deps, node, pr)
    await deps.conductor.provision(requestContext(req), node.uuid, pr)
    void reply.code(202).header('Location', accepted(req, node))
    return null
  })

  app.get<P>('/v1/nodes/:node/states/console', async (req) => {
    const node = await findNode(deps, req, req.params.node)
    return deps.conductor.getConsole(requestContext(req), node.uuid)
  })

  app.put<P>('/v1/nodes/:node/states/console', async (req, reply) => {
    const body = check(ConsoleBody, req.body, 'args')
    const enabled = readArg('boolean', 'enabled', body.enabled) as boolean
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.setConsole(requestContext(req), node.uuid, enabled)
    void reply.code(202).header('Location', `${baseUrl(req, deps)}/v1/nodes/${req.params.node}/states/console`)
    return null
  })

  app.get<P>('/v1/nodes/:node/management/boot_device', async (req) => {
    const node = await findNode(deps, req, req.params.node)
    return deps.conductor.getBootDevice(requestContext(req), node.uuid)
  })

  app.put<P>('/v1/nodes/:node/management/boot_device', async (req, reply) => {
    const body = check(BootDeviceBody, req.body, 'args')
    if (!API_BOOT_DEVICES.includes(body.boot_device)) {
      throw new ValidationError(`Invalid boot device ${body.boot_device} specified.`, { details: { ferrum_remedy: `Use one of: ${API_BOOT_DEVICES.join(', ')}.` } })
    }
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.setBootDevice(requestContext(req), node.uuid, body.boot_device, body.persistent ?? false)
    void reply.code(204)
  })

  app.get<P>('/v1/nodes/:node/management/boot_device/supported', async (req) => {
    const node = await findNode(deps, req, req.params.node)
    return { supported_boot_devices: await deps.conductor.getSupportedBootDevices(requestContext(req), node.uuid) }
  })

  app.put<P>('/v1/nodes/:node/management/inject_nmi', { config: { since: 'inject_nmi', tooOld: 'absent', what: 'Injecting an NMI' } } as const, async (req, reply) => {
    if (req.body !== undefined && req.body !== null && (typeof req.body !== 'object' || Array.isArray(req.body) || Object.keys(req.body).length > 0)) {
      throw new ValidationError('The inject_nmi request takes an empty JSON object as body.')
    }
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.injectNmi(requestContext(req), node.uuid)
    void reply.code(204)
  })

  app.get<P>('/v1/nodes/:node/validate', async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const result = await deps.conductor.validate(requestContext(req), node.uuid)
    // As Ironic: every interface but vendor, at any version (firmware only from its version on).
    const out: Record<string, unknown> = {}
    for (const k of INTERFACE_KINDS) {
      if (k === 'vendor' || (k === 'firmware' && !allows(req.apiVersion, 'firmware_interface'))) continue
      out[k] = result[k]
    }
    return out
  })
}
