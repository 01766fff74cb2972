import type { Command } from 'commander'
import { ApiClient, apiUrl, parsePairs, table } from '../client.js'

type Node = Record<string, unknown> & { uuid: string; name: string | null; provision_state: string | null; last_error?: string | null }

const collect = (v: string, prev: string[] = []) => [...prev, v]

/** Verbs that become `PUT /v1/nodes/{node}/states/provision` with that target, and the stable state they aim at. */
const PROVISION: Record<string, string[]> = {
  manage: ['manageable'], provide: ['available'], inspect: ['manageable'], deploy: ['active'], rebuild: ['active'],
  undeploy: ['available'], clean: ['manageable'], abort: [], rescue: ['rescue'], unrescue: ['active'], adopt: ['active'], unhold: [],
}

async function waitFor(c: ApiClient, ident: string, targets: string[], timeoutS: number): Promise<Node> {
  const deadline = Date.now() + timeoutS * 1000
  for (;;) {
    const n = await c.call<Node>('GET', `/v1/nodes/${encodeURIComponent(ident)}`)
    if (n.provision_state && targets.includes(n.provision_state)) return n
    if (n.provision_state && /failed$|^error$|^enroll$/.test(n.provision_state) && !targets.includes(n.provision_state)) {
      throw new Error(`node ${ident} ended in "${n.provision_state}": ${n.last_error ?? 'no error recorded'} (see: ferrum node history ${ident})`)
    }
    if (Date.now() > deadline) throw new Error(`node ${ident} is still "${n.provision_state}" after ${timeoutS} s`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** `ferrum node …`: a client for the node API. */
export function registerNode(program: Command): void {
  const node = program.command('node').description('Manage bare metal nodes (a client of the API; --url or FERRUM_URL)')
  const client = (cmd: Command) => new ApiClient(apiUrl((cmd.optsWithGlobals() as { url?: string }).url))
  node.option('--url <url>', 'API URL (default $FERRUM_URL, $OS_ENDPOINT or http://127.0.0.1:6385)')

  node.command('list').description('List nodes').option('--long', 'more columns').option('--provision-state <state>', 'only nodes in this state')
    .action(async (o: { long?: boolean; provisionState?: string }, cmd: Command) => {
      const q = new URLSearchParams({ detail: 'True' })
      if (o.provisionState) q.set('provision_state', o.provisionState)
      const r = await client(cmd).call<{ nodes: Node[] }>('GET', `/v1/nodes?${q}`)
      const cols = o.long
        ? ['uuid', 'name', 'driver', 'power_state', 'provision_state', 'target_provision_state', 'maintenance', 'last_error']
        : ['uuid', 'name', 'power_state', 'provision_state', 'maintenance']
      console.log(table(cols, r.nodes.map((n) => cols.map((c) => n[c]))))
    })

  node.command('show <node>').description('Show one node').option('--json', 'print JSON')
    .action(async (ident: string, o: { json?: boolean }, cmd: Command) => {
      const n = await client(cmd).call<Node>('GET', `/v1/nodes/${encodeURIComponent(ident)}`)
      if (o.json) console.log(JSON.stringify(n, null, 2))
      else console.log(table(['field', 'value'], Object.entries(n).filter(([k]) => k !== 'links').map(([k, v]) => [k, v])))
    })

  node.command('create').description('Enroll a node').requiredOption('--driver <type>', 'hardware type (fake-hardware, ipmi, redfish, idrac)')
    .option('--name <name>', 'node name').option('--driver-info <k=v>', 'driver_info entry (repeatable)', collect)
    .option('--property <k=v>', 'properties entry (repeatable)', collect).option('--resource-class <rc>', 'resource class')
    .action(async (o: { driver: string; name?: string; driverInfo?: string[]; property?: string[]; resourceClass?: string }, cmd: Command) => {
      const body: Record<string, unknown> = { driver: o.driver, driver_info: parsePairs(o.driverInfo, '--driver-info'), properties: parsePairs(o.property, '--property') }
      if (o.name) body.name = o.name
      if (o.resourceClass) body.resource_class = o.resourceClass
      const n = await client(cmd).call<Node>('POST', '/v1/nodes', body)
      console.log(`created node ${n.name ?? n.uuid} (${n.uuid}) in state ${n.provision_state}`)
    })

  node.command('delete <node>').description('Delete a node').action(async (ident: string, _o: unknown, cmd: Command) => {
    await client(cmd).call('DELETE', `/v1/nodes/${encodeURIComponent(ident)}`)
    console.log(`deleted node ${ident}`)
  })

  for (const [verb, targets] of Object.entries(PROVISION)) {
    const sub = node.command(`${verb} <node>`).description(`Provision action "${verb}"`)
      .option('--wait [seconds]', 'wait until the node settles (default 600 s)')
    if (verb === 'deploy' || verb === 'rebuild') sub.option('--config-drive <json>', 'config drive (JSON object or base64 string)')
    if (verb === 'clean') sub.requiredOption('--clean-steps <json>', 'JSON list of steps, e.g. [{"interface":"deploy","step":"erase_devices"}]')
    if (verb === 'rescue') sub.requiredOption('--rescue-password <pw>', 'password for the rescue ramdisk')
    sub.action(async (ident: string, o: { wait?: string | boolean; configDrive?: string; cleanSteps?: string; rescuePassword?: string }, cmd: Command) => {
      const c = client(cmd)
      const body: Record<string, unknown> = { target: verb === 'undeploy' ? 'deleted' : verb === 'deploy' ? 'active' : verb }
      try {
        if (o.configDrive) body.configdrive = o.configDrive.trim().startsWith('{') ? JSON.parse(o.configDrive) : o.configDrive
        if (o.cleanSteps) body.clean_steps = JSON.parse(o.cleanSteps)
      } catch (e) {
        throw new Error(`bad JSON in an option: ${(e as Error).message}`, { cause: e })
      }
      if (o.rescuePassword) body.rescue_password = o.rescuePassword
      await c.call('PUT', `/v1/nodes/${encodeURIComponent(ident)}/states/provision`, body)
      if (o.wait !== undefined && targets.length > 0) {
        const n = await waitFor(c, ident, targets, o.wait === true ? 600 : Number(o.wait))
        console.log(`node ${ident} is ${n.provision_state}`)
      } else console.log(`node ${ident}: "${verb}" accepted`)
    })
  }

  node.command('power <action> <node>').description('Power action: on, off, reboot, soft-off, soft-reboot')
    .action(async (action: string, ident: string, _o: unknown, cmd: Command) => {
      const map: Record<string, string> = { on: 'power on', off: 'power off', reboot: 'rebooting', 'soft-off': 'soft power off', 'soft-reboot': 'soft rebooting' }
      if (!map[action]) throw new Error(`unknown power action "${action}": use ${Object.keys(map).join(', ')}`)
      await client(cmd).call('PUT', `/v1/nodes/${encodeURIComponent(ident)}/states/power`, { target: map[action] })
      console.log(`node ${ident}: power ${action} accepted`)
    })

  node.command('history <node>').description('What happened to a node, with durations and error codes')
    .action(async (ident: string, _o: unknown, cmd: Command) => {
      const r = await client(cmd).call<{ history: Record<string, unknown>[] }>('GET', `/v1/nodes/${encodeURIComponent(ident)}/history?detail=true`)
      console.log(table(['created_at', 'severity', 'event', 'ms', 'code'], r.history.map((h) => [h.created_at, h.severity, h.event, h.ferrum_duration_ms, (h.ferrum_error as { code?: string } | null)?.code])))
    })
}
