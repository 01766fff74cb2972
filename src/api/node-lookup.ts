import type { FastifyRequest } from 'fastify'
import type { AppDeps } from './deps.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import { isUuid } from '../domain/ident.js'
import { NotFoundError, ValidationError } from '../domain/errors.js'
import { allows } from './microversions.js'
import { baseUrl } from './links.js'
import { nodeView } from './views/node.js'

/** Finds a node by UUID (or by name from 1.5 on). Throws 404 naming the identifier. */
export async function findNode(deps: AppDeps, req: FastifyRequest, ident: string): Promise<NodeRecord> {
  if (!isUuid(ident) && !allows(req.apiVersion, 'name')) {
    throw new NotFoundError(`Node ${ident} could not be found.`, { code: 'NODE_NOT_FOUND' })
  }
  return deps.store.nodes.getByIdent(ident)
}

export async function chassisIdFor(deps: AppDeps, uuid: string): Promise<number> {
  const row = await deps.store.database.db.selectFrom('chassis').select('id').where('uuid', '=', uuid.toLowerCase()).executeTakeFirst()
  if (!row) throw new ValidationError(`Chassis ${uuid} could not be found. Create it first or pass an existing chassis_uuid.`, { code: 'CHASSIS_NOT_FOUND' })
  return row.id
}

/** id → uuid for the rows of `table` that the nodes refer to, in one query. */
async function uuidMap(deps: AppDeps, table: 'chassis' | 'allocations', ids: (number | null)[]): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((x): x is number => x !== null))]
  if (wanted.length === 0) return new Map()
  const rows = await deps.store.database.db.selectFrom(table).select(['id', 'uuid']).where('id', 'in', wanted).execute()
  return new Map(rows.map((r) => [r.id, r.uuid]))
}

/** Renders many nodes at once, fetching chassis UUIDs and traits in bulk. */
export async function renderNodes(
  deps: AppDeps,
  req: FastifyRequest,
  nodes: NodeRecord[],
  opts: { fields?: string[]; short?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const base = baseUrl(req, deps)
  const wants = (f: string) => (opts.fields ? opts.fields.includes(f) : !opts.short)
  const chassis = wants('chassis_uuid') ? await uuidMap(deps, 'chassis', nodes.map((n) => n.chassis_id)) : new Map()
  const allocs = wants('allocation_uuid') ? await uuidMap(deps, 'allocations', nodes.map((n) => n.allocation_id)) : new Map()
  const traits = wants('traits') ? await deps.store.nodes.traitsOf(nodes.map((n) => n.id)) : new Map()
  return nodes.map((n) =>
    nodeView(
      n,
      {
        base,
        version: req.apiVersion,
        chassisUuid: n.chassis_id === null ? null : chassis.get(n.chassis_id) ?? null,
        allocationUuid: n.allocation_id === null ? null : allocs.get(n.allocation_id) ?? null,
        traits: traits.get(n.id) ?? [],
        conductor: deps.conductor.hostname,
      },
      opts.fields,
      opts.short,
    ),
  )
}

export async function renderNode(deps: AppDeps, req: FastifyRequest, node: NodeRecord, fields?: string[]): Promise<Record<string, unknown>> {
  return (await renderNodes(deps, req, [node], { fields }))[0]
}
