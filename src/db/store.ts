import type { Database } from './database.js'
import { NodeRepo } from './repos/nodes.js'
import { ConductorRepo } from './repos/conductors.js'
import { HistoryRepo } from './repos/history.js'
import { PortRepo } from './repos/ports.js'
import { PortgroupRepo } from './repos/portgroups.js'
import { ChassisRepo } from './repos/chassis.js'

/** Every repository over one database. Passed down explicitly; never a global. */
export class Store {
  readonly nodes: NodeRepo
  readonly conductors: ConductorRepo
  readonly history: HistoryRepo
  readonly ports: PortRepo
  readonly portgroups: PortgroupRepo
  readonly chassis: ChassisRepo

  constructor(readonly database: Database) {
    const db = database.db
    this.nodes = new NodeRepo(db)
    this.conductors = new ConductorRepo(db)
    this.history = new HistoryRepo(db)
    this.ports = new PortRepo(db)
    this.portgroups = new PortgroupRepo(db)
    this.chassis = new ChassisRepo(db)
  }
}
