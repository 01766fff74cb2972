/** Shared pieces of the `no-*` interfaces, which refuse every operation (Ironic's FailMixin). */
import { unsupportedOperation } from '../driver-errors.js'
import type { InterfaceKind } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** Base of an interface that supports nothing: validate() and every operation throw. */
export abstract class NoSupport<K extends InterfaceKind> {
  abstract readonly kind: K
  abstract readonly name: string

  /** @throws ValidationError (UNSUPPORTED_DRIVER_EXTENSION) always */
  validate(node: NodeView): void {
    throw this.unsupported(node, 'This interface')
  }

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  /** The error for `operation` on `node`. */
  protected unsupported(node: NodeView, operation: string): Error {
    return unsupportedOperation(node, this.kind, this.name, operation)
  }
}
