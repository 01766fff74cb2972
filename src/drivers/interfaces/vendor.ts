/** Vendor interface: vendor passthru methods (`/v1/nodes/{node}/vendor_passthru/{method}`). */
import type { DriverContext, DriverLevelContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { JsonObject } from '../node-view.js'

/** HTTP methods a passthru method may accept. */
export type PassthruHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** What a passthru method declares (shown by `GET …/vendor_passthru/methods`). */
export interface PassthruMeta {
  readonly httpMethods: readonly PassthruHttpMethod[]
  /** Async methods answer 202 and run in the background. */
  readonly async: boolean
  readonly description: string
  /** Whether the response is returned as an attachment. */
  readonly attach: boolean
  readonly requireExclusiveLock: boolean
}

/** A node-level passthru method. */
export interface NodePassthruMethod extends PassthruMeta {
  run(ctx: DriverContext, args: JsonObject, httpMethod: PassthruHttpMethod): Promise<unknown>
}

/** A driver-level passthru method (no node). */
export interface DriverPassthruMethod extends PassthruMeta {
  run(ctx: DriverLevelContext, args: JsonObject, httpMethod: PassthruHttpMethod): Promise<unknown>
}

/** Vendor-specific extensions. */
export interface VendorInterface extends DriverInterface<'vendor'> {
  readonly methods: Readonly<Record<string, NodePassthruMethod>>
  readonly driverMethods: Readonly<Record<string, DriverPassthruMethod>>
}
