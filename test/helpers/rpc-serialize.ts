// A ConductorApi that behaves as if the conductor were across a network: every argument and
// result goes through JSON, and every error through its wire form (src/conductor/rpc-wire.ts).
// test/helpers/app.ts puts it between the API and the conductor when FERRUM_TEST_RPC_SERIALIZE=1.
import type { ConductorApi } from '../../src/conductor/api.js'
import { errorFromWire, errorToWire, toJson } from '../../src/conductor/rpc-wire.js'

/** Counts of the calls that went through a wrapper, by method (tests check it was used). */
export type RpcCalls = Map<string, number>

/** Wraps `api`: methods are called with JSON copies of their arguments and answer JSON copies. */
export function serializingConductor(api: ConductorApi, calls: RpcCalls = new Map()): ConductorApi {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver)
      if (typeof value !== 'function' || typeof prop !== 'string') return toJson(value)
      return async (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1)
        let result: unknown
        try {
          result = await (value as (...a: unknown[]) => unknown).apply(target, toJson(args))
        } catch (e) {
          throw errorFromWire(toJson(errorToWire(e)))
        }
        return toJson(result)
      }
    },
  })
}
