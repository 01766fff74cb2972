import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { LabMachine } from './machine.js'
import { registerBiosRoutes } from './redfish/bios-routes.js'
import { registerDellRoutes } from './redfish/dell-routes.js'
import { errorBody, errors, type RedfishHttpError } from './redfish/errors.js'
import { registerChassisRoutes, registerManagerRoutes } from './redfish/manager-routes.js'
import { MediaFetcher } from './redfish/media-fetch.js'
import { type PersonalityName, personalityFor } from './redfish/personality.js'
import { registerRootRoutes } from './redfish/root-routes.js'
import type { Reply } from './redfish/router.js'
import { RedfishService, errorReply } from './redfish/service.js'
import { registerSystemRoutes } from './redfish/system-routes.js'
import { applyBios } from './redfish/bios-routes.js'
import { generateSelfSignedCert, type TlsMaterial } from './redfish/tls.js'

export interface RedfishBmcOptions {
  /** The machines behind this BMC: several (generic personality) or one. */
  machines: LabMachine[] | LabMachine
  /** Listen address; the lab only ever uses loopback. Default 127.0.0.1. */
  host?: string
  /** 0 (the default) picks a free port. */
  port?: number
  /** Serve HTTPS with a freshly generated self-signed certificate (or `tlsMaterial`). Default false. */
  tls?: boolean
  tlsMaterial?: TlsMaterial
  username: string
  password: string
  personality: PersonalityName
  /** Generic personality: derive system ids from the machine name (default) or its UUID. */
  systemId?: 'name' | 'uuid'
  /** Answer every virtual media insert with 202 + task monitor, not only on `Prefer: respond-async`. */
  asyncVirtualMedia?: boolean
  /** Largest request body accepted (413 beyond it). Default 1 MiB. */
  maxBodyBytes?: number
  /** Largest virtual media image fetched. Default 16 GiB. */
  maxImageBytes?: number
  /** Time allowed for one image fetch. Default 120 s. */
  imageFetchTimeoutMs?: number
  /** Source of randomness for packet loss, for deterministic tests. Default Math.random. */
  random?: () => number
  /** Clock for timestamps in tasks, jobs and BIOS settings. */
  now?: () => Date
}

export interface RedfishBmcAddress {
  url: string
  port: number
  /** The self-signed certificate (PEM) when serving HTTPS; use it as the client's CA. */
  certPem?: string
}

const BODY_METHODS = new Set(['POST', 'PATCH', 'PUT'])

/**
 * A Redfish BMC emulator for the lab, good enough for python-sushy (Ironic's redfish and idrac
 * drivers) and redfishtool: systems with power, boot override and BIOS settings, managers with
 * virtual media that really fetches images, sessions, ETags, tasks and the iDRAC job queue.
 * It honours each machine's `faults` (unreachable, packet loss, latency) on every request.
 *
 * @example
 * const bmc = new RedfishBmc({ machines: machine, username: 'admin', password: 'pw', personality: 'generic' })
 * const { url } = await bmc.start()   // http://127.0.0.1:PORT
 * await bmc.stop()
 */
export class RedfishBmc {
  readonly service: RedfishService
  readonly #opts: RedfishBmcOptions
  readonly #machines: readonly LabMachine[]
  readonly #fetcher: MediaFetcher
  readonly #random: () => number
  readonly #timers = new Set<NodeJS.Timeout>()
  #server: Server | null = null
  #address: RedfishBmcAddress | null = null

  constructor(opts: RedfishBmcOptions) {
    this.#opts = opts
    this.#machines = Array.isArray(opts.machines) ? [...opts.machines] : [opts.machines]
    this.#random = opts.random ?? Math.random
    this.#fetcher = new MediaFetcher({ maxBytes: opts.maxImageBytes, timeoutMs: opts.imageFetchTimeoutMs })
    const personality = personalityFor(opts.personality)
    this.service = new RedfishService({
      machines: this.#machines,
      personality,
      username: opts.username,
      password: opts.password,
      systemId: opts.systemId ?? 'name',
      fetcher: this.#fetcher,
      now: opts.now,
    })
    const svc = this.service
    registerRootRoutes(svc)
    registerSystemRoutes(svc)
    registerManagerRoutes(svc, { asyncVirtualMedia: opts.asyncVirtualMedia ?? false })
    registerChassisRoutes(svc)
    if (personality.biosJobQueue) {
      registerBiosRoutes(svc, registerDellRoutes(svc))
    } else {
      registerBiosRoutes(svc)
      svc.bootHooks.push((sys) => applyBios(svc, sys))
    }
  }

  /** Starts listening; resolves with the base URL (no trailing slash). */
  async start(): Promise<RedfishBmcAddress> {
    if (this.#address) return this.#address
    const host = this.#opts.host ?? '127.0.0.1'
    let certPem: string | undefined
    let server: Server
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      void this.#onRequest(req, res)
    }
    if (this.#opts.tls) {
      const material = this.#opts.tlsMaterial ?? (await generateSelfSignedCert(host))
      certPem = material.certPem
      server = createHttpsServer({ cert: material.certPem, key: material.keyPem }, onRequest) as unknown as Server
      server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy())
    } else {
      server = createHttpServer(onRequest)
    }
    // Long idle keep-alive: a client (python-requests) that reuses a connection just as the
    // server closes it gets a reset mid-request, which a busy CI box makes likely at 5 s.
    server.keepAliveTimeout = 60_000
    server.headersTimeout = 65_000
    server.requestTimeout = 120_000
    server.on('connection', (socket: Socket) => {
      socket.on('error', () => undefined)
      // A BMC whose every machine is unreachable refuses the connection outright.
      if (this.#machines.every((m) => m.faults.unreachable)) socket.destroy()
    })
    // Requests node's parser rejects (unknown methods, broken framing, huge headers) still get
    // a Redfish error body before the connection is closed.
    server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
      if (!socket.writable || socket.destroyed) {
        socket.destroy()
        return
      }
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
      const body = JSON.stringify(
        errorBody({
          messageId: 'Base.1.16.GeneralError',
          message: tooLarge ? 'The request headers are too large.' : 'The request could not be parsed as HTTP/1.1.',
        }),
      )
      socket.end(
        `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nOData-Version: 4.0\r\nConnection: close\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      )
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#opts.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
    const port = (server.address() as AddressInfo).port
    const shownHost = host.includes(':') ? `[${host}]` : host
    this.#address = { url: `${this.#opts.tls ? 'https' : 'http'}://${shownHost}:${port}`, port, certPem }
    return this.#address
  }

  /** Stops listening, drops open connections, cancels image fetches and deletes fetched files. */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
    for (const sys of this.service.systems) for (const slot of sys.media) slot.inFlight?.abort()
    const server = this.#server
    this.#server = null
    this.#address = null
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    }
    await this.#fetcher.close()
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined)
    res.on('error', () => undefined)
    const faults = this.service.machineForPath(req.url ?? '/').faults
    if (faults.unreachable || (faults.packetLoss > 0 && this.#random() < faults.packetLoss)) {
      req.socket.destroy()
      return
    }
    if (faults.latencyMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.#timers.delete(t)
          resolve()
        }, faults.latencyMs)
        this.#timers.add(t)
      })
      if (!this.#server) {
        req.socket.destroy()
        return
      }
    }
    let reply: Reply
    try {
      const method = (req.method ?? 'GET').toUpperCase()
      const raw = await this.#readBody(req, BODY_METHODS.has(method))
      let body: unknown
      if (raw !== null && raw.trim().length > 0) {
        try {
          body = JSON.parse(raw)
        } catch {
          throw errors.malformedJson()
        }
      }
      reply = await this.service.handle({ method, url: req.url ?? '/', headers: req.headers, body })
    } catch (err) {
      if (req.destroyed && !req.complete) return // the client went away mid-body
      reply = errorReply(isRedfishError(err) ? err : errors.internal(String(err)))
    }
    this.#send(res, reply)
  }

  /** Reads the body of POST/PATCH/PUT (up to the limit); other methods' bodies are drained. */
  #readBody(req: IncomingMessage, wanted: boolean): Promise<string | null> {
    const limit = this.#opts.maxBodyBytes ?? 1024 * 1024
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? '0')
      if (wanted && declared > limit) {
        reject(errors.payloadTooLarge(limit))
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (chunk: Buffer) => {
        if (!wanted) return
        size += chunk.length
        if (size > limit) {
          req.pause()
          reject(errors.payloadTooLarge(limit))
          return
        }
        chunks.push(chunk)
      })
      req.on('end', () => resolve(wanted ? Buffer.concat(chunks).toString('utf8') : null))
      req.on('error', reject)
      req.on('close', () => {
        if (!req.complete) reject(new Error('request aborted'))
      })
    })
  }

  #send(res: ServerResponse, reply: Reply): void {
    if (res.headersSent || res.destroyed) return
    const headers: Record<string, string | number> = {
      'OData-Version': '4.0',
      'Cache-Control': 'no-cache',
      ...reply.headers,
    }
    let payload: Buffer | null = null
    if (reply.body !== undefined && reply.status !== 204) {
      payload = Buffer.from(JSON.stringify(reply.body))
      headers['Content-Type'] = 'application/json; charset=utf-8'
    }
    headers['Content-Length'] = payload?.length ?? 0
    try {
      res.writeHead(reply.status, headers)
      res.end(payload ?? undefined)
    } catch {
      res.destroy()
      return
    }
    // After a refused oversized body the rest of it is still on the wire: close the connection.
    if (reply.headers?.Connection === 'close') res.on('finish', () => res.socket?.destroy())
  }
}

function isRedfishError(err: unknown): err is RedfishHttpError {
  return err instanceof Error && err.name === 'RedfishHttpError'
}
