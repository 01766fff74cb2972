// Shared helpers for the Redfish BMC emulator's tests: lab machines with disks and NICs, a BMC
// on loopback, an image server, a tiny Redfish client and a child-process runner.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { BasicMachine, type MachineEvent, defaultHardware } from '../../src/lab/basic-machine.js'
import { RedfishBmc, type RedfishBmcOptions } from '../../src/lab/redfish-bmc.js'

export const USER = 'admin'
export const PASSWORD = 'lab-secret'

/** The repository root, from src/ or from dist/ alike. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('package.json not found above the test helpers')
    dir = up
  }
  return dir
}

export interface TestMachine {
  machine: BasicMachine
  events: MachineEvent[]
}

export function labMachine(name = 'node-1', uuid = '8d9f1f3e-5b3a-4c6e-9a1b-2f4e6c8d0a12'): TestMachine {
  const events: MachineEvent[] = []
  const machine = new BasicMachine({
    name,
    hardware: defaultHardware({
      uuid,
      cpus: 8,
      memoryMiB: 16384,
      disks: [
        { name: 'sda', sizeBytes: 64 * 1024 ** 3, path: '/dev/null' },
        { name: 'sdb', sizeBytes: 512 * 1024 ** 3, path: '/dev/null' },
      ],
      nics: [
        { name: 'eno1', mac: '52:54:00:aa:00:01' },
        { name: 'eno2', mac: '52:54:00:aa:00:02' },
      ],
    }),
    onEvent: (ev) => {
      events.push(ev)
    },
  })
  return { machine, events }
}

export interface RunningBmc {
  bmc: RedfishBmc
  url: string
  port: number
  certPem?: string
  client: RedfishTestClient
  stop(): Promise<void>
}

export async function startBmc(opts: Partial<RedfishBmcOptions> & Pick<RedfishBmcOptions, 'machines' | 'personality'>): Promise<RunningBmc> {
  const bmc = new RedfishBmc({ username: USER, password: PASSWORD, ...opts })
  const addr = await bmc.start()
  const client = new RedfishTestClient(addr.url)
  return {
    bmc,
    ...addr,
    client,
    stop: async () => {
      await client.close()
      await bmc.stop()
    },
  }
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  json: Record<string, unknown> | null
  text: string
}

/** A minimal Redfish client over undici (TLS verification off: the BMC's cert is self-signed). */
export class RedfishTestClient {
  readonly base: string
  readonly agent = new Agent({ connect: { rejectUnauthorized: false }, pipelining: 0 })
  auth: Record<string, string> = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` }

  constructor(base: string) {
    this.base = base
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    const res = await request(this.base + path, {
      method: method as 'GET',
      headers: { ...this.auth, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: payload,
      dispatcher: this.agent,
    })
    const text = await res.body.text()
    let json: Record<string, unknown> | null
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : null
    } catch {
      json = null
    }
    return { status: res.statusCode, headers: res.headers, json, text }
  }

  get(path: string, headers?: Record<string, string>): Promise<Answer> {
    return this.call('GET', path, undefined, headers)
  }

  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
    return this.call('POST', path, body, headers)
  }

  patch(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer> {
    return this.call('PATCH', path, body, headers)
  }

  async close(): Promise<void> {
    await this.agent.close()
  }
}

/** The first MessageId of a Redfish error body. */
export function messageId(a: Answer): string | undefined {
  const err = a.json?.error as { '@Message.ExtendedInfo'?: { MessageId?: string }[] } | undefined
  return err?.['@Message.ExtendedInfo']?.[0]?.MessageId
}

export interface ImageServer {
  url: string
  image: Buffer
  requests: string[]
  stop(): Promise<void>
}

/** Serves `/boot.iso` and `/other.img` (a small ISO-ish blob: ISO 9660 magic at 0x8001), `/slow.iso` (the same, 1.5 s late) and 404 for anything else. */
export async function startImageServer(): Promise<ImageServer> {
  const image = Buffer.alloc(64 * 1024, 0)
  image.write('CD001', 0x8001, 'ascii')
  image.write('FERRUM-LAB-BOOT', 0x8028, 'ascii')
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const send = (): void => {
      if (res.destroyed) return
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': image.length })
      res.end(image)
    }
    if (req.url === '/boot.iso' || req.url === '/other.img') send()
    else if (req.url === '/slow.iso') {
      // Answers late, so an asynchronous insert is certainly still running when first polled.
      const t = setTimeout(send, 1500)
      res.on('close', () => clearTimeout(t))
    } else {
      res.writeHead(404).end('not here')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    image,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs a program to completion (killing it by PID after `timeoutMs`). The CA-bundle variables
 * are removed: python-requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override `verify=`.
 */
export function run(cmd: string, args: readonly string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ...opts.env }
  for (const k of ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete env[k]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
    }, opts.timeoutMs ?? 30_000)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
