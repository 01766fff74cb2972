import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { LabMachine } from '../machine.js'
import { errorBody, errors, RedfishHttpError } from './errors.js'
import type { BiosValue, SystemState } from './model.js'
import type { Personality } from './personality.js'
import { type Reply, type RouteContext, Router, normalisePath } from './router.js'
import { SessionStore } from './sessions.js'
import { TaskStore } from './tasks.js'
import type { MediaFetcher } from './media-fetch.js'

/** Requests that need no credentials (DSP0266 §13.3.1: the service root and version document). */
const OPEN_ROUTES: ReadonlySet<string> = new Set([
  'GET /redfish',
  'GET /redfish/v1',
  'GET /redfish/v1/odata',
  'GET /redfish/v1/$metadata',
  'POST /redfish/v1/SessionService/Sessions',
])

export interface ServiceOptions {
  machines: readonly LabMachine[]
  personality: Personality
  username: string
  password: string
  systemId: 'name' | 'uuid'
  fetcher: MediaFetcher
  now?: () => Date
}

export interface ServiceRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body for requests that carry one; undefined when there was none. */
  body: unknown
}

/**
 * The Redfish service without its socket: state, routing, authentication and ETags. The HTTP
 * server (`RedfishBmc`) reads bodies and handles faults; route modules add resources.
 */
export class RedfishService {
  readonly personality: Personality
  readonly systems: readonly SystemState[]
  readonly sessions: SessionStore
  readonly tasks: TaskStore
  readonly fetcher: MediaFetcher
  readonly router = new Router()
  readonly uuid: string
  readonly now: () => Date
  /** Run before a machine boots; vendors decide what staged settings this applies. */
  readonly bootHooks: ((sys: SystemState) => Promise<void> | void)[] = []

  constructor(opts: ServiceOptions) {
    this.personality = opts.personality
    this.sessions = new SessionStore(opts.username, opts.password)
    this.now = opts.now ?? (() => new Date())
    this.tasks = new TaskStore({ now: this.now })
    this.fetcher = opts.fetcher
    if (opts.machines.length === 0) throw new Error('RedfishBmc needs at least one machine')
    if (!opts.personality.multiSystem && opts.machines.length > 1) {
      throw new Error(`the ${opts.personality.name} personality fronts exactly one machine`)
    }
    const count = opts.machines.length
    const systems = opts.machines.map((machine): SystemState => {
      const id = opts.personality.systemId(machine, opts.systemId)
      const specs = opts.personality.biosSpecs(machine.hardware)
      const current: Record<string, BiosValue> = {}
      for (const [k, spec] of Object.entries(specs)) current[k] = spec.default
      return {
        id,
        machine,
        managerId: opts.personality.managerId(id, count),
        chassisId: opts.personality.chassisId(id),
        bios: { specs, current, pending: {}, pendingTask: null, resetRequested: false, lastApplied: null },
        media: opts.personality.mediaSlots.map((spec) => ({
          spec,
          image: null,
          inserted: false,
          writeProtected: true,
          verifyCertificate: false,
          localPath: null,
          inFlight: null,
        })),
        jobs: [],
        assetTag: '',
        indicatorLed: 'Off',
      }
    })
    const ids = new Set(systems.map((s) => s.id))
    if (ids.size !== systems.length) throw new Error('two machines map to the same Redfish system id')
    this.systems = systems
    this.uuid = uuidFrom(systems.map((s) => s.machine.hardware.uuid).join(','))
  }

  system(id: string): SystemState {
    const sys = this.systems.find((s) => s.id === id)
    if (!sys) throw errors.notFound(`/redfish/v1/Systems/${id}`)
    return sys
  }

  systemByManager(id: string): SystemState {
    const sys = this.systems.find((s) => s.managerId === id)
    if (!sys) throw errors.notFound(`/redfish/v1/Managers/${id}`)
    return sys
  }

  systemByChassis(id: string): SystemState {
    const sys = this.systems.find((s) => s.chassisId === id)
    if (!sys) throw errors.notFound(`/redfish/v1/Chassis/${id}`)
    return sys
  }

  /** The machine a request path is about, when it names one; used to pick whose faults apply. */
  machineForPath(rawUrl: string): LabMachine {
    const m = /\/(Systems|Managers|Chassis)\/([^/?]+)/.exec(rawUrl)
    if (m) {
      let seg = m[2]
      try {
        seg = decodeURIComponent(seg)
      } catch {
        // keep the raw segment
      }
      const sys = this.systems.find((s) =>
        m[1] === 'Systems' ? s.id === seg : m[1] === 'Managers' ? s.managerId === seg : s.chassisId === seg,
      )
      if (sys) return sys.machine
    }
    return this.systems[0].machine
  }

  /** Runs the boot hooks (staged BIOS settings, iDRAC jobs) for a machine about to boot. */
  async beforeBoot(sys: SystemState): Promise<void> {
    for (const hook of this.bootHooks) await hook(sys)
  }

  /** Routes one request. Errors become Redfish error replies; nothing escapes as an exception. */
  async handle(req: ServiceRequest): Promise<Reply> {
    try {
      return await this.#dispatch(req)
    } catch (err) {
      if (err instanceof RedfishHttpError) return errorReply(err)
      return errorReply(errors.internal(err instanceof Error ? err.message : String(err)))
    }
  }

  async #dispatch(req: ServiceRequest): Promise<Reply> {
    const path = this.#alias(normalisePath(req.url))
    const method = req.method.toUpperCase()
    const match = this.router.match(method, path)
    if (match.kind === 'none') throw errors.notFound(path.slice(0, 200))
    // 401 comes before 405, so an anonymous client learns nothing about the resource's methods.
    const effective = method === 'HEAD' ? 'GET' : method
    if (!OPEN_ROUTES.has(`${effective} ${path}`)) this.sessions.authenticate(req.headers)
    if (match.kind === 'method') throw errors.methodNotAllowed(method, match.allow)

    let body: Record<string, unknown> = {}
    if (req.body !== undefined) {
      if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw errors.malformedJson()
      body = req.body as Record<string, unknown>
    }
    const ctx: RouteContext = { method: effective, path, params: match.params, headers: req.headers, body }

    if (effective === 'PATCH' || effective === 'PUT' || effective === 'DELETE') {
      await this.#checkIfMatch(ctx)
    }
    const reply = await match.handler(ctx)
    return this.#finish(reply, match.allow, method === 'HEAD')
  }

  /** `/redfish/v1/Dell/Managers/X/...` is the older spelling of `/redfish/v1/Managers/X/Oem/Dell/...`. */
  #alias(path: string): string {
    const m = /^\/redfish\/v1\/Dell\/Managers\/([^/]+)\/(.*)$/.exec(path)
    return m ? `/redfish/v1/Managers/${m[1]}/Oem/Dell/${m[2]}` : path
  }

  async #checkIfMatch(ctx: RouteContext): Promise<void> {
    const header = ctx.headers['if-match']
    if (typeof header !== 'string' || header.trim() === '' || header.trim() === '*') return
    const get = this.router.match('GET', ctx.path)
    if (get.kind !== 'found') return
    const current = await get.handler({ ...ctx, method: 'GET', body: {} })
    if (current.status !== 200 || current.body === undefined) return
    const tag = opaque(etagOf(current.body))
    const offered = header.split(',').map((t) => opaque(t.trim()))
    if (!offered.includes(tag)) throw errors.preconditionFailed()
  }

  #finish(reply: Reply, allow: string[], head: boolean): Reply {
    const headers: Record<string, string> = { ...reply.headers }
    let body = reply.body
    if (reply.etag && body && typeof body === 'object') {
      const tag = etagOf(body)
      body = { ...(body as Record<string, unknown>), '@odata.etag': tag }
      headers.ETag = tag
    }
    if (reply.status === 200 && !headers.Allow) headers.Allow = allow.join(', ')
    return { status: reply.status, body: head ? undefined : body, headers }
  }

}

/** A weak ETag over the resource's JSON, so it changes exactly when the representation does. */
export function etagOf(body: unknown): string {
  const clean = { ...(body as Record<string, unknown>) }
  delete clean['@odata.etag']
  return `W/"${createHash('sha256').update(JSON.stringify(clean)).digest('hex').slice(0, 16)}"`
}

/** The opaque part of an entity tag: `W/"abc"` and `"abc"` name the same version. */
function opaque(tag: string): string {
  return tag.replace(/^W\//, '').replace(/^"|"$/g, '')
}

export function errorReply(err: RedfishHttpError): Reply {
  return { status: err.status, body: errorBody(err.info), headers: err.headers }
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(`ferrum-redfish-service:${seed}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}
