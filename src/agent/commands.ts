/**
 * The agent's command model, as Ironic Python Agent has it: a command is `<extension>.<name>`
 * with keyword parameters; synchronous commands answer with their result, asynchronous ones run
 * in the background and are polled. Results keep IPA's shape (`id`, `command_name`,
 * `command_params`, `command_status` RUNNING/SUCCEEDED/FAILED, `command_error`, `command_result`)
 * so a real Ironic conductor reads them as it reads IPA's.
 */
import { randomUUID } from 'node:crypto'

export type CommandStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED'

/** An error as IPA serialises it into `command_error` and HTTP error bodies. */
export interface AgentErrorBody {
  readonly type: string
  readonly code: number
  readonly message: string
  readonly details: string
}

/** An error with an HTTP status and IPA's error type name. */
export class AgentError extends Error {
  constructor(
    readonly type: string,
    readonly code: number,
    message: string,
    readonly details = message,
  ) {
    super(message)
  }

  toJSON(): AgentErrorBody {
    return { type: this.type, code: this.code, message: this.message, details: this.details }
  }
}

/** IPA's CommandExecutionError: the command ran and failed. */
export function executionError(details: string): AgentError {
  return new AgentError('CommandExecutionError', 500, 'Command execution failed', details)
}

/** A command's parameters (JSON keyword arguments). */
export type CommandParams = Record<string, unknown>

/** One command an extension offers. */
export interface CommandSpec {
  /** Asynchronous commands return RUNNING at once and are polled. */
  readonly async: boolean
  /** Checks parameters before anything starts (a throw answers 400, nothing is recorded). */
  readonly validate?: (params: CommandParams) => void
  readonly run: (params: CommandParams, signal: AbortSignal) => Promise<unknown>
}

/** A command result as the agent's API shows it. */
export interface CommandResultView {
  readonly id: string
  readonly command_name: string
  readonly command_params: CommandParams
  readonly command_status: CommandStatus
  readonly command_error: AgentErrorBody | null
  readonly command_result: unknown
}

class CommandResult {
  readonly id = randomUUID()
  status: CommandStatus = 'RUNNING'
  error: AgentErrorBody | null = null
  result: unknown = null
  readonly done: Promise<void>
  #finish!: () => void

  constructor(
    readonly name: string,
    readonly params: CommandParams,
  ) {
    this.done = new Promise((resolve) => (this.#finish = resolve))
  }

  succeed(result: unknown): void {
    this.status = 'SUCCEEDED'
    // IPA turns a plain string result into {"result": "<command>: <text>"}.
    this.result = typeof result === 'string' ? { result: `${this.name}: ${result}` } : (result ?? null)
    this.#finish()
  }

  fail(err: unknown): void {
    this.status = 'FAILED'
    this.error = (err instanceof AgentError ? err : executionError(err instanceof Error ? err.message : String(err))).toJSON()
    this.#finish()
  }

  view(): CommandResultView {
    return { id: this.id, command_name: this.name, command_params: maskParams(this.params), command_status: this.status, command_error: this.error, command_result: this.result }
  }
}

/** Parameters as shown back: config drives and secrets are not echoed. */
function maskParams(params: CommandParams): CommandParams {
  const out: CommandParams = {}
  for (const [k, v] of Object.entries(params)) out[k] = /configdrive|password|token|secret/i.test(k) && v ? '******' : v
  return out
}

/**
 * The extensions' commands and the results of those that ran, in order. As in IPA, a new command
 * is refused while the last one is still running ("agent is busy").
 */
export class CommandRunner {
  readonly #specs = new Map<string, CommandSpec>()
  readonly #results: CommandResult[] = []
  readonly #abort = new AbortController()
  /** Called when an asynchronous command finishes (the agent heartbeats at once, as IPA does). */
  onFinished: () => void = () => {}

  /** Adds `extension.name` commands. */
  register(extension: string, commands: Readonly<Record<string, CommandSpec>>): void {
    for (const [name, spec] of Object.entries(commands)) this.#specs.set(`${extension}.${name}`, spec)
  }

  names(): string[] {
    return [...this.#specs.keys()]
  }

  list(): CommandResultView[] {
    return this.#results.map((r) => r.view())
  }

  get(id: string): CommandResultView | undefined {
    return this.#results.find((r) => r.id === id)?.view()
  }

  /** Waits for a command to finish (or `timeoutMs`), then shows it. */
  async wait(id: string, timeoutMs: number): Promise<CommandResultView | undefined> {
    const r = this.#results.find((x) => x.id === id)
    if (!r) return undefined
    let timer: NodeJS.Timeout | undefined
    await Promise.race([r.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
    clearTimeout(timer)
    return r.view()
  }

  /**
   * Starts `name` with `params`.
   * @throws AgentError 400 for a malformed or unknown command, 409 while another one runs
   */
  async execute(name: unknown, params: unknown): Promise<CommandResultView> {
    if (typeof name !== 'string' || !/^[a-z_]+\.[a-z_]+$/.test(name)) {
      throw new AgentError('InvalidCommandError', 400, 'Invalid command', 'Command name must be of the form <extension>.<name>')
    }
    if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
      throw new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', '"params" must be an object')
    }
    const spec = this.#specs.get(name)
    if (!spec) {
      const ext = name.split('.')[0]
      const known = [...this.#specs.keys()].some((k) => k.startsWith(`${ext}.`))
      throw known
        ? new AgentError('InvalidCommandError', 400, 'Invalid command', `Unknown command: ${name.split('.')[1]}`)
        : new AgentError('RequestedObjectNotFoundError', 404, 'Requested object not found', `Extension with id ${ext} not found.`)
    }
    const last = this.#results.at(-1)
    if (last && last.status === 'RUNNING') throw new AgentError('AgentIsBusy', 409, 'Agent is busy', `agent is busy running ${last.name}`)
    const p = (params ?? {}) as CommandParams
    try {
      spec.validate?.(p)
    } catch (e) {
      throw e instanceof AgentError ? e : new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', (e as Error).message)
    }
    const result = new CommandResult(name.split('.')[1], p)
    this.#results.push(result)
    const running = spec.run(p, this.#abort.signal).then(
      (v) => result.succeed(v),
      (e: unknown) => result.fail(e),
    )
    if (!spec.async) await running
    else void running.then(() => this.onFinished())
    return result.view()
  }

  /** Cancels running commands (the agent is stopping). */
  stop(): void {
    this.#abort.abort(new Error('agent stopping'))
  }
}
