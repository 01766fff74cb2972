/**
 * Vendor passthru lookups behind the conductor's passthru methods: the metadata Ironic's
 * `…/vendor_passthru/methods` shows, and picking a method for a call (unknown method or HTTP
 * verb → 400 naming what is available).
 */
import { FerrumError, ValidationError } from '../domain/errors.js'
import type { Clock } from '../common/clock.js'
import type { DriverLevelContext } from '../drivers/driver-context.js'
import type { DriverPassthruMethod, PassthruHttpMethod, PassthruMeta } from '../drivers/interfaces/vendor.js'
import type { JsonObject } from '../drivers/node-view.js'
import type { PassthruMethodInfo, PassthruResult } from './api.js'
import { messageOf } from './failures.js'
import { DEFAULT_CALL_TIMEOUT_MS, type NodeTask } from './node-task.js'

/** Ironic's metadata keys for each method. */
export function methodsInfo(methods: Readonly<Record<string, PassthruMeta>>): Record<string, PassthruMethodInfo> {
  const out: Record<string, PassthruMethodInfo> = {}
  for (const [name, m] of Object.entries(methods)) {
    out[name] = { http_methods: [...m.httpMethods], async: m.async, description: m.description, attach: m.attach, require_exclusive_lock: m.requireExclusiveLock }
  }
  return out
}

/**
 * The method `name` of `methods`, checked against the HTTP verb it was called with.
 * @param owner how errors name the vendor interface ("vendor interface "fake" of node …")
 * @throws ValidationError naming the available methods, or the verbs the method accepts
 */
export function pickMethod<M extends PassthruMeta>(methods: Readonly<Record<string, M>>, name: string, httpMethod: string, owner: string): { method: M; verb: PassthruHttpMethod } {
  // Own properties only: "constructor" or "__proto__" must not reach Object.prototype.
  if (!Object.hasOwn(methods, name)) {
    const names = Object.keys(methods)
    throw new ValidationError(
      `No handler for method ${name} in the ${owner}. Available methods: ${names.length > 0 ? names.join(', ') : 'none'}.`,
      { code: 'FERRUM_UNKNOWN_VENDOR_METHOD', details: { method: name, available: names } },
    )
  }
  const method = methods[name]
  const verb = httpMethod.toUpperCase()
  if (!(method.httpMethods as readonly string[]).includes(verb)) {
    throw new ValidationError(
      `The method "${name}" does not support HTTP ${verb}; it accepts: ${method.httpMethods.join(', ')}.`,
      { code: 'FERRUM_VENDOR_METHOD_HTTP_VERB', details: { method: name, allowed: [...method.httpMethods] } },
    )
  }
  return { method, verb: verb as PassthruHttpMethod }
}

/** How the conductor lends a node to a passthru call: shared, locked, or locked in the background. */
export interface PassthruLocks {
  /** The node read without a lock. */
  readonly shared: NodeTask
  withLock<T>(fn: (task: NodeTask) => Promise<T>): Promise<T>
  /** Locks the node, awaits `prepare` (releasing on failure), then runs `work` in the background. */
  spawnLocked<T>(prepare: (task: NodeTask) => Promise<T>, work: (task: NodeTask, prepared: T) => Promise<void>): Promise<void>
}

/**
 * Ironic's node vendor passthru. Sync methods that need no lock run on a shared read; the rest
 * take the node lock. Async methods always do here (Ironic may run them shared), so what they
 * write to driver_internal_info is saved and shutdown waits for them. A failed async method is
 * recorded in last_error and the node history.
 */
export async function nodePassthru(locks: PassthruLocks, name: string, httpMethod: string, args: JsonObject): Promise<PassthruResult> {
  const pick = async (task: NodeTask) => {
    const vendor = task.impl('vendor')
    const picked = pickMethod(vendor.methods, name, httpMethod, `vendor interface "${vendor.name}" of node ${task.uuid}`)
    try {
      vendor.validate(await task.view())
    } catch (e) {
      throw e instanceof FerrumError ? e : new ValidationError(messageOf(e))
    }
    return picked
  }
  type Picked = Awaited<ReturnType<typeof pick>>
  const run = (task: NodeTask, p: Picked) => task.call((ctx) => p.method.run(ctx, args, p.verb))
  const first = await pick(locks.shared)
  const out = { async: first.method.async, attach: first.method.attach }
  if (!first.method.async && !first.method.requireExclusiveLock) return { ...out, return: await run(locks.shared, first) }
  // Under the lock the method is picked again: the node's vendor interface may have changed meanwhile.
  if (!first.method.async) return { ...out, return: await locks.withLock(async (task) => run(task, await pick(task))) }
  await locks.spawnLocked(pick, async (task, picked) => {
    try {
      await run(task, picked)
    } catch (e) {
      const text = `Vendor passthru method "${name}" failed: ${messageOf(e)}`
      await task.save({ last_error: text })
      await task.history('vendor_passthru', 'ERROR', text)
    }
  })
  return { ...out, return: null }
}

/**
 * Runs a driver-level method with a DriverLevelContext (deadline, logger, clock). Async methods
 * answer at once and log a failure; nothing holds a lock, as in Ironic.
 */
export async function callDriverMethod(
  picked: { method: DriverPassthruMethod; verb: PassthruHttpMethod },
  name: string,
  args: JsonObject,
  env: { log: DriverLevelContext['log']; clock: Clock },
): Promise<PassthruResult> {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(new FerrumError('DRIVER_TIMEOUT', `vendor method "${name}" did not finish within ${DEFAULT_CALL_TIMEOUT_MS / 1000} s`, 500, true)), DEFAULT_CALL_TIMEOUT_MS)
  const ctx: DriverLevelContext = { log: env.log, signal: ac.signal, clock: env.clock }
  const running = Promise.resolve()
    .then(() => picked.method.run(ctx, args, picked.verb))
    .finally(() => clearTimeout(timer))
  const out = { async: picked.method.async, attach: picked.method.attach }
  if (!picked.method.async) return { ...out, return: await running }
  running.catch((e: unknown) => env.log.error({ err: e }, `driver vendor passthru method "${name}" failed`))
  return { ...out, return: null }
}
