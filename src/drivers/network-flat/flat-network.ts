/**
 * `flat` network: every port sits on one flat provider network, so nothing is switched when a
 * node moves between provisioning, cleaning and tenant use (Ironic's FlatNetwork, without its
 * Neutron port binding: Ferrum has no Neutron). Tenant VIFs are recorded on the node's ports and
 * port groups by the conductor (src/conductor/vifs.ts); this interface only vouches that a
 * node can use them.
 */
import { ValidationError } from '../../domain/errors.js'
import type { DriverContext } from '../driver-context.js'
import type { NetworkInterface, NetworkPhase, VifInfo } from '../interfaces/network.js'
import type { NodeView } from '../node-view.js'

/** Flat provider network plumbing. */
export class FlatNetwork implements NetworkInterface {
  readonly kind = 'network'
  readonly name = 'flat'

  /** A flat network boots over a PXE-enabled port; a node with ports but none PXE-enabled can not. */
  validate(node: NodeView): void {
    if (node.ports.length > 0 && !node.ports.some((p) => p.pxeEnabled)) {
      throw new ValidationError(`Node ${node.uuid} has ports but none with pxe_enabled; the flat network interface boots over a PXE-enabled port.`)
    }
  }

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  /** VIFs are read from the ports by the conductor; the network itself keeps no list. */
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
