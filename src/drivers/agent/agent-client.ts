/**
 * The conductor's side of the agent protocol: commands sent to an agent's command API
 * (`POST {agent_url}/v1/commands/?wait=…&agent_token=…`, `GET {agent_url}/v1/commands/`), as
 * Ironic's agent_client does, so Ferrum drives Ferrum's agent and Ironic Python Agent alike.
 * The token travels in the query string; it is never logged.
 */
import { Agent, request } from 'undici'
import { DriverError } from '../../domain/errors.js'

/** A command result in IPA's shape. */
export interface AgentCommand {
  readonly id: string
  readonly command_name: string
  readonly command_status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | string
  readonly command_error: { type?: string; message?: string; details?: string } | string | null
  readonly command_result: Record<string, unknown> | null
}

/** Where the agent is, the secret it expects, and its certificate (from driver_internal_info). */
export interface AgentEndpoint {
  readonly url: string
  readonly token: string | null
  /**
   * The PEM certificate the agent sent in its heartbeat (`agent_verify_ca`, automatic TLS): an
   * https agent must present exactly it (pinned; system CAs are not consulted). null: an https
   * agent is verified against the system's CAs.
   */
  readonly verifyCa?: string | null
}

/** The endpoint of a node's agent from its driver_internal_info; null before the agent called back. */
export function endpointOf(dii: Record<string, unknown>): AgentEndpoint | null {
  const url = dii.agent_url
  if (typeof url !== 'string' || url === '') return null
  const token = dii.agent_secret_token
  const ca = dii.agent_verify_ca
  return { url, token: typeof token === 'string' ? token : null, verifyCa: typeof ca === 'string' && ca !== '' ? ca : null }
}

/** One dispatcher per pinned certificate (few: one per ramdisk boot), so connections are reused. */
const pinned = new Map<string, Agent>()
function dispatcherFor(ca: string): Agent {
  let d = pinned.get(ca)
  if (!d) {
    if (pinned.size > 256) {
      for (const old of pinned.values()) void old.close()
      pinned.clear()
    }
    d = new Agent({ connect: { ca, rejectUnauthorized: true } })
    pinned.set(ca, d)
  }
  return d
}

/** An agent command failed or the agent could not be reached. */
export class AgentCommandError extends DriverError {}

/** The readable reason of a failed command. */
export function commandErrorText(c: AgentCommand): string {
  const e = c.command_error
  if (e === null || e === undefined) return `${c.command_name} failed`
  if (typeof e === 'string') return e
  return e.details && e.details !== e.message ? `${e.message ?? e.type}: ${e.details}` : (e.message ?? e.type ?? 'unknown error')
}

async function call(ep: AgentEndpoint, method: 'GET' | 'POST', path: string, query: Record<string, string>, body: unknown, signal: AbortSignal, timeoutMs: number): Promise<unknown> {
  const q = new URLSearchParams(query)
  if (ep.token) q.set('agent_token', ep.token)
  const url = `${ep.url.replace(/\/+$/, '')}${path}?${q}`
  const shown = `${ep.url.replace(/\/+$/, '')}${path}`
  let res
  try {
    res = await request(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(ep.verifyCa && url.startsWith('https://') ? { dispatcher: dispatcherFor(ep.verifyCa) } : {}),
    })
  } catch (e) {
    throw new AgentCommandError(`The agent at ${shown} could not be reached: ${(e as Error).message}`, { code: 'AGENT_UNREACHABLE' })
  }
  const text = await res.body.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new AgentCommandError(`The agent at ${shown} answered HTTP ${res.statusCode} with a body that is not JSON.`, { code: 'AGENT_COMMAND_FAILED' })
  }
  if (res.statusCode >= 400) {
    const j = json as { message?: string; details?: string; faultstring?: string }
    const why = j.details ?? j.faultstring ?? j.message ?? text.slice(0, 200)
    throw new AgentCommandError(`The agent refused ${method} ${path}: HTTP ${res.statusCode} ${why}`, { code: res.statusCode === 401 ? 'AGENT_TOKEN_INVALID' : 'AGENT_COMMAND_FAILED' })
  }
  return json
}

/** Sends `name` (e.g. `standby.prepare_image`); with `wait` the agent answers once it finished. */
export async function executeCommand(ep: AgentEndpoint, name: string, params: Record<string, unknown>, opts: { wait: boolean; signal: AbortSignal; timeoutMs?: number }): Promise<AgentCommand> {
  return (await call(ep, 'POST', '/v1/commands/', { wait: String(opts.wait) }, { name, params }, opts.signal, opts.timeoutMs ?? (opts.wait ? 600_000 : 60_000))) as AgentCommand
}

/** Every command the agent ran since it started, oldest first. */
export async function listCommands(ep: AgentEndpoint, signal: AbortSignal): Promise<AgentCommand[]> {
  const j = (await call(ep, 'GET', '/v1/commands/', {}, undefined, signal, 30_000)) as { commands?: AgentCommand[] }
  return j.commands ?? []
}
