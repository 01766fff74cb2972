import type { Database } from './database.js'
import { NodeRepo } from './repos/nodes.js'
import { ConductorRepo } from './repos/conductors.js'
import { HistoryRepo } from './repos/history.js'

/** Every repository over one database. Passed down explicitly; never a global. */
export class Store {
  readonly nodes: NodeRepo
  readonly conductors: ConductorRepo
  readonly history: HistoryRepo

  constructor(readonly database: Database) {
    const db = database.db
    this.nodes = new NodeRepo(db)
    this.conductors = new ConductorRepo(db)
    this.history = new HistoryRepo(db)
  }
}
