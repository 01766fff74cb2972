import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PASSTHRU_ARGS } from '../schemas/query.js'
import type { AppDeps } from '../deps.js'
import { requestContext } from '../context.js'
import type { PassthruResult } from '../../conductor/api.js'
import { ValidationError } from '../../domain/errors.js'
import { findNode } from '../node-lookup.js'

/** The HTTP verbs a vendor method may be called with. */
const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

type Call = { Params: { node?: string; driver?: string; method?: string }; Querystring: { method?: unknown } }

/**
 * The method name: `?method=NAME` (Ironic's API reference) or the path segment after
 * `vendor_passthru/` (what python-ironicclient sends).
 * @throws ValidationError when it is missing or given twice
 */
function methodOf(req: FastifyRequest<Call>): string {
  const fromPath = req.params.method
  const fromQuery = req.query.method
  if (fromPath !== undefined && fromQuery !== undefined) {
    throw new ValidationError('Name the vendor method once: in the path or as ?method=, not both.', { code: 'FERRUM_MISSING_PARAMETER' })
  }
  const name = fromPath ?? fromQuery
  if (typeof name !== 'string' || name === '') {
    throw new ValidationError('Method not specified: call …/vendor_passthru?method=NAME (GET …/vendor_passthru/methods lists them).', { code: 'FERRUM_MISSING_PARAMETER' })
  }
  return name
}

/** The method's arguments: the JSON object body, or none. */
function argsOf(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('The vendor passthru body must be a JSON object of the method\'s arguments, e.g. {"raw_bytes": "0x06 0x01"}.', { code: 'FERRUM_INVALID' })
  }
  return body as Record<string, unknown>
}

/**
 * Answers as Ironic does: 202 with no body for async methods; 200 with the JSON-encoded return
 * value for sync ones, or with the value as an octet-stream attachment when the method says so.
 */
function answer(reply: FastifyReply, r: PassthruResult): FastifyReply {
  if (r.async) return reply.code(202).send()
  if (r.attach) {
    const bytes = Buffer.isBuffer(r.return) ? r.return : Buffer.from(typeof r.return === 'string' ? r.return : JSON.stringify(r.return ?? null))
    return reply.code(200).type('application/octet-stream').send(bytes)
  }
  return reply.code(200).type('application/json').send(JSON.stringify(r.return ?? null))
}

/**
 * Node and driver vendor passthru (since 1.1): `GET …/vendor_passthru/methods` lists what the
 * vendor interface offers; `{GET|POST|PUT|PATCH|DELETE} …/vendor_passthru?method=NAME` calls it.
 */
export function registerVendorPassthruRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { node: string } }>('/v1/nodes/:node/vendor_passthru/methods', async (req) => {
    const node = await findNode(deps, req, req.params.node)
    return deps.conductor.nodeVendorMethods(requestContext(req), node.uuid)
  })

  app.get<{ Params: { driver: string } }>('/v1/drivers/:driver/vendor_passthru/methods', async (req) => deps.conductor.driverVendorMethods(requestContext(req), req.params.driver))

  const nodeCall = async (req: FastifyRequest<Call>, reply: FastifyReply) => {
    const method = methodOf(req)
    const args = argsOf(req.body)
    const node = await findNode(deps, req, req.params.node!)
    return answer(reply, await deps.conductor.nodeVendorPassthru(requestContext(req), node.uuid, method, req.method, args))
  }
  const driverCall = async (req: FastifyRequest<Call>, reply: FastifyReply) => {
    const method = methodOf(req)
    const args = argsOf(req.body)
    return answer(reply, await deps.conductor.driverVendorPassthru(requestContext(req), req.params.driver!, method, req.method, args))
  }
  for (const url of ['/v1/nodes/:node/vendor_passthru', '/v1/nodes/:node/vendor_passthru/:method']) {
    app.route<Call>({ method: [...VERBS], url, schema: { querystring: PASSTHRU_ARGS }, handler: nodeCall })
  }
  for (const url of ['/v1/drivers/:driver/vendor_passthru', '/v1/drivers/:driver/vendor_passthru/:method']) {
    app.route<Call>({ method: [...VERBS], url, schema: { querystring: PASSTHRU_ARGS }, handler: driverCall })
  }
}
