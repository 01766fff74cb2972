/** `no-console`: no console access. */
import type { DriverContext } from '../driver-context.js'
import type { ConsoleInfo, ConsoleInterface } from '../interfaces/console.js'
import { NoSupport } from './no-support.js'

/** No console. */
export class NoConsole extends NoSupport<'console'> implements ConsoleInterface {
  readonly kind = 'console'
  readonly name = 'no-console'

  async startConsole(ctx: DriverContext): Promise<void> {
    throw this.unsupported(ctx.node, 'Console access')
  }

  async stopConsole(ctx: DriverContext): Promise<void> {
    throw this.unsupported(ctx.node, 'Console access')
  }

  async getConsole(ctx: DriverContext): Promise<ConsoleInfo> {
    throw this.unsupported(ctx.node, 'Console access')
  }
}
