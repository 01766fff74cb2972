/**
 * Background work on locked nodes: the conductor answers the API (202) and the work goes on
 * here, holding the node lock until it ends.
 */
import type { Logger } from 'pino'
import { STATE_INFO } from '../domain/provision-states.js'
import { failTask } from './fail.js'
import { messageOf } from './failures.js'
import type { NodeTask } from './node-task.js'
import type { TaskManager } from './task.js'

/** One node's work in flight. */
export interface RunningWork {
  readonly task: NodeTask
  readonly abort: AbortController
  readonly done: Promise<void>
}

/** The nodes this conductor works on, by UUID. */
export class NodeWorkers {
  readonly #running = new Map<string, RunningWork>()

  constructor(private readonly tasks: TaskManager, private readonly log: Logger) {}

  /**
   * Runs `work` in the background on a locked task. Whatever happens, a node left in a working
   * state is failed (never left "deploying" forever) and the lock is released last.
   */
  spawn(task: NodeTask, work: () => Promise<void>): void {
    const abort = new AbortController()
    task.signal = abort.signal
    const uuid = task.uuid
    const done = (async () => {
      try {
        await work()
      } catch (e) {
        this.log.error({ err: e, node: uuid }, 'node task failed unexpectedly')
        try {
          if (STATE_INFO[task.state].kind === 'working') await failTask(task, e, { code: 'UNEXPECTED_ERROR' })
          else await task.save({ last_error: `Unexpected error: ${messageOf(e)}`, target_power_state: null })
        } catch (e2) {
          this.log.error({ err: e2, node: uuid }, 'could not record the failure')
        }
      } finally {
        await this.tasks.release(task).catch((e: unknown) => this.log.error({ err: e, node: uuid }, 'could not release the node lock'))
        this.#running.delete(uuid)
      }
    })()
    this.#running.set(uuid, { task, abort, done })
  }

  /** The work in flight on a node, if any. */
  get(uuid: string): RunningWork | undefined {
    return this.#running.get(uuid)
  }

  /** Nodes with work in flight. */
  get size(): number {
    return this.#running.size
  }

  /** Cancels all work in flight with `reason` (each node fails through its signal). */
  abortAll(reason: unknown): void {
    for (const r of this.#running.values()) r.abort.abort(reason)
  }

  /** Waits until no work is in flight (work spawned meanwhile included). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()].map((r) => r.done))
  }
}
