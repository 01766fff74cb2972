/**
 * `noop` network: ports stay where they are cabled; Ferrum's own DHCP (dnsmasq host files)
 * answers only nodes being provisioned, so no switching is needed. VIFs are not tracked.
 */
import type { DriverContext } from '../driver-context.js'
import type { NetworkInterface, NetworkPhase, VifInfo } from '../interfaces/network.js'
import type { NodeView } from '../node-view.js'

/** Network plumbing that does nothing. */
export class NoopNetwork implements NetworkInterface {
  readonly kind = 'network'
  readonly name: string = 'noop'

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  async vifList(_ctx: DriverContext): Promise<readonly VifInfo[]> {
    return []
  }

  async vifAttach(_ctx: DriverContext, _vif: VifInfo): Promise<void> {}

  async vifDetach(_ctx: DriverContext, _vifId: string): Promise<void> {}

  async addNetwork(_ctx: DriverContext, _phase: NetworkPhase): Promise<void> {}

  async removeNetwork(_ctx: DriverContext, _phase: NetworkPhase): Promise<void> {}

  async configureTenantNetworks(_ctx: DriverContext): Promise<void> {}

  async unconfigureTenantNetworks(_ctx: DriverContext): Promise<void> {}

  needPowerOn(_node: NodeView): boolean {
    return false
  }
}
