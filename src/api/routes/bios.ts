import { requireVersion } from '../route-meta.js'
import { takes } from '../args.js'
import { BIOS_LIST_ARGS } from '../schemas/query.js'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { BiosSettingRecord } from '../../db/repos/bios.js'
import { NotFoundError } from '../../domain/errors.js'
import { allows } from '../microversions.js'
import { baseUrl, selfLinks } from '../links.js'
import { findNode } from '../node-lookup.js'
import { checkFieldNames } from '../collection.js'
import type { FieldTable } from '../collection.js'
import { qbool, qstr } from '../query.js'
import type { Query } from '../query.js'
import { requestContext } from '../context.js'

/** BIOS setting fields; the registry ones appeared in 1.74. */
const BIOS_FIELDS: FieldTable = [
  ['name', null], ['value', null], ['attribute_type', 'bios_registry'], ['allowable_values', 'bios_registry'],
  ['lower_bound', 'bios_registry'], ['max_length', 'bios_registry'], ['min_length', 'bios_registry'],
  ['read_only', 'bios_registry'], ['reset_required', 'bios_registry'], ['unique', 'bios_registry'],
  ['upper_bound', 'bios_registry'], ['created_at', null], ['updated_at', null], ['links', null],
]
const DEFAULT_FIELDS = ['created_at', 'updated_at', 'name', 'value']
const REGISTRY_FIELDS = BIOS_FIELDS.map(([f]) => f).filter((f) => f !== 'links')

function view(s: BiosSettingRecord, base: string, nodeUuid: string, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) out[f] = (s as unknown as Record<string, unknown>)[f] ?? null
  out.links = selfLinks(base, `nodes/${nodeUuid}/bios/${s.name}`)
  return out
}

/** A node's BIOS settings (1.40+), with the registry fields from 1.74. */
const BIOS = { config: { since: 'bios_interface', tooOld: 'absent', what: 'BIOS settings', pecan: '' } } as const

export function registerBiosRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { node: string } }>('/v1/nodes/:node/bios', takes(BIOS_LIST_ARGS, BIOS), async (req) => {
    const q = req.query as Query
    let fields = DEFAULT_FIELDS
    const detail = qbool(q, 'detail')
    if (detail !== undefined) requireVersion(req, 'bios_registry', 'The "detail" parameter for BIOS settings')
    const rawFields = qstr(q, 'fields')
    if (rawFields !== undefined) {
      requireVersion(req, 'bios_registry', 'The "fields" parameter for BIOS settings')
      fields = rawFields.split(',').map((s) => s.trim()).filter(Boolean)
      checkFieldNames(req, BIOS_FIELDS, fields)
    } else if (detail) fields = REGISTRY_FIELDS
    const node = await findNode(deps, req, req.params.node)
    const settings = await deps.conductor.biosSettings(requestContext(req), node.uuid)
    const base = baseUrl(req, deps)
    return { bios: settings.map((s) => view(s, base, node.uuid, fields)) }
  })

  app.get<{ Params: { node: string; setting: string } }>('/v1/nodes/:node/bios/:setting', BIOS, async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const s = (await deps.conductor.biosSettings(requestContext(req), node.uuid)).find((x) => x.name === req.params.setting)
    if (!s) throw new NotFoundError(`Node ${node.uuid} doesn't have a BIOS setting '${req.params.setting}'`, { code: 'BIOS_SETTING_NOT_FOUND' })
    const fields = allows(req.apiVersion, 'bios_registry') ? REGISTRY_FIELDS : DEFAULT_FIELDS
    return { [s.name]: view(s, baseUrl(req, deps), node.uuid, fields) }
  })
}
