import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.js'
import { registerPortRoutes } from './ports.js'
import { registerPortgroupRoutes } from './portgroups.js'
import { registerChassisRoutes } from './chassis.js'
import { registerDriverRoutes } from './drivers.js'
import { registerConductorRoutes } from './conductors.js'
import { registerAllocationRoutes } from './allocations.js'
import { registerDeployTemplateRoutes } from './deploy-templates.js'
import { registerVifRoutes } from './vifs.js'
import { registerVolumeRoutes } from './volume.js'
import { registerBiosRoutes } from './bios.js'
import { registerRaidRoutes } from './raid.js'
import { registerChildrenRoutes, registerEventRoutes, registerShardRoutes } from './events.js'
import { registerRunbookRoutes } from './runbooks.js'
import { registerIndicatorRoutes } from './indicators.js'
import { registerVendorPassthruRoutes } from './vendor-passthru.js'
import { registerBootFileRoutes } from './boot-files.js'
import { registerRamdiskRoutes } from './ramdisk.js'
import { registerBootStageRoutes } from './boot-stages.js'

/** Resource route registrations beyond root and nodes; each adds itself here. */
export const ROUTE_PLUGINS: ReadonlyArray<(app: FastifyInstance, deps: AppDeps) => void> = [
  registerPortRoutes,
  registerPortgroupRoutes,
  registerChassisRoutes,
  registerDriverRoutes,
  registerConductorRoutes,
  registerAllocationRoutes,
  registerDeployTemplateRoutes,
  registerVifRoutes,
  registerVolumeRoutes,
  registerBiosRoutes,
  registerRaidRoutes,
  registerEventRoutes,
  registerShardRoutes,
  registerChildrenRoutes,
  registerRunbookRoutes,
  registerIndicatorRoutes,
  registerVendorPassthruRoutes,
  registerBootFileRoutes,
  registerRamdiskRoutes,
  registerBootStageRoutes,
]
