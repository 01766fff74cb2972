import type { Database } from './database.js'
import { NodeRepo } from './repos/nodes.js'
import { ConductorRepo } from './repos/conductors.js'
import { HistoryRepo } from './repos/history.js'
import { AllocationRepo } from './repos/allocations.js'
import { DeployTemplateRepo } from './repos/deploy-templates.js'
import { RunbookRepo } from './repos/runbooks.js'
import { VolumeRepo } from './repos/volume.js'
import { BiosSettingRepo } from './repos/bios.js'
import { InventoryRepo } from './repos/inventory.js'
import { PortRepo } from './repos/ports.js'
import { PortgroupRepo } from './repos/portgroups.js'
import { ChassisRepo } from './repos/chassis.js'

/** Every repository over one database. Passed down explicitly; never a global. */
export class Store {
  readonly nodes: NodeRepo
  readonly conductors: ConductorRepo
  readonly history: HistoryRepo
  readonly allocations: AllocationRepo
  readonly deployTemplates: DeployTemplateRepo
  readonly runbooks: RunbookRepo
  readonly volume: VolumeRepo
  readonly bios: BiosSettingRepo
  readonly inventory: InventoryRepo
  readonly ports: PortRepo
  readonly portgroups: PortgroupRepo
  readonly chassis: ChassisRepo

  constructor(readonly database: Database) {
    const db = database.db
    this.nodes = new NodeRepo(db)
    this.conductors = new ConductorRepo(db)
    this.history = new HistoryRepo(db)
    this.allocations = new AllocationRepo(db)
    this.deployTemplates = new DeployTemplateRepo(db)
    this.runbooks = new RunbookRepo(db)
    this.volume = new VolumeRepo(db)
    this.bios = new BiosSettingRepo(db)
    this.inventory = new InventoryRepo(db)
    this.ports = new PortRepo(db)
    this.portgroups = new PortgroupRepo(db)
    this.chassis = new ChassisRepo(db)
  }
}
