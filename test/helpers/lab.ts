// Shared helpers for the lab's tests: polling, pid checks, a Redfish call with basic auth that
// accepts the lab's self-signed certificates, a free loopback port and a recording fake Ironic API.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { Agent, request } from 'undici'

/** Polls until `check` returns a value other than undefined; fails after `ms` (default 20 s) instead of hanging. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  let lastError: unknown
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (err) {
      lastError = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const insecure = new Agent({ connect: { rejectUnauthorized: false } })

export interface HttpAnswer {
  status: number
  body: unknown
}

/** One HTTP(S) request with a JSON body; self-signed certificates are accepted. */
export async function httpJson(method: string, url: string, opts: { body?: unknown; user?: string; password?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
  if (opts.user !== undefined) headers.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64')}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const res = await request(url, {
    method: method as 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    dispatcher: insecure,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  })
  const text = await res.body.text()
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // keep the text
  }
  return { status: res.statusCode, body }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  const srv = createNetServer()
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

export interface RecordedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: Record<string, unknown>
}

export interface FakeIronic {
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

/**
 * A tiny Ironic look-alike for enrollment tests: accepts POST /v1/nodes and /v1/ports, answers
 * with a uuid, and refuses the drivers in `refuseDrivers` with Ironic's error body
 * (`error_message` holding a JSON string with the faultstring).
 */
export async function startFakeIronic(opts: { refuseDrivers?: string[] } = {}): Promise<FakeIronic> {
  const requests: RecordedRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(payload))
      }
      if (req.url === '/v1/nodes' && opts.refuseDrivers?.includes(String(body.driver))) {
        const fault = { faultstring: `No valid host was found. Reason: No conductor service registered which supports driver ${String(body.driver)} for conductor group "".`, faultcode: 'Client', debuginfo: null }
        return reply(400, { error_message: JSON.stringify(fault) })
      }
      if (req.url === '/v1/nodes' || req.url === '/v1/ports') return reply(201, { ...body, uuid: randomUUID() })
      reply(404, { error_message: JSON.stringify({ faultstring: `no route ${req.url}`, faultcode: 'Client', debuginfo: null }) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
