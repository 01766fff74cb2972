/**
 * `GET /v1/nodes/{node}/ferrum/boot-stages`: where a node's latest network boot got to, from
 * dnsmasq's log and the boot server's request log (src/netboot/boot-stages.ts). Ferrum's own.
 */
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.js'
import { findNode } from '../node-lookup.js'
import { nodeBootStages } from '../../netboot/node-boot-stages.js'

export function registerBootStageRoutes(app: FastifyInstance, deps: AppDeps): void {
  const netboot = deps.netboot
  if (netboot === undefined) return
  app.get<{ Params: { node: string } }>('/v1/nodes/:node/ferrum/boot-stages', async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const ports = await deps.store.ports.list({ node_id: node.id })
    return { node: node.uuid, provision_state: node.provision_state, ...(await nodeBootStages(node, ports.filter((p) => p.pxe_enabled).map((p) => p.address), netboot)) }
  })
}
