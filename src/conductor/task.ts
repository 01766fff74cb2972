/**
 * The node lock, as Ironic's task_manager: the only place that takes or releases a node's
 * `reservation`. An exclusive task holds the lock (the compare-and-set
 * `UPDATE nodes SET reservation = :me WHERE … AND reservation IS NULL`, NodeRepo.reserve); a shared
 * task reads the node without it. Whoever acquires a task releases it: `withNodeLock` does so in a
 * `finally`; background work releases through the conductor's NodeWorkers.
 */
import type { NodeRecord } from '../db/repos/nodes.js'
import { ConflictError, NodeLockedError, NotFoundError } from '../domain/errors.js'
import { NodeTask, type TaskDeps } from './node-task.js'

/**
 * Retrying a lock another operation holds (Ironic's `[conductor]node_locked_retry_attempts` and
 * `node_locked_retry_interval`). `attempts` counts the first try: 1 answers "locked" at once.
 */
export interface LockRetry {
  readonly attempts: number
  readonly intervalMs: number
}

/** A node named by its database id or its UUID. */
export type NodeKey = number | string

/** Options of {@link TaskManager.acquire}. */
export interface AcquireOptions {
  /** What the lock is for, in debug logs (Ironic's `purpose`). */
  purpose?: string
  /** false: one attempt only, whatever the configured retry (default true). */
  retry?: boolean
}

/** Hands out tasks on nodes: exclusive ones holding the lock, shared ones for reads. */
export class TaskManager {
  #stopping = false

  constructor(
    private readonly deps: TaskDeps,
    private readonly retry: LockRetry = { attempts: 1, intervalMs: 0 },
  ) {}

  /** From now on `acquire` refuses with CONDUCTOR_STOPPING and `tryAcquire` finds every node busy. */
  stop(): void {
    this.#stopping = true
  }

  /** A read-only task over a record the caller already has (no lock, nothing saved). */
  shared(node: NodeRecord): NodeTask {
    return new NodeTask(this.deps, node, true)
  }

  /**
   * Reads the node and returns a shared task on it.
   * @throws NotFoundError when there is no such node
   */
  async sharedTask(node: NodeKey): Promise<NodeTask> {
    const rec = await this.#read(node)
    if (!rec) throw notFound(node)
    return this.shared(rec)
  }

  /**
   * Takes the node lock and returns the task holding it, on the freshly locked record. While
   * another operation holds the node, tries again `retry.attempts - 1` times, `retry.intervalMs`
   * apart (on the injected clock).
   * @throws NodeLockedError (409) naming the holder when the lock stays taken
   * @throws NotFoundError when there is no such node
   * @throws ConflictError CONDUCTOR_STOPPING once the conductor is shutting down
   */
  async acquire(node: NodeKey, opts: AcquireOptions = {}): Promise<NodeTask> {
    const attempts = opts.retry === false ? 1 : Math.max(1, this.retry.attempts)
    for (let attempt = 1; ; attempt++) {
      if (this.#stopping) throw new ConflictError('The conductor is shutting down; retry in a moment.', { code: 'CONDUCTOR_STOPPING' })
      const locked = await this.deps.store.nodes.reserve(node, this.deps.hostname)
      if (locked) return new NodeTask(this.deps, locked)
      const fresh = await this.#read(node)
      if (!fresh) throw notFound(node)
      if (attempt >= attempts) throw new NodeLockedError(fresh.uuid, fresh.reservation ?? 'another conductor')
      this.deps.log.debug({ node: fresh.uuid, holder: fresh.reservation, attempt, purpose: opts.purpose }, 'node locked; retrying')
      await this.deps.clock.sleep(this.retry.intervalMs)
    }
  }

  /** Takes the lock if nobody holds it (one attempt); null when busy, gone or stopping (periodic work skips the node). */
  async tryAcquire(node: NodeKey): Promise<NodeTask | null> {
    if (this.#stopping) return null
    const locked = await this.deps.store.nodes.reserve(node, this.deps.hostname)
    return locked ? new NodeTask(this.deps, locked) : null
  }

  /** Releases the lock `task` holds (a no-op when this conductor does not hold it). */
  async release(task: NodeTask): Promise<void> {
    if (task.shared) return
    await this.deps.store.nodes.release(task.node.id, this.deps.hostname)
  }

  /**
   * Runs `fn` holding the node lock and releases it afterwards, also when `fn` throws.
   * @throws what {@link acquire} throws, and what `fn` throws
   */
  async withNodeLock<T>(node: NodeKey, fn: (task: NodeTask) => Promise<T>, opts: AcquireOptions = {}): Promise<T> {
    const task = await this.acquire(node, opts)
    try {
      return await fn(task)
    } finally {
      await this.release(task)
    }
  }

  /** Like {@link withNodeLock} but without waiting or throwing when the node is busy: returns `{ ran: false }` then. */
  async tryWithNodeLock<T>(node: NodeKey, fn: (task: NodeTask) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const task = await this.tryAcquire(node)
    if (!task) return { ran: false }
    try {
      return { ran: true, value: await fn(task) }
    } finally {
      await this.release(task)
    }
  }

  /** Crash recovery: frees every lock held under this conductor's hostname. Returns the node ids. */
  releaseAllHeldBy(): Promise<number[]> {
    return this.deps.store.nodes.releaseAllHeldBy(this.deps.hostname)
  }

  #read(node: NodeKey): Promise<NodeRecord | null> {
    return typeof node === 'number' ? this.deps.store.nodes.getById(node) : this.deps.store.nodes.getByUuid(node)
  }
}

function notFound(node: NodeKey): NotFoundError {
  return new NotFoundError(`Node ${node} could not be found.`, { code: 'NODE_NOT_FOUND' })
}
