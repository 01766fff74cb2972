import type { FastifyInstance } from 'fastify'
import { takes } from '../args.js'
import { CONDUCTOR_LIST_ARGS, SHOW_ARGS } from '../schemas/query.js'
import type { AppDeps } from '../deps.js'
import type { ConductorRecord } from '../../db/repos/conductors.js'
import { NotFoundError } from '../../domain/errors.js'
import { baseUrl } from '../links.js'
import { checkSortKey, listFields, parseFields } from '../collection.js'
import { nextLink, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { MAX_LIMIT } from './nodes.js'
import { CONDUCTOR_DEFAULT_FIELDS, CONDUCTOR_FIELDS, conductorView } from '../views/conductor.js'

const SORT_KEYS = ['id', 'hostname', 'conductor_group', 'created_at', 'updated_at'] as const

function conductorNotFound(hostname: string): NotFoundError {
  return new NotFoundError(`Conductor ${hostname} could not be found.`, { code: 'CONDUCTOR_NOT_FOUND' })
}

function compare(a: ConductorRecord, b: ConductorRecord, key: (typeof SORT_KEYS)[number]): number {
  const av = a[key] ?? ''
  const bv = b[key] ?? ''
  if (av < bv) return -1
  if (av > bv) return 1
  return a.id - b.id
}

/**
 * Conductors and whether they are alive. There are few of them, so the list is sorted and
 * paged (marker = hostname) in memory.
 */
const CONDUCTORS = { config: { since: 'conductors', tooOld: 'absent', what: 'Conductors' } } as const

export function registerConductorRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/v1/conductors', takes(CONDUCTOR_LIST_ARGS, CONDUCTORS), async (req) => {
    const q = req.query as Query
    const fields = listFields(req, q, CONDUCTOR_FIELDS, CONDUCTOR_DEFAULT_FIELDS, false)
    checkSortKey(req, q, CONDUCTOR_FIELDS, ['alive', 'drivers', 'links'])
    const { limit, sortKey, sortDir } = qpaging(q, SORT_KEYS, MAX_LIMIT)
    const all = (await deps.store.conductors.list()).sort((a, b) => (sortDir === 'asc' ? 1 : -1) * compare(a, b, sortKey))
    const marker = qstr(q, 'marker')
    let start = 0
    if (marker !== undefined) {
      const i = all.findIndex((c) => c.hostname === marker)
      if (i < 0) throw conductorNotFound(marker)
      start = i + 1
    }
    const page = all.slice(start, start + limit)
    const base = baseUrl(req, deps)
    const now = Date.now()
    const out: Record<string, unknown> = { conductors: page.map((c) => conductorView(c, base, req.apiVersion, now, fields)) }
    const next = nextLink(base, 'conductors', q, limit, page.length, page.at(-1)?.hostname)
    if (next) out.next = next
    return out
  })

  app.get<{ Params: { hostname: string } }>('/v1/conductors/:hostname', takes(SHOW_ARGS, CONDUCTORS), async (req) => {
    const fields = parseFields(req, req.query as Query, CONDUCTOR_FIELDS)
    const c = await deps.store.conductors.get(req.params.hostname)
    if (!c) throw conductorNotFound(req.params.hostname)
    return conductorView(c, baseUrl(req, deps), req.apiVersion, Date.now(), fields)
  })
}
