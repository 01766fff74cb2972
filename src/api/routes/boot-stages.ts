/**
 * `GET /v1/nodes/{node}/ferrum/boot-stages`: where a node's latest network boot got to, from
 * dnsmasq's log and the boot server's request log (src/netboot/boot-stages.ts). Ferrum's own.
 */
import { open } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.js'
import { findNode } from '../node-lookup.js'
import { bootStages } from '../../netboot/boot-stages.js'

/** How much of dnsmasq's log (which only grows) is read: its end, where the latest boot is. */
const LOG_TAIL_BYTES = 4 * 1024 * 1024

async function tail(path: string, bytes: number): Promise<string> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch {
    return ''
  }
  try {
    const size = (await fh.stat()).size
    const start = Math.max(0, size - bytes)
    const buf = Buffer.alloc(size - start)
    const { bytesRead } = await fh.read(buf, 0, buf.length, start)
    const text = buf.subarray(0, bytesRead).toString('utf8')
    // A cut first line is dropped.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text
  } finally {
    await fh.close()
  }
}

export function registerBootStageRoutes(app: FastifyInstance, deps: AppDeps): void {
  const netboot = deps.netboot
  if (netboot === undefined) return
  app.get<{ Params: { node: string } }>('/v1/nodes/:node/ferrum/boot-stages', async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const ports = await deps.store.ports.list({ node_id: node.id })
    const dii = node.driver_internal_info
    const phase = dii.ferrum_phase as { started_at?: string } | undefined
    // The current boot began at most a minute before the phase that is running now.
    const since = (Date.parse(phase?.started_at ?? node.provision_updated_at ?? node.updated_at ?? '') || Date.now()) - 60_000
    const dnsmasqLog = netboot.dnsmasqLog ? await tail(netboot.dnsmasqLog, LOG_TAIL_BYTES) : null
    const stages = bootStages({ macs: ports.filter((p) => p.pxe_enabled).map((p) => p.address), since, dnsmasqLog, fetches: netboot.bootLog.entries(), internalInfo: dii })
    const stopped = stages.find((s) => !s.seen && s.stage !== 'boot file')
    return { node: node.uuid, provision_state: node.provision_state, since: new Date(since).toISOString(), stages, stopped_at: stopped?.stage ?? null }
  })
}
