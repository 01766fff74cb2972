/** Fake console: an on/off flag in driver_internal_info and a made-up URL. */
import type { DriverContext } from '../driver-context.js'
import type { ConsoleInfo, ConsoleInterface } from '../interfaces/console.js'
import type { NodeView } from '../node-view.js'

/** A console that is only a flag. */
export class FakeConsole implements ConsoleInterface {
  readonly kind = 'console'
  readonly name = 'fake'

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  async startConsole(ctx: DriverContext): Promise<void> {
    ctx.internalInfo.fake_console_enabled = true
  }

  async stopConsole(ctx: DriverContext): Promise<void> {
    ctx.internalInfo.fake_console_enabled = false
  }

  async getConsole(ctx: DriverContext): Promise<ConsoleInfo> {
    return { type: 'fake', url: `fake://console/${ctx.node.uuid}` }
  }
}
