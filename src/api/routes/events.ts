import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { AppDeps } from '../deps.js'
import { ValidationError } from '../../domain/errors.js'
import { check, checkUuid } from '../validate.js'
import { findNode } from '../node-lookup.js'

const NETWORK_EVENTS = ['network.bind_port', 'network.unbind_port', 'network.delete_port'] as const
const MAC_RE = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i

const NetworkEvent = Type.Object(
  {
    event: Type.Union(NETWORK_EVENTS.map((e) => Type.Literal(e))),
    port_id: Type.String(),
    mac_address: Type.String(),
    status: Type.String(),
    device_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    'binding:host_id': Type.Optional(Type.Union([Type.String(), Type.Null()])),
    'binding:vnic_type': Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
)
const EventsBody = Type.Object({ events: Type.Array(NetworkEvent, { minItems: 1 }) }, { additionalProperties: false })

/** External events (1.54+): checked, logged and accepted; Ferrum has no Neutron to act on them. */
export function registerEventRoutes(app: FastifyInstance, _deps: AppDeps): void {
  app.post('/v1/events', { config: { since: 'events', tooOld: 'absent', what: 'Events' } } as const, async (req, reply) => {
    const body = check(EventsBody, req.body, 'evts')
    for (const e of body.events) {
      checkUuid(e.port_id, 'port_id')
      if (!MAC_RE.test(e.mac_address)) throw new ValidationError(`Invalid input for field/attribute mac_address. Value: "${e.mac_address}". Expected a MAC address.`)
      if (e.device_id) checkUuid(e.device_id, 'device_id')
      if (e['binding:host_id']) checkUuid(e['binding:host_id'], 'binding:host_id')
      req.log.info({ event: e.event, port: e.port_id, mac: e.mac_address, status: e.status }, 'external event received')
    }
    void reply.code(204)
  })
}

/** Shards (1.82+): every shard value of the nodes with how many nodes carry it, largest first. */
export function registerShardRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/v1/shards', { config: { since: 'shards', tooOld: 'absent', what: 'Shards', pecan: 'The API version does not allow shards' } } as const, async () => {
    const rows = await deps.store.database.db
      .selectFrom('nodes')
      .select(['shard', sql<number>`count(id)`.as('n')])
      .groupBy('shard')
      .execute()
    rows.sort((a, b) => Number(b.n) - Number(a.n))
    // Nodes without a shard count under "None", the name Ironic gives them (Python's str(None)).
    return { shards: rows.map((r) => ({ name: r.shard === null ? 'None' : String(r.shard), count: Number(r.n) })) }
  })
}

/** Child nodes (1.83+): the UUIDs of the nodes whose parent_node is this node. */
export function registerChildrenRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { node: string } }>('/v1/nodes/:node/children', { config: { since: 'parent_node', tooOld: 'absent', what: 'Child nodes' } } as const, async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const rows = await deps.store.database.db.selectFrom('nodes').select('uuid').where('parent_node', 'in', node.name ? [node.uuid, node.name] : [node.uuid]).orderBy('id').execute()
    return { children: rows.map((r) => r.uuid) }
  })
}
