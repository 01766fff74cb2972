import type { FastifyInstance } from 'fastify'
import { unknownDriverError } from '../../conductor/conductor-drivers.js'
import type { AppDeps } from '../deps.js'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { requestContext } from '../context.js'

import { findNode } from '../node-lookup.js'
import { check } from '../validate.js'
import { LOGICAL_DISK_PROPERTIES, TargetRaidConfig } from '../schemas/raid.js'

/** RAID: the node's target configuration and the logical disk properties of a driver (1.12+). */
export function registerRaidRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.put<{ Params: { node: string } }>('/v1/nodes/:node/states/raid', { config: { since: 'raid_config', tooOld: 'not-acceptable', what: 'Setting the target RAID configuration' } } as const, async (req, reply) => {
    const node = await findNode(deps, req, req.params.node)
    if (!node.raid_interface || node.raid_interface === 'no-raid') {
      throw new ValidationError(`Driver ${node.driver} does not support RAID (the raid interface of node ${node.uuid} is "${node.raid_interface ?? 'unset'}").`, { code: 'UNSUPPORTED_DRIVER_EXTENSION' })
    }
    const body = req.body ?? {}
    // An empty document removes the target configuration.
    const empty = typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0
    const config = empty ? null : check(TargetRaidConfig, body, { style: 'prefix', prefix: 'RAID config validation error: ' })
    const roots = config?.logical_disks.filter((d) => d.is_root_volume === true).length ?? 0
    if (roots > 1) throw new ValidationError('Only one logical disk can be marked as the root volume (is_root_volume).')
    await deps.conductor.setTargetRaidConfig(requestContext(req), node.uuid, config)
    void reply.code(204)
  })

  app.get<{ Params: { driver: string } }>('/v1/drivers/:driver/raid/logical_disk_properties', { config: { since: 'raid_config', tooOld: 'not-acceptable', what: 'RAID logical disk properties' } } as const, async (req) => {
    const d = await deps.conductor.getDriver(requestContext(req), req.params.driver).catch((e: unknown) => {
      throw e instanceof NotFoundError ? unknownDriverError(req.params.driver) : e
    })
    const raid = d.interfaces.raid?.default ?? null
    if (raid === null || raid === 'no-raid') {
      throw new ValidationError(`Driver ${req.params.driver} does not support RAID (its default raid interface is "${raid ?? 'none'}").`, { code: 'UNSUPPORTED_DRIVER_EXTENSION' })
    }
    return LOGICAL_DISK_PROPERTIES
  })
}
