/**
 * Fake vendor passthru: `echo` (sync, GET/POST) returns what it was sent; `count` (async, POST)
 * increments driver_internal_info `fake_vendor_calls`; `fail` (async, POST) fails with its `message`
 * argument; driver-level `ping` answers `{pong: true}`.
 */
import { DriverError } from '../../domain/errors.js'
import type { DriverContext, DriverLevelContext } from '../driver-context.js'
import type { DriverPassthruMethod, NodePassthruMethod, PassthruHttpMethod, VendorInterface } from '../interfaces/vendor.js'
import type { JsonObject, NodeView } from '../node-view.js'

/** Vendor methods for exercising the passthru API. */
export class FakeVendor implements VendorInterface {
  readonly kind = 'vendor'
  readonly name = 'fake'
  readonly methods: Readonly<Record<string, NodePassthruMethod>> = {
    echo: {
      httpMethods: ['GET', 'POST'],
      async: false,
      attach: false,
      requireExclusiveLock: false,
      description: 'Returns the arguments and HTTP method it was called with.',
      run: async (_ctx: DriverContext, args: JsonObject, httpMethod: PassthruHttpMethod) => ({ args, httpMethod }),
    },
    count: {
      httpMethods: ['POST'],
      async: true,
      attach: false,
      requireExclusiveLock: true,
      description: 'Counts its calls in driver_internal_info fake_vendor_calls.',
      run: async (ctx: DriverContext) => {
        const n = typeof ctx.internalInfo.fake_vendor_calls === 'number' ? ctx.internalInfo.fake_vendor_calls : 0
        ctx.internalInfo.fake_vendor_calls = n + 1
        return null
      },
    },
    fail: {
      httpMethods: ['POST'],
      async: true,
      attach: false,
      requireExclusiveLock: true,
      description: 'Fails in the background with the "message" argument (exercises the failure path).',
      run: async (_ctx: DriverContext, args: JsonObject) => {
        throw new DriverError(typeof args.message === 'string' ? args.message : 'fake vendor failure', { code: 'FERRUM_FAKE_FAILURE' })
      },
    },
  }
  readonly driverMethods: Readonly<Record<string, DriverPassthruMethod>> = {
    ping: {
      httpMethods: ['GET'],
      async: false,
      attach: false,
      requireExclusiveLock: false,
      description: 'Answers {pong: true, at: <clock ms>}.',
      run: async (ctx: DriverLevelContext) => ({ pong: true, at: ctx.clock.now() }),
    },
  }

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }
}
