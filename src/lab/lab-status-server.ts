/**
 * The running lab's control endpoint, on loopback only, for `ferrum lab status` and tests:
 *   GET  /status                 → LabStatus (every node: power, boot device, what runs, faults)
 *   GET  /nodes/{name}           → LabNodeStatus
 *   POST /nodes/{name}/faults    body: Partial<NodeFaults> → { faults }
 * Errors are `{ "error": "<message>" }` with 400 or 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LabBmcKind, LabKind } from './lab-state.js'
import type { NodeFaults, VirtualNodeStatus } from './virtual-node-spec.js'

export interface LabNodeStatus extends VirtualNodeStatus {
  kind: LabBmcKind
  /** `ipmi 127.0.0.1:PORT` or the Redfish base URL. */
  bmcAddress: string
}

export interface LabStatus {
  pid: number
  kind: LabKind
  dir: string
  nodes: LabNodeStatus[]
}

export interface LabControl {
  status(): LabStatus
  /** Throws NodeNotInLabError for an unknown node, RangeError/TypeError for bad values. */
  setFaults(name: string, patch: Partial<NodeFaults>): Promise<NodeFaults>
}

export class NodeNotInLabError extends Error {
  constructor(name: string) {
    super(`no node named "${name}" in this lab`)
    this.name = 'NodeNotInLabError'
  }
}

const FAULT_KEYS = new Set<keyof NodeFaults>(['bmcUnreachable', 'packetLoss', 'latencyMs', 'ramdiskCrashAfterMs', 'diskWriteErrors'])

export class LabStatusServer {
  readonly #lab: LabControl
  #server: Server | null = null

  constructor(lab: LabControl) {
    this.#lab = lab
  }

  /** Listens on 127.0.0.1 (port 0 = any free one); resolves with the base URL. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      void this.#handle(req, res)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    const server = this.#server
    this.#server = null
    if (!server) return
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://lab').pathname
    const nodeMatch = /^\/nodes\/([^/]+)(\/faults)?$/.exec(path)
    try {
      if (req.method === 'GET' && path === '/status') return send(res, 200, this.#lab.status())
      if (req.method === 'GET' && nodeMatch && !nodeMatch[2]) {
        const name = decodeURIComponent(nodeMatch[1])
        const node = this.#lab.status().nodes.find((n) => n.name === name)
        return node ? send(res, 200, node) : send(res, 404, { error: new NodeNotInLabError(name).message })
      }
      if (req.method === 'POST' && nodeMatch?.[2]) {
        const body = await readJson(req)
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return send(res, 400, { error: 'the body must be a JSON object of fault settings' })
        const unknown = Object.keys(body).filter((k) => !FAULT_KEYS.has(k as keyof NodeFaults))
        if (unknown.length > 0) return send(res, 400, { error: `unknown fault setting(s): ${unknown.join(', ')} (known: ${[...FAULT_KEYS].join(', ')})` })
        const faults = await this.#lab.setFaults(decodeURIComponent(nodeMatch[1]), body as Partial<NodeFaults>)
        return send(res, 200, { faults })
      }
      send(res, 404, { error: `no such endpoint: ${req.method} ${path} (try GET /status)` })
    } catch (err) {
      send(res, err instanceof NodeNotInLabError ? 404 : 400, { error: (err as Error).message })
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) })
  res.end(payload)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > 64 * 1024) throw new Error('body too large')
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
  } catch {
    throw new Error('the body is not valid JSON')
  }
}
