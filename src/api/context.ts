import type { FastifyRequest } from 'fastify'
import { NOAUTH_CONTEXT } from '../domain/request-context.js'
import type { RequestContext } from '../domain/request-context.js'

/**
 * Who sent the request, as the conductor is told (every ConductorApi method takes it). Ferrum
 * serves noauth only so far: everyone is NOAUTH_CONTEXT, tagged with the request id. Authentication
 * will build the real context here.
 */
export function requestContext(req: FastifyRequest): RequestContext {
  return { ...NOAUTH_CONTEXT, requestId: req.id }
}
