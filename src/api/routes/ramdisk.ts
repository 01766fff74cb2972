/**
 * The ramdisk's API (Ironic's `/v1/lookup` and `/v1/heartbeat/{node}`, 1.22+, and
 * `/v1/continue_inspection`, 1.84+): what the deploy agent calls. They are open to agents without
 * credentials, as in Ironic; the agent token the lookup issues is what authenticates heartbeats.
 * Also what in-band inspection stored: `GET /v1/nodes/{node}/inventory` (1.81+).
 */
import type { FastifyInstance } from 'fastify'
import { takes } from '../args.js'
import { CONTINUE_INSPECTION_ARGS, LOOKUP_ARGS } from '../schemas/query.js'
import { tooOldError } from '../route-meta.js'
import { Type } from '@sinclair/typebox'
import type { AppDeps } from '../deps.js'
import { requestContext } from '../context.js'
import { findNode } from '../node-lookup.js'
import { qstr, type Query } from '../query.js'
import { check, checkUuid } from '../validate.js'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { allows } from '../microversions.js'
import type { HeartbeatRequest } from '../../conductor/agent-callbacks.js'

const RAMDISK = { config: { since: 'lookup_heartbeat', tooOld: 'absent', what: 'The ramdisk API (lookup and heartbeat)' } } as const

const HeartbeatBody = Type.Object({
  callback_url: Type.String({ minLength: 1 }),
  agent_version: Type.Optional(Type.String()),
  agent_token: Type.Optional(Type.String()),
  agent_verify_ca: Type.Optional(Type.String()),
  agent_status: Type.Optional(Type.String()),
  agent_status_message: Type.Optional(Type.String()),
})

/** Ironic's minimal inventory: at least one interface with a MAC; anything else passes through. */
const InspectionBody = Type.Object({
  inventory: Type.Object({
    bmc_address: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    bmc_v6address: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    interfaces: Type.Array(Type.Object({ mac_address: Type.String() }, { additionalProperties: true }), { minItems: 1 }),
  }, { additionalProperties: true }),
}, { additionalProperties: true })

export function registerRamdiskRoutes(app: FastifyInstance, deps: AppDeps): void {
  // 1.84+, and 1.1 (no version header at all) as Ironic also accepts, for older agents. Below
  // 1.84 the answer is ironic-inspector's `{uuid}`; from 1.84 the lookup answer with the token.
  app.post('/v1/continue_inspection', takes(CONTINUE_INSPECTION_ARGS), async (req, reply) => {
    const minor = req.apiVersion.minor
    if (minor !== 1 && !allows(req.apiVersion, 'continue_inspection')) throw tooOldError(req, 'continue_inspection', 'Continuing inspection', 'absent')
    const body = check(InspectionBody, req.body ?? null, 'inspection data')
    const uuid = qstr(req.query as Query, 'node_uuid')
    const { inventory, ...pluginData } = body as { inventory: Record<string, unknown> } & Record<string, unknown>
    const answer = await deps.conductor.continueInspection(requestContext(req), { inventory, pluginData, nodeUuid: uuid === undefined ? undefined : checkUuid(uuid, 'node_uuid') })
    void reply.code(202)
    return allows(req.apiVersion, 'continue_inspection') ? answer : { uuid: answer.node.uuid }
  })

  app.get<{ Params: { node: string } }>('/v1/nodes/:node/inventory', { config: { since: 'node_inventory', tooOld: 'absent', what: 'Node inventory', pecan: '' } } as const, async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const inv = await deps.store.inventory.get(node.id)
    // Ironic names the node by its database id here; the UUID goes in the remedy.
    if (!inv) throw new NotFoundError(`Node inventory record for node ${node.id} could not be found.`, { code: 'FERRUM_NOT_FOUND', details: { ferrum_remedy: `Node ${node.uuid} has not been inspected (with the agent inspect interface) yet.` } })
    return { inventory: inv.inventory, plugin_data: inv.plugin_data }
  })

  app.get('/v1/lookup', takes(LOOKUP_ARGS, RAMDISK), async (req) => {
    const q = req.query as Query
    const addresses = (qstr(q, 'addresses') ?? '').split(',').filter((a) => a !== '')
    const uuid = qstr(q, 'node_uuid')
    return deps.conductor.agentLookup(requestContext(req), { addresses, nodeUuid: uuid === undefined ? undefined : checkUuid(uuid, 'node_uuid') })
  })

  app.post<{ Params: { node: string } }>('/v1/heartbeat/:node', RAMDISK, async (req, reply) => {
    const body = check(HeartbeatBody, req.body ?? {}, 'args')
    const node = await findNode(deps, req, req.params.node)
    let scheme = ''
    try {
      scheme = new URL(body.callback_url).protocol
    } catch {
      // not a URL at all: refused below, with Ironic's words
    }
    if (scheme !== 'http:' && scheme !== 'https:') throw new ValidationError('An issue with the supplied "callback_url" has been detected.')
    if (body.agent_token === undefined) throw new ValidationError('Agent token is required for heartbeat processing.', { code: 'INVALID_AGENT_TOKEN' })
    const hb: HeartbeatRequest = { ...body }
    await deps.conductor.agentHeartbeat(requestContext(req), node.uuid, hb)
    return reply.code(202).send()
  })
}
