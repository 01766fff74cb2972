/** Console interface: the node's serial or graphical console. */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'

/** Where to reach an enabled console, as `GET /v1/nodes/{node}/states/console` shows it. */
export interface ConsoleInfo {
  readonly type: string
  readonly url: string
}

/** Console access. */
export interface ConsoleInterface extends DriverInterface<'console'> {
  startConsole(ctx: DriverContext): Promise<void>
  stopConsole(ctx: DriverContext): Promise<void>
  getConsole(ctx: DriverContext): Promise<ConsoleInfo>
}
