import type { FastifyInstance } from 'fastify'
import { takes } from '../args.js'
import { HISTORY_LIST_ARGS } from '../schemas/query.js'
import type { AppDeps } from '../deps.js'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { baseUrl, selfLinks } from '../links.js'
import { findNode } from '../node-lookup.js'
import { check, checkTrait } from '../validate.js'
import { MaintenanceBody, TraitsBody } from '../schemas/node.js'
import type { HistoryRecord } from '../../db/repos/history.js'

const MAX_TRAITS = 50

/** Ironic's TooManyTraits (it names the node by its database id), with Ferrum's remedy beside it. */
function tooManyTraits(nodeId: number, count: number): ValidationError {
  return new ValidationError(`Could not modify traits for node ${nodeId} as it would exceed the maximum number of traits per node (${count} vs. ${MAX_TRAITS})`, {
    details: { ferrum_field: 'traits', ferrum_remedy: `A node has at most ${MAX_TRAITS} traits; remove some first.` },
  })
}

function historyView(h: HistoryRecord, base: string, nodeUuid: string, detail: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    uuid: h.uuid,
    created_at: h.created_at,
    severity: h.severity,
    event: h.event,
    links: selfLinks(base, `nodes/${nodeUuid}/history/${h.uuid}`),
  }
  if (detail) {
    out.event_type = h.event_type
    out.conductor = h.conductor
    out.user = h.user
    // Ferrum's own additions, under a prefix clients can ignore.
    out.ferrum_provision_state = h.provision_state
    out.ferrum_duration_ms = h.duration_ms
    out.ferrum_error = h.error_detail
    out.ferrum_phase = h.phase
  }
  return out
}

/** Traits, maintenance and history of a node. */
const TRAITS = { config: { since: 'traits', tooOld: 'not-acceptable', what: 'Node traits' } } as const
/** Adding one trait before 1.37: Ironic's router has no such method yet (webob's 405). */
const ADD_TRAIT = { config: { since: 'traits', tooOld: 'not-allowed', what: 'Adding a node trait', pecan: '' } } as const

const HISTORY = { config: { since: 'node_history', tooOld: 'absent', what: 'Node history', pecan: '' } } as const

export function registerNodeExtraRoutes(app: FastifyInstance, deps: AppDeps): void {
  type P = { Params: { node: string } }
  type PT = { Params: { node: string; trait: string } }

  app.get<P>('/v1/nodes/:node/traits', TRAITS, async (req) => {
    const node = await findNode(deps, req, req.params.node)
    return { traits: await deps.store.nodes.traits(node.id) }
  })

  app.put<P>('/v1/nodes/:node/traits', TRAITS, async (req, reply) => {
    const body = check(TraitsBody, req.body, 'body')
    const traits = body.traits.map((t) => checkTrait(t, 'body'))
    const node = await findNode(deps, req, req.params.node)
    const count = new Set(traits).size
    if (count > MAX_TRAITS) throw tooManyTraits(node.id, count)
    await deps.store.nodes.setTraits(node.id, traits)
    void reply.code(204)
  })

  app.put<PT>('/v1/nodes/:node/traits/:trait', ADD_TRAIT, async (req, reply) => {
    if (req.body !== undefined && req.body !== null) throw new ValidationError('Adding a single trait takes no request body; the trait is in the URL.')
    const trait = checkTrait(req.params.trait, 'trait')
    const node = await findNode(deps, req, req.params.node)
    const current = await deps.store.nodes.traits(node.id)
    if (!current.includes(trait) && current.length >= MAX_TRAITS) {
      throw tooManyTraits(node.id, current.length + 1)
    }
    await deps.store.nodes.addTrait(node.id, trait)
    void reply.code(204).header('Location', `${baseUrl(req, deps)}/v1/nodes/${node.uuid}/traits/${trait}`)
  })

  app.delete<P>('/v1/nodes/:node/traits', TRAITS, async (req, reply) => {
    const node = await findNode(deps, req, req.params.node)
    await deps.store.nodes.setTraits(node.id, [])
    void reply.code(204)
  })

  app.delete<PT>('/v1/nodes/:node/traits/:trait', TRAITS, async (req, reply) => {
    const node = await findNode(deps, req, req.params.node)
    if (!(await deps.store.nodes.removeTrait(node.id, req.params.trait))) {
      throw new NotFoundError(`Node ${node.uuid} doesn't have a trait '${req.params.trait}'.`, { code: 'NODE_TRAIT_NOT_FOUND' })
    }
    void reply.code(204)
  })

  app.put<P>('/v1/nodes/:node/maintenance', async (req, reply) => {
    const body = check(MaintenanceBody, req.body ?? {}, 'args')
    const node = await findNode(deps, req, req.params.node)
    await deps.store.nodes.update(node.id, { maintenance: true, maintenance_reason: body?.reason ?? null })
    await deps.store.history.add({ node_id: node.id, event_type: 'maintenance', severity: 'INFO', event: `Maintenance set${body?.reason ? `: ${body.reason}` : ''}`, provision_state: node.provision_state, conductor: deps.conductor.hostname })
    void reply.code(202)
  })

  app.delete<P>('/v1/nodes/:node/maintenance', async (req, reply) => {
    const node = await findNode(deps, req, req.params.node)
    await deps.store.nodes.update(node.id, { maintenance: false, maintenance_reason: null, fault: null })
    await deps.store.history.add({ node_id: node.id, event_type: 'maintenance', severity: 'INFO', event: 'Maintenance unset', provision_state: node.provision_state, conductor: deps.conductor.hostname })
    void reply.code(202)
  })

  app.get<P>('/v1/nodes/:node/history', takes(HISTORY_LIST_ARGS, HISTORY), async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const detail = (req.query as { detail?: boolean }).detail === true
    const base = baseUrl(req, deps)
    const list = await deps.store.history.list(node.id)
    return { history: list.map((h) => historyView(h, base, node.uuid, detail)) }
  })

  app.get<{ Params: { node: string; event: string } }>('/v1/nodes/:node/history/:event', HISTORY, async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const h = await deps.store.history.getByUuid(node.id, req.params.event)
    if (!h) throw new NotFoundError(`Node history record ${req.params.event} could not be found.`, { code: 'NODE_HISTORY_NOT_FOUND' })
    return historyView(h, baseUrl(req, deps), node.uuid, true)
  })
}
