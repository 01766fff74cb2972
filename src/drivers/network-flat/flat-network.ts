/**
 * `flat` network: every port sits on one flat provider network, so nothing is switched when a
 * node moves between provisioning, cleaning and tenant use (Ironic's FlatNetwork, without its
 * Neutron port binding: Ferrum has no Neutron). Tenant VIFs are recorded on the node's ports and
 * port groups by the conductor (src/conductor/vifs.ts); this interface only vouches that a
 * node can use them.
 */
import { ValidationError } from '../../domain/errors.js'
import { NoopNetwork } from '../noop/noop-network.js'
import type { NodeView } from '../node-view.js'

/** Flat provider network plumbing: the no-op plumbing, plus the PXE port check. */
export class FlatNetwork extends NoopNetwork {
  override readonly name: string = 'flat'

  /** A flat network boots over a PXE-enabled port; a node with ports but none PXE-enabled can not. */
  override validate(node: NodeView): void {
    if (node.ports.length > 0 && !node.ports.some((p) => p.pxeEnabled)) {
      throw new ValidationError(`Node ${node.uuid} has ports but none with pxe_enabled; the flat network interface boots over a PXE-enabled port.`)
    }
  }
}
