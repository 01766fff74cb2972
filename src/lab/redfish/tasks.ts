import { errorBody, extendedInfo, type RedfishHttpError, type RedfishMessage } from './errors.js'
import type { Reply } from './router.js'

export type TaskState = 'New' | 'Pending' | 'Running' | 'Completed' | 'Exception' | 'Cancelled'

export interface LabTask {
  id: string
  name: string
  state: TaskState
  status: 'OK' | 'Warning' | 'Critical'
  percent: number
  startTime: string
  endTime: string | null
  messages: RedfishMessage[]
  /** What the task monitor answers once the task is over. */
  result: Reply | null
}

export const TASKS_PATH = '/redfish/v1/TaskService/Tasks'
export const MONITORS_PATH = '/redfish/v1/TaskService/TaskMonitors'

/**
 * Tasks for asynchronous operations (DSP0266 §12.2): the operation answers 202 with the task
 * monitor in `Location`; the monitor answers 202 while the task runs and the operation's own
 * result once it is over. Finished tasks beyond `keep` are dropped, oldest first.
 */
export class TaskStore {
  readonly #tasks = new Map<string, LabTask>()
  #next = 1
  readonly #keep: number
  readonly #now: () => Date

  constructor(opts: { keep?: number; now?: () => Date } = {}) {
    this.#keep = opts.keep ?? 100
    this.#now = opts.now ?? (() => new Date())
  }

  create(name: string, state: TaskState = 'Running'): LabTask {
    const task: LabTask = {
      id: String(this.#next++),
      name,
      state,
      status: 'OK',
      percent: 0,
      startTime: this.#now().toISOString(),
      endTime: null,
      messages: [],
      result: null,
    }
    this.#tasks.set(task.id, task)
    this.#prune()
    return task
  }

  get(id: string): LabTask | undefined {
    return this.#tasks.get(id)
  }

  list(): LabTask[] {
    return [...this.#tasks.values()]
  }

  complete(task: LabTask, result: Reply = { status: 204 }, message?: RedfishMessage): void {
    task.state = 'Completed'
    task.status = 'OK'
    task.percent = 100
    task.endTime = this.#now().toISOString()
    task.result = result
    task.messages.push(message ?? { messageId: 'Base.1.16.Success', message: 'The request completed successfully.', severity: 'OK' })
  }

  fail(task: LabTask, err: RedfishHttpError): void {
    task.state = 'Exception'
    task.status = 'Critical'
    task.endTime = this.#now().toISOString()
    task.messages.push(err.info)
    task.result = { status: err.status, body: errorBody(err.info) }
  }

  isRunning(task: LabTask): boolean {
    return task.state === 'New' || task.state === 'Pending' || task.state === 'Running'
  }

  /** The Task resource body. */
  render(task: LabTask): Record<string, unknown> {
    return {
      '@odata.type': '#Task.v1_7_0.Task',
      '@odata.id': `${TASKS_PATH}/${task.id}`,
      Id: task.id,
      Name: task.name,
      TaskState: task.state,
      TaskStatus: task.status,
      PercentComplete: task.percent,
      StartTime: task.startTime,
      ...(task.endTime ? { EndTime: task.endTime } : {}),
      TaskMonitor: `${MONITORS_PATH}/${task.id}`,
      Messages: task.messages.map(extendedInfo),
    }
  }

  /** The 202 an operation answers when it hands its work to `task`. */
  accepted(task: LabTask): Reply {
    return {
      status: 202,
      body: this.render(task),
      // NOTE: Retry-After is sent as an HTTP-date, not delta-seconds: sushy 4.3's TaskMonitor
      // passes a delta-seconds header to time.sleep() as a string and crashes.
      headers: { Location: `${MONITORS_PATH}/${task.id}`, 'Retry-After': new Date(Date.now() + 1000).toUTCString() },
    }
  }

  #prune(): void {
    if (this.#tasks.size <= this.#keep) return
    for (const [id, t] of this.#tasks) {
      if (this.#tasks.size <= this.#keep) break
      if (!this.isRunning(t)) this.#tasks.delete(id)
    }
  }
}
