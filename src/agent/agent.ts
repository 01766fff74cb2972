/**
 * The Ferrum agent: runs in the deploy ramdisk, finds its node through the API (lookup by MACs),
 * heartbeats with the agent token the lookup issued, and serves Ironic Python Agent's command
 * API so a conductor — Ferrum's or Ironic's — can drive it. Depends only on Node's standard
 * library and src/common, so it bundles into one file for a ramdisk.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { generateCertificate, parseVersion, supportsAutoTls, type AgentCertificate } from './tls.js'
import type { AddressInfo } from 'node:net'
import { secretsEqual } from '../common/secrets.js'
import { systemClock, type Clock } from '../common/clock.js'
import { AgentError, CommandRunner } from './commands.js'
import type { AgentConfig } from './config.js'
import { registerExtensions, type AgentState } from './extensions.js'
import { collectInventory } from './inventory.js'

/** The agent's version, sent in heartbeats (`agent_version`) and shown by `GET /v1/status`. */
export const AGENT_VERSION = '10.0.0-ferrum'
/** The API microversion the agent speaks: agent_token (1.62) and agent_verify_ca (1.68). */
const API_VERSION = '1.68'
/** continue_inspection answers with the lookup data from 1.84. */
const INSPECTION_API_VERSION = '1.84'
const MAX_BODY = 64 * 1024 * 1024

/** What the lookup answered (Ironic's ramdisk lookup response). */
interface LookupAnswer {
  node: Record<string, unknown>
  config: { heartbeat_timeout?: number; agent_token?: string | null; agent_token_required?: boolean }
}

export class FerrumAgent {
  readonly runner = new CommandRunner()
  readonly #config: AgentConfig
  readonly #clock: Clock
  readonly #state: AgentState
  readonly #stop = new AbortController()
  readonly #startedAt = new Date().toISOString()
  #server: Server | null = null
  #token: string | null = null
  #nodeUuid: string | null = null
  #heartbeatTimeoutS = 300
  #wake: (() => void) | null = null
  #callbackUrl = ''

  constructor(config: AgentConfig, opts: { clock?: Clock; log?: (line: string) => void } = {}) {
    this.#config = config
    this.#clock = opts.clock ?? systemClock
    const log = opts.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString()} ferrum-agent: ${line}\n`))
    this.#state = { root: config.root, failDiskWrites: config.failDiskWrites, node: null, progress: null, log, enterRescue: () => this.#enterRescue() }
    registerExtensions(this.runner, this.#state)
    // As IPA does, a finished asynchronous command is reported at once.
    this.runner.onFinished = () => this.#wake?.()
  }

  get log(): (line: string) => void {
    return this.#state.log
  }

  /** The node UUID the lookup found (null before). */
  get nodeUuid(): string | null {
    return this.#nodeUuid
  }

  /** Where the conductor reaches this agent. */
  get callbackUrl(): string {
    return this.#callbackUrl
  }

  /** Starts the command API, looks the node up, then heartbeats until stopped. */
  async run(): Promise<void> {
    await this.#setUpTls()
    await this.listen()
    const answer = (this.#config.inspectionCallbackUrl ? await this.#inspect(this.#config.inspectionCallbackUrl) : null) ?? (await this.#lookup())
    this.#nodeUuid = String(answer.node.uuid)
    this.#state.node = answer.node
    this.#token = answer.config.agent_token && answer.config.agent_token !== '******' ? answer.config.agent_token : this.#token
    this.#heartbeatTimeoutS = Number(answer.config.heartbeat_timeout ?? 300)
    this.log(`found node ${this.#nodeUuid}; heartbeating to ${this.#config.apiUrl} (timeout ${this.#heartbeatTimeoutS} s)`)
    await this.#heartbeatLoop()
    if (this.#rescued) {
      // The rescue system runs until it is powered off; nothing more to do here.
      this.log('rescue mode: the rescue user may log in with the rescue password')
      await new Promise<void>((resolve) => {
        // Keeps the process alive until stop() (SIGTERM, power off).
        const idle = setInterval(() => undefined, 3_600_000)
        this.#leaveRescue = () => {
          clearInterval(idle)
          resolve()
        }
      })
    }
  }

  #rescued = false
  #leaveRescue: (() => void) | null = null

  /** After finalize_rescue answered: stop heartbeating and close the command API, but stay up. */
  #enterRescue(): void {
    this.#rescued = true
    setTimeout(() => {
      this.#stop.abort()
      this.#wake?.()
      this.#server?.close()
      this.#server?.closeAllConnections()
    }, 200).unref()
  }

  /** Stops heartbeating, cancels commands and closes the command API. */
  async stop(): Promise<void> {
    this.#leaveRescue?.()
    this.#stop.abort()
    this.runner.stop()
    this.#wake?.()
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()))
    this.#server?.closeAllConnections()
  }

  #tls: AgentCertificate | null = null

  /** The certificate the command API presents (null: plain HTTP). */
  get certificate(): string | null {
    return this.#tls?.cert ?? null
  }

  /**
   * Automatic TLS: asks the API for its maximum version; from 1.68 (agent_verify_ca) the command
   * API is served over HTTPS with a certificate made now. An older API, one that does not answer
   * within a few tries, or openssl failing leaves it on HTTP, said on the console.
   */
  async #setUpTls(): Promise<void> {
    if (!this.#config.autoTls || this.#tls) return
    let max: [number, number] | null = null
    let why = ''
    for (let i = 0; i < 3 && max === null && !this.#stop.signal.aborted; i++) {
      try {
        // Ironic's root document names it (default_version.version), as IPA reads it.
        const r = await this.#api('GET', '/')
        max = parseVersion((r.json as { default_version?: { version?: string } } | null)?.default_version?.version)
        if (max === null) {
          why = `the API at ${this.#config.apiUrl} does not name its maximum version`
          break
        }
      } catch (e) {
        why = (e as Error).message
        await this.#clock.sleep(1_000, this.#stop.signal).catch(() => undefined)
      }
    }
    if (!supportsAutoTls(max)) {
      this.log(`command API on plain HTTP: ${max ? `the API's maximum version ${max.join('.')} is below 1.68 (agent_verify_ca)` : why}`)
      return
    }
    try {
      this.#tls = await generateCertificate(this.#config.advertiseHost)
    } catch (e) {
      this.log(`command API on plain HTTP: ${(e as Error).message}`)
    }
  }

  /** Opens the command API (IPA's port 9999 unless configured), over HTTPS with automatic TLS. */
  async listen(): Promise<void> {
    if (this.#server) return
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res)
    const server = this.#tls ? createHttpsServer({ key: this.#tls.key, cert: this.#tls.cert }, handler) : createServer(handler)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#config.listenPort, this.#config.listenHost, () => resolve())
    })
    this.#server = server
    const port = (server.address() as AddressInfo).port
    const host = this.#config.advertiseHost.includes(':') ? `[${this.#config.advertiseHost}]` : this.#config.advertiseHost
    this.#callbackUrl = `${this.#tls ? 'https' : 'http'}://${host}:${port}`
    this.log(`command API listening on ${this.#config.listenHost}:${port}${this.#tls ? ' (TLS, certificate sent to the conductor for pinning)' : ''}`)
  }

  async #api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.#config.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': API_VERSION, 'user-agent': `ferrum-agent/${AGENT_VERSION}` },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(30_000)]),
    })
    const text = await res.text()
    let json: unknown
    try {
      json = text ? JSON.parse(text) : null
    } catch {
      json = text
    }
    return { status: res.status, json }
  }

  /**
   * In-band inspection: posts the inventory to the callback URL (Ironic's continue_inspection),
   * retrying like the lookup. The 1.84+ answer is the lookup answer; an older one (`{uuid}`)
   * means a lookup follows.
   */
  async #inspect(url: string): Promise<LookupAnswer | null> {
    const deadline = this.#clock.now() + this.#config.lookupTimeoutS * 1000
    let pause = this.#config.lookupIntervalS * 1000
    const inventory = await collectInventory(this.#config.root)
    this.log(`posting the inventory to ${url} (${inventory.cpu.count} CPUs, ${inventory.memory.physical_mb} MiB, ${inventory.disks.length} disk(s), ${inventory.interfaces.length} NIC(s))`)
    for (;;) {
      this.#stop.signal.throwIfAborted()
      let why: string
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': INSPECTION_API_VERSION, 'user-agent': `ferrum-agent/${AGENT_VERSION}` },
          body: JSON.stringify({ inventory }),
          signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(30_000)]),
        })
        const text = await res.text()
        if (res.status === 200 || res.status === 202) {
          const json = (text ? JSON.parse(text) : {}) as Partial<LookupAnswer>
          this.log('inspection data accepted')
          return json.node && json.config ? (json as LookupAnswer) : null
        }
        why = `HTTP ${res.status} ${faultOf(text ? (JSON.parse(text) as unknown) : null)}`
      } catch (e) {
        if (this.#stop.signal.aborted) throw e
        why = (e as Error).message
      }
      if (this.#clock.now() > deadline) throw new Error(`posting the inventory failed for ${this.#config.lookupTimeoutS} s (last: ${why})`)
      this.log(`inspection data not accepted yet (${why}); retrying in ${Math.round(pause / 1000)} s`)
      await this.#clock.sleep(pause, this.#stop.signal).catch(() => undefined)
      pause = Math.min(pause * 2, 30_000)
    }
  }

  async #lookup(): Promise<LookupAnswer> {
    const deadline = this.#clock.now() + this.#config.lookupTimeoutS * 1000
    let pause = this.#config.lookupIntervalS * 1000
    let macs = this.#config.macs
    if (macs.length === 0) macs = (await collectInventory(this.#config.root)).interfaces.map((i) => i.mac_address)
    const q = new URLSearchParams({ addresses: macs.join(',') })
    if (this.#config.nodeUuid) q.set('node_uuid', this.#config.nodeUuid)
    for (;;) {
      this.#stop.signal.throwIfAborted()
      let why: string
      try {
        const r = await this.#api('GET', `/v1/lookup?${q}`)
        if (r.status === 200) return r.json as LookupAnswer
        why = `HTTP ${r.status} ${faultOf(r.json)}`
      } catch (e) {
        if (this.#stop.signal.aborted) throw e
        why = (e as Error).message
      }
      if (this.#clock.now() > deadline) throw new Error(`lookup failed for ${this.#config.lookupTimeoutS} s (last: ${why}); MACs ${macs.join(', ')}`)
      this.log(`lookup not answered yet (${why}); retrying in ${Math.round(pause / 1000)} s`)
      await this.#clock.sleep(pause, this.#stop.signal).catch(() => undefined)
      pause = Math.min(pause * 2, 30_000)
    }
  }

  /** One heartbeat (Ironic's POST /v1/heartbeat/{node}). True when the API accepted it. */
  async heartbeat(): Promise<boolean> {
    const body: Record<string, unknown> = { callback_url: this.#callbackUrl, agent_version: AGENT_VERSION }
    if (this.#token) body.agent_token = this.#token
    if (this.#tls) body.agent_verify_ca = this.#tls.cert
    try {
      const r = await this.#api('POST', `/v1/heartbeat/${this.#nodeUuid}`, body)
      if (r.status === 202 || r.status === 200 || r.status === 204) return true
      this.log(`heartbeat refused: HTTP ${r.status} ${faultOf(r.json)}`)
    } catch (e) {
      if (!this.#stop.signal.aborted) this.log(`heartbeat failed: ${(e as Error).message}`)
    }
    return false
  }

  async #heartbeatLoop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const ok = await this.heartbeat()
      const sent = this.#clock.now()
      // IPA heartbeats every 0.3–0.6 of the timeout; sooner after a failure, at once after a command.
      // While a command runs, Ferrum's agent heartbeats every second so that its progress is live
      // (checked each second, so a command that starts during a long pause is noticed).
      const idle = this.#heartbeatTimeoutS * 1000 * (0.3 + Math.random() * 0.3)
      let woken = false
      while (!woken && !this.#stop.signal.aborted) {
        const busy = this.runner.list().some((c) => c.command_status === 'RUNNING')
        const due = !ok ? 5_000 : busy ? Math.min(1_000, idle) : idle
        const left = sent + due - this.#clock.now()
        if (left <= 0) break
        await new Promise<void>((resolve) => {
          this.#wake = () => {
            woken = true
            resolve()
          }
          void this.#clock.sleep(Math.min(left, 1_000), this.#stop.signal).then(resolve, resolve)
        })
        this.#wake = null
      }
    }
  }

  // ---- the command API (IPA's /v1/commands, /v1/status) ---------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    try {
      if (path === '/') return send(200, { name: 'Ferrum Agent API', description: 'Ironic Python Agent compatible command API', versions: [{ id: 'v1', links: [{ href: `${this.#callbackUrl}/v1/`, rel: 'self' }] }] })
      if (path === '/v1/status' && req.method === 'GET') return send(200, { started_at: this.#startedAt, version: AGENT_VERSION })
      if (!path.startsWith('/v1/commands')) throw new AgentError('NotFound', 404, 'Not found', `no resource ${path}`)
      // As IPA: running a command needs the token; reading command results does not.
      if (req.method === 'POST') this.#checkToken(url.searchParams.get('agent_token'))
      if (path === '/v1/commands' && req.method === 'GET') return send(200, { commands: this.#withProgress(this.runner.list()) })
      if (path === '/v1/commands' && req.method === 'POST') {
        const body = await readJson(req)
        const result = await this.runner.execute(body.name, body.params)
        const wait = url.searchParams.get('wait')
        const shown = wait === 'true' && result.command_status === 'RUNNING' ? await this.runner.wait(result.id, 600_000) : result
        return send(200, shown)
      }
      const id = /^\/v1\/commands\/([^/]+)$/.exec(path)?.[1]
      if (id && req.method === 'GET') {
        const wait = url.searchParams.get('wait')
        const r = wait === 'true' ? await this.runner.wait(id, 600_000) : this.runner.get(id)
        if (!r) throw new AgentError('RequestedObjectNotFoundError', 404, 'Requested object not found', `Command with id ${id} not found.`)
        return send(200, r)
      }
      throw new AgentError('MethodNotAllowed', 405, 'Method not allowed', `${req.method} is not allowed on ${path}`)
    } catch (e) {
      const err = e instanceof AgentError ? e : new AgentError('InternalError', 500, 'Internal error', (e as Error).message)
      // IPA's error body, plus `faultstring`, which Ironic's agent client reads.
      send(err.code, { ...err.toJSON(), faultstring: err.details && err.details !== err.message ? `${err.message}: ${err.details}` : err.message })
    }
  }

  /**
   * A running image write shows its progress (Ferrum's addition; IPA leaves command_result null),
   * and the finished one its totals beside IPA's `result` text.
   */
  #withProgress(list: ReturnType<CommandRunner['list']>): unknown[] {
    const p = this.#state.progress
    if (!p) return list
    const elapsedS = Math.max(0.001, ((p.finishedAt ?? Date.now()) - p.startedAt) / 1000)
    const rate = Math.round(p.bytes / elapsedS)
    const progress = {
      phase: p.phase, bytes: p.bytes, total: p.total, rate_bytes_per_s: rate,
      eta_s: p.total !== null && rate > 0 ? Math.max(0, Math.round((p.total - p.bytes) / rate)) : null,
    }
    const last = list.filter((c) => c.command_name === 'prepare_image').at(-1)
    return list.map((c) => {
      if (c !== last) return c
      if (c.command_status === 'RUNNING') return { ...c, command_result: { ferrum_progress: progress } }
      const done = c.command_status === 'SUCCEEDED' && p.phase === 'done' && typeof c.command_result === 'object' && c.command_result !== null
      return done ? { ...c, command_result: { ...(c.command_result as object), ferrum_progress: progress } } : c
    })
  }

  #checkToken(given: string | null): void {
    if (this.#token === null) return
    if (given === null || !secretsEqual(given, this.#token)) {
      this.log(given === null ? 'command refused: no agent token' : 'command refused: invalid agent token')
      throw new AgentError('InvalidAgentToken', 401, 'Unauthorized', 'Token invalid.')
    }
  }
}

function faultOf(json: unknown): string {
  if (json && typeof json === 'object' && 'error_message' in json) {
    const em = (json as { error_message: unknown }).error_message
    try {
      const inner = typeof em === 'string' ? (JSON.parse(em) as { faultstring?: string }) : (em as { faultstring?: string })
      return inner.faultstring ?? String(em)
    } catch {
      return String(em)
    }
  }
  return typeof json === 'string' ? json.slice(0, 200) : ''
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req) {
    size += (c as Buffer).length
    if (size > MAX_BODY) throw new AgentError('InvalidContentError', 413, 'Request too large', `body over ${MAX_BODY} bytes`)
    chunks.push(c as Buffer)
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object')
    return v as Record<string, unknown>
  } catch (e) {
    throw new AgentError('InvalidContentError', 400, 'Invalid request body', `the body must be a JSON object with "name" and "params": ${(e as Error).message}`)
  }
}
