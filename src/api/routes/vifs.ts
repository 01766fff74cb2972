import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { allows } from '../microversions.js'
import { tooNew } from '../collection.js'
import { findNode } from '../node-lookup.js'
import { check, checkUuid } from '../validate.js'
import type { VifAttachRequest } from '../../conductor/api.js'
import { requestContext } from '../context.js'

const VifBody = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 255 }),
    port_uuid: Type.Optional(Type.String()),
    portgroup_uuid: Type.Optional(Type.String()),
  },
  // Ironic passes any other keys on to the network interface; Ferrum's ignore them.
  { additionalProperties: true },
)

function gate(req: FastifyRequest): void {
  if (!allows(req.apiVersion, 'vifs')) throw new NotFoundError('The API version does not allow VIFs; use 1.28 or newer.', { code: 'API_VERSION_TOO_OLD' })
}

/** Tenant VIFs of a node: list, attach, detach (1.28+). */
export function registerVifRoutes(app: FastifyInstance, deps: AppDeps): void {
  type N = { Params: { node: string } }

  app.get<N>('/v1/nodes/:node/vifs', async (req) => {
    gate(req)
    const node = await findNode(deps, req, req.params.node)
    return { vifs: await deps.conductor.listVifs(requestContext(req), node.uuid) }
  })

  app.post<N>('/v1/nodes/:node/vifs', async (req, reply) => {
    gate(req)
    const body = check(VifBody, req.body, 'VIF')
    const r: VifAttachRequest = { id: body.id }
    if (body.port_uuid !== undefined || body.portgroup_uuid !== undefined) {
      if (!allows(req.apiVersion, 'vif_port_uuid')) throw tooNew(req, '"port_uuid" and "portgroup_uuid"', 'vif_port_uuid')
      if (body.port_uuid !== undefined && body.portgroup_uuid !== undefined) {
        throw new ValidationError('Cannot specify both port_uuid and portgroup_uuid.')
      }
      if (body.port_uuid !== undefined) r.port_uuid = checkUuid(body.port_uuid, 'port_uuid')
      if (body.portgroup_uuid !== undefined) r.portgroup_uuid = checkUuid(body.portgroup_uuid, 'portgroup_uuid')
    }
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.attachVif(requestContext(req), node.uuid, r)
    void reply.code(204)
  })

  app.delete<{ Params: { node: string; vif: string } }>('/v1/nodes/:node/vifs/:vif', async (req, reply) => {
    gate(req)
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.detachVif(requestContext(req), node.uuid, req.params.vif)
    void reply.code(204)
  })
}
