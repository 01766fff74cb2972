import { requireVersion } from '../route-meta.js'
import { takes } from '../args.js'
import { DRIVER_LIST_ARGS, SHOW_ARGS } from '../schemas/query.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import { requestContext } from '../context.js'
import { ValidationError } from '../../domain/errors.js'
import { baseUrl } from '../links.js'
import { checkFieldNames } from '../collection.js'
import { qbool, qstr } from '../query.js'
import type { Query } from '../query.js'
import { DRIVER_FIELDS, driverView } from '../views/driver.js'

/** `?fields=` on drivers needs 1.77 (406 before); unknown names are a 400. */
function driverFields(req: FastifyRequest, q: Query): string[] | undefined {
  const raw = qstr(q, 'fields')
  if (raw === undefined) return undefined
  requireVersion(req, 'driver_fields_selector', 'The "fields" query parameter on drivers')
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  checkFieldNames(req, DRIVER_FIELDS, names)
  return names
}

/**
 * Hardware types ("drivers"), read from the conductor: the list (filterable by type from 1.30,
 * detailed from 1.30), one hardware type, and the driver_info properties it understands.
 */
export function registerDriverRoutes(app: FastifyInstance, deps: AppDeps): void {
  type D = { Params: { driver: string } }

  app.get('/v1/drivers', takes(DRIVER_LIST_ARGS), async (req) => {
    const q = req.query as Query
    const type = qstr(q, 'type')
    if (type !== undefined) requireVersion(req, 'dynamic_drivers', 'The "type" filter')
    if (qstr(q, 'detail') !== undefined) requireVersion(req, 'dynamic_drivers', 'The "detail" query parameter on drivers')
    const detail = qbool(q, 'detail') ?? false
    const fields = driverFields(req, q)
    if (fields !== undefined && detail) throw new ValidationError('Can not specify ?detail=True and fields in the same request.')
    if (type !== undefined && type !== 'classic' && type !== 'dynamic') {
      throw new ValidationError('"type" filter must be one of "classic" or "dynamic", if specified.')
    }
    // Ferrum has only hardware types ("dynamic" drivers); classic drivers are long gone from Ironic too.
    const drivers = type === 'classic' ? [] : await deps.conductor.listDrivers(requestContext(req))
    const base = baseUrl(req, deps)
    return { drivers: drivers.map((d) => driverView(d, base, req.apiVersion, detail, fields)) }
  })

  app.get<D>('/v1/drivers/:driver', takes(SHOW_ARGS), async (req) => {
    const fields = driverFields(req, req.query as Query)
    const d = await deps.conductor.getDriver(requestContext(req), req.params.driver)
    return driverView(d, baseUrl(req, deps), req.apiVersion, true, fields)
  })

  app.get<D>('/v1/drivers/:driver/properties', async (req) => deps.conductor.driverProperties(requestContext(req), req.params.driver))
}
