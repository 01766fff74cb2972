import { tooOldError } from '../route-meta.js'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.js'
import { ValidationError } from '../../domain/errors.js'
import { allows } from '../microversions.js'

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

/** Tenant VIFs of a node: list, attach, detach (1.28+). */
const VIFS = { config: { since: 'vifs', tooOld: 'absent', what: 'VIFs', pecan: '' } } as const

export function registerVifRoutes(app: FastifyInstance, deps: AppDeps): void {
  type N = { Params: { node: string } }

  app.get<N>('/v1/nodes/:node/vifs', VIFS, async (req) => {
    const node = await findNode(deps, req, req.params.node)
    return { vifs: await deps.conductor.listVifs(requestContext(req), node.uuid) }
  })

  app.post<N>('/v1/nodes/:node/vifs', VIFS, async (req, reply) => {
    const body = check(VifBody, req.body, 'vif')
    const r: VifAttachRequest = { id: body.id }
    if (body.port_uuid !== undefined || body.portgroup_uuid !== undefined) {
      if (!allows(req.apiVersion, 'vif_port_uuid')) throw tooOldError(req, 'vif_port_uuid', '"port_uuid" and "portgroup_uuid"')
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

  app.delete<{ Params: { node: string; vif: string } }>('/v1/nodes/:node/vifs/:vif', VIFS, async (req, reply) => {
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.detachVif(requestContext(req), node.uuid, req.params.vif)
    void reply.code(204)
  })
}
