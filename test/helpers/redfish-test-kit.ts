/**
 * Test support for the redfish and idrac drivers: a lab Redfish BMC on loopback in front of one
 * BasicMachine, node views whose driver_info points at it, contexts with a manual clock, and a
 * client pool with short timeouts. Not a test file itself.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BasicMachine, defaultHardware, type MachineEvent } from '../../src/lab/basic-machine.js'
import { RedfishBmc, type RedfishBmcOptions } from '../../src/lab/redfish-bmc.js'
import type { PersonalityName } from '../../src/lab/redfish/personality.js'
import type { DriverContext } from '../../src/drivers/driver-context.js'
import type { NodeView } from '../../src/drivers/node-view.js'
import { makeContext, makeNodeView, ManualClock } from '../../src/drivers/testing/fixtures.js'
import { RedfishConnections } from '../../src/drivers/redfish/redfish-connections.js'

export const LAB_USER = 'admin'
export const LAB_PASSWORD = 'lab-secret'

/** A running lab BMC and what tests need around it. */
export interface RedfishLab {
  readonly url: string
  readonly personality: PersonalityName
  readonly bmc: RedfishBmc
  readonly machine: BasicMachine
  readonly events: MachineEvent[]
  readonly connections: RedfishConnections
  /** A node view for this BMC; `driverInfo` entries override the defaults (null removes one). */
  node(driverInfo?: Record<string, unknown>, overrides?: Partial<NodeView>): NodeView
  /** A context over `node` with a manual clock (sleeps return at once). */
  ctx(node?: NodeView, signal?: AbortSignal): DriverContext & { readonly log: ReturnType<typeof makeContext>['log'] }
  stop(): Promise<void>
}

/** Options of {@link startRedfishLab}. */
export interface RedfishLabOptions extends Partial<Omit<RedfishBmcOptions, 'machines' | 'personality'>> {
  readonly machine?: BasicMachine
}

/** A lab machine with two disks and two NICs. */
export function redfishLabMachine(name = 'node-1'): { machine: BasicMachine; events: MachineEvent[] } {
  const events: MachineEvent[] = []
  const machine = new BasicMachine({
    name,
    hardware: defaultHardware({
      cpus: 8,
      memoryMiB: 16384,
      disks: [
        { name: 'sda', sizeBytes: 512 * 1024 ** 3, path: '/dev/null' },
        { name: 'sdb', sizeBytes: 64 * 1024 ** 3, path: '/dev/null' },
        { name: 'sdc', sizeBytes: 1024 ** 3, path: '/dev/null' },
      ],
      nics: [
        { name: 'eno1', mac: '52:54:00:AA:00:01' },
        { name: 'eno2', mac: '52:54:00:aa:00:02' },
      ],
    }),
    onEvent: (ev) => {
      events.push(ev)
    },
  })
  return { machine, events }
}

/** Starts a lab BMC of the given personality. */
export async function startRedfishLab(personality: PersonalityName, opts: RedfishLabOptions = {}): Promise<RedfishLab> {
  const made = opts.machine === undefined ? redfishLabMachine() : { machine: opts.machine, events: [] as MachineEvent[] }
  const bmc = new RedfishBmc({ username: LAB_USER, password: LAB_PASSWORD, ...opts, machines: made.machine, personality })
  const { url } = await bmc.start()
  const connections = new RedfishConnections({ timeoutMs: 5000, retries: 4, retryDelayMs: 5 })
  const lab: RedfishLab = {
    url,
    personality,
    bmc,
    machine: made.machine,
    events: made.events,
    connections,
    node(driverInfo = {}, overrides = {}) {
      const info: Record<string, unknown> = { redfish_address: url, redfish_username: LAB_USER, redfish_password: LAB_PASSWORD }
      for (const [k, v] of Object.entries(driverInfo)) {
        if (v === null) delete info[k]
        else info[k] = v
      }
      return makeNodeView({ driver: personality === 'idrac' ? 'idrac' : 'redfish', driverInfo: info, ...overrides })
    },
    ctx(node = lab.node(), signal) {
      return makeContext(node, { clock: new ManualClock(), signal })
    },
    async stop() {
      await connections.closeAll()
      await bmc.stop()
    },
  }
  return lab
}

/** A tiny HTTP server for virtual media: `/deploy.iso`, `/instance.iso` (small ISO-ish blobs), 404 otherwise. */
export async function startIsoServer(): Promise<{ url: string; requests: string[]; stop(): Promise<void> }> {
  const image = Buffer.alloc(40 * 1024, 0)
  image.write('CD001', 0x8001, 'ascii')
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '')
    if (req.url === '/deploy.iso' || req.url === '/instance.iso') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': image.length })
      res.end(image)
    } else res.writeHead(404).end('no such image')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
