import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { example } from '../help.js'
import { clientFor, parsePairs, table, type ApiClient } from '../client.js'
import { enrollNodes, parseEnrollFile } from '../enroll.js'
import { phaseOf, progressOf, watchNode, type NodeRecord } from '../live.js'
import { timelineChart, type HistoryEntry } from '../timeline-chart.js'

const collect = (v: string, prev: string[] = []) => [...prev, v]

/** Verbs that become `PUT /v1/nodes/{node}/states/provision`, the stable states they aim at, and an example. */
const PROVISION: Record<string, { targets: string[]; about: string; example: string }> = {
  manage: { targets: ['manageable'], about: 'verify the BMC credentials and make the node manageable', example: 'ferrum node manage node-1 --wait' },
  inspect: { targets: ['manageable'], about: 'boot the agent and record the hardware (inventory, properties, ports)', example: 'ferrum node inspect node-1 --wait 300' },
  provide: { targets: ['available'], about: 'clean the node and make it available', example: 'ferrum node provide node-1 --wait' },
  deploy: { targets: ['active'], about: 'write instance_info.image_source to the disk and boot it', example: 'ferrum node deploy node-1 --image http://10.0.0.1/images/os.img --image-checksum <sha256> --wait' },
  rebuild: { targets: ['active'], about: 'write the image again', example: 'ferrum node rebuild node-1 --wait' },
  undeploy: { targets: ['available'], about: 'tear the instance down and clean the node', example: 'ferrum node undeploy node-1 --wait' },
  clean: { targets: ['manageable'], about: 'run the given clean steps on a manageable node', example: 'ferrum node clean node-1 --clean-steps \'[{"interface":"deploy","step":"erase_devices_metadata"}]\' --wait' },
  abort: { targets: [], about: 'abort the running operation where it can be aborted', example: 'ferrum node abort node-1' },
  rescue: { targets: ['rescue'], about: 'boot the rescue ramdisk on an active node', example: 'ferrum node rescue node-1 --rescue-password s3cret --wait' },
  unrescue: { targets: ['active'], about: 'boot the instance again after rescue', example: 'ferrum node unrescue node-1 --wait' },
  adopt: { targets: ['active'], about: 'take over a node that already runs its instance', example: 'ferrum node adopt node-1 --wait' },
  unhold: { targets: [], about: 'let a node held by a "hold" step go on', example: 'ferrum node unhold node-1' },
}

const nodePath = (ident: string) => `/v1/nodes/${encodeURIComponent(ident)}`

/** What the node is doing now, for the list: the agent's write progress, else the phase or step. */
export function progressText(n: NodeRecord): string {
  const p = progressOf(n)
  if (p && p.total) return `write image ${Math.floor((p.bytes / p.total) * 100)}%`
  const phase = phaseOf(n)
  if (phase) return phase
  const step = (n.deploy_step ?? n.clean_step) as { step?: string } | null | undefined
  return step && typeof step.step === 'string' ? `step ${step.step}` : ''
}

function waitSeconds(v: string | boolean | undefined, dflt = 600): number | null {
  if (v === undefined) return null
  if (v === true) return dflt
  const n = Number(v)
  if (!(n > 0)) throw new Error(`--wait takes a number of seconds greater than 0 (got "${v}")`)
  return n
}

function jsonOption(name: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new Error(`${name} is not valid JSON (${(e as Error).message})`, { cause: e })
  }
}

/** `ferrum node …`: a client for the node API. */
export function registerNode(program: Command): void {
  const node = program.command('node').description('Manage bare metal nodes (a client of the API; --url, FERRUM_URL or ~/.config/ferrum/config.yaml)')
  const client = (cmd: Command): ApiClient => clientFor((cmd.optsWithGlobals() as { url?: string }).url)
  node.option('--url <url>', 'API URL (default $FERRUM_URL, $OS_ENDPOINT, url: in ~/.config/ferrum/config.yaml, or http://127.0.0.1:6385)')

  example(node.command('list').description('List nodes: name, power, provision state, target, maintenance, owner, progress')
    .option('--long', 'more columns (uuid, driver, last_error)').option('--json', 'print the API\'s JSON')
    .option('--provision-state <state>', 'only nodes in this state').option('--driver <name>', 'only nodes of this hardware type')
    .option('--owner <project>', 'only nodes of this owner').option('--resource-class <rc>', 'only nodes of this resource class')
    .option('--maintenance', 'only nodes in maintenance').option('--no-maintenance', 'only nodes not in maintenance')
    .option('--fault <fault>', 'only nodes with this fault').option('--conductor-group <group>', 'only nodes of this conductor group')
    .option('--limit <n>', 'at most this many nodes'), 'ferrum node list', 'ferrum node list --provision-state available --json')
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const q = new URLSearchParams({ detail: 'True' })
      const filters: Record<string, string> = { provisionState: 'provision_state', driver: 'driver', owner: 'owner', resourceClass: 'resource_class', fault: 'fault', conductorGroup: 'conductor_group', limit: 'limit' }
      for (const [opt, param] of Object.entries(filters)) if (typeof o[opt] === 'string') q.set(param, o[opt] as string)
      if (typeof o.maintenance === 'boolean') q.set('maintenance', String(o.maintenance))
      const r = await client(cmd).call<{ nodes: NodeRecord[] }>('GET', `/v1/nodes?${q}`)
      if (o.json) return void console.log(JSON.stringify(r.nodes, null, 2))
      const head = ['name', 'power', 'provision state', 'target', 'maintenance', 'owner', 'progress']
      const row = (n: NodeRecord) => [n.name ?? n.uuid, n.power_state, n.provision_state, n.target_provision_state, n.maintenance, n.owner, progressText(n)]
      console.log(o.long
        ? table(['uuid', ...head, 'driver', 'last_error'], r.nodes.map((n) => [n.uuid, ...row(n), n.driver, n.last_error]))
        : table(head, r.nodes.map(row)))
    })

  example(node.command('show <node>').description('Show one node (by name or UUID)').option('--json', 'print JSON'), 'ferrum node show node-1')
    .action(async (ident: string, o: { json?: boolean }, cmd: Command) => {
      const n = await client(cmd).call<NodeRecord>('GET', nodePath(ident))
      if (o.json) console.log(JSON.stringify(n, null, 2))
      else console.log(table(['field', 'value'], Object.entries(n).filter(([k]) => k !== 'links').map(([k, v]) => [k, v])))
    })

  example(node.command('create').description('Enroll one node').requiredOption('--driver <type>', 'hardware type (fake-hardware, ipmi, redfish, idrac)')
    .option('--name <name>', 'node name').option('--driver-info <k=v>', 'driver_info entry (repeatable)', collect)
    .option('--property <k=v>', 'properties entry (repeatable)', collect).option('--resource-class <rc>', 'resource class'),
  'ferrum node create --driver ipmi --name node-1 --driver-info ipmi_address=10.0.0.5 --driver-info ipmi_username=admin --driver-info ipmi_password=secret')
    .action(async (o: { driver: string; name?: string; driverInfo?: string[]; property?: string[]; resourceClass?: string }, cmd: Command) => {
      const body: Record<string, unknown> = { driver: o.driver, driver_info: parsePairs(o.driverInfo, '--driver-info'), properties: parsePairs(o.property, '--property') }
      if (o.name) body.name = o.name
      if (o.resourceClass) body.resource_class = o.resourceClass
      const n = await client(cmd).call<NodeRecord>('POST', '/v1/nodes', body)
      console.log(`created node ${n.name ?? n.uuid} (${n.uuid}) in state ${n.provision_state}`)
    })

  example(node.command('enroll <file>').description('Enroll many nodes with their ports and BMC credentials from a YAML or JSON file (all or nothing)')
    .option('--manage', 'also verify each node\'s BMC (manage) once all are enrolled'),
  'ferrum node enroll rack1.yaml', '# rack1.yaml:', '# nodes:', '#   - name: r1-n1', '#     driver: ipmi', '#     driver_info: {ipmi_address: 10.0.0.5, ipmi_username: admin, ipmi_password: secret}', '#     ports: [{address: "52:54:00:12:34:56"}]')
    .action(async (file: string, o: { manage?: boolean }, cmd: Command) => {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch (e) {
        throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e })
      }
      const nodes = parseEnrollFile(text, file)
      const c = client(cmd)
      const done = await enrollNodes(c, file, nodes)
      for (const r of done) console.log(`enrolled ${r.name} (${r.uuid}) with ${r.ports} port(s)`)
      if (o.manage) {
        for (const r of done) {
          await c.call('PUT', `${nodePath(r.uuid)}/states/provision`, { target: 'manage' })
          const n = await watchNode(c, r.uuid, ['manageable'], { timeoutS: 120, tty: false, out: devNull })
          console.log(`${r.name}: ${n.provision_state}`)
        }
      }
      console.log(`${done.length} node(s) enrolled from ${file}`)
    })

  example(node.command('set <node>').description('Change fields of a node (JSON Patch "add" under the hood)')
    .option('--instance-info <k=v>', 'instance_info entry (repeatable)', collect).option('--driver-info <k=v>', 'driver_info entry (repeatable)', collect)
    .option('--property <k=v>', 'properties entry (repeatable)', collect).option('--extra <k=v>', 'extra entry (repeatable)', collect)
    .option('--field <k=v>', 'a top-level field, e.g. owner=proj1 or deploy_interface=direct (repeatable)', collect),
  'ferrum node set node-1 --instance-info image_source=http://10.0.0.1/images/os.img --instance-info image_os_hash_algo=sha256 --instance-info image_os_hash_value=…')
    .action(async (ident: string, o: { instanceInfo?: string[]; driverInfo?: string[]; property?: string[]; extra?: string[]; field?: string[] }, cmd: Command) => {
      const ops: { op: 'add'; path: string; value: unknown }[] = []
      const add = (prefix: string, pairs: string[] | undefined, what: string) => {
        for (const [k, v] of Object.entries(parsePairs(pairs, what))) ops.push({ op: 'add', path: `${prefix}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: v })
      }
      add('/instance_info', o.instanceInfo, '--instance-info')
      add('/driver_info', o.driverInfo, '--driver-info')
      add('/properties', o.property, '--property')
      add('/extra', o.extra, '--extra')
      add('', o.field, '--field')
      if (ops.length === 0) throw new Error('nothing to set: give --instance-info, --driver-info, --property, --extra or --field (see ferrum node set --help)')
      const n = await client(cmd).call<NodeRecord>('PATCH', nodePath(ident), ops)
      console.log(`node ${n.name ?? n.uuid}: ${ops.length} field(s) set`)
    })

  example(node.command('delete <node>').description('Delete a node'), 'ferrum node delete node-1').action(async (ident: string, _o: unknown, cmd: Command) => {
    await client(cmd).call('DELETE', nodePath(ident))
    console.log(`deleted node ${ident}`)
  })

  for (const [verb, { targets, about, example: ex }] of Object.entries(PROVISION)) {
    const sub = example(node.command(`${verb} <node>`).description(`Provision action "${verb}": ${about}`), ex)
    if (targets.length > 0) sub.option('--wait [seconds]', 'follow the node live until it settles (default 600 s); Ctrl-C stops waiting, not the operation')
    if (verb === 'deploy' || verb === 'rebuild') {
      sub.option('--config-drive <json>', 'config drive (JSON object or base64 string)')
        .option('--image <url>', 'set instance_info.image_source first (a raw or qcow2 image over http(s) or file://)')
        .option('--image-checksum <sha256>', 'with --image: its sha256 (instance_info.image_os_hash_value)')
    }
    if (verb === 'clean') sub.requiredOption('--clean-steps <json>', 'JSON list of steps, e.g. [{"interface":"deploy","step":"erase_devices"}]')
    if (verb === 'rescue') sub.requiredOption('--rescue-password <pw>', 'password for the rescue ramdisk')
    sub.action(async (ident: string, o: { wait?: string | boolean; configDrive?: string; cleanSteps?: string; rescuePassword?: string; image?: string; imageChecksum?: string }, cmd: Command) => {
      const c = client(cmd)
      const timeoutS = waitSeconds(o.wait)
      if (o.imageChecksum && !o.image) throw new Error('--image-checksum goes with --image URL')
      if (o.imageChecksum && !/^[0-9a-f]{64}$/i.test(o.imageChecksum)) throw new Error(`--image-checksum takes a sha256 in hex, 64 characters (got "${o.imageChecksum}")`)
      if (o.image) {
        const ops: { op: string; path: string; value?: unknown }[] = [{ op: 'add', path: '/instance_info/image_source', value: o.image }]
        if (o.imageChecksum) ops.push({ op: 'add', path: '/instance_info/image_os_hash_algo', value: 'sha256' }, { op: 'add', path: '/instance_info/image_os_hash_value', value: o.imageChecksum.toLowerCase() })
        else for (const k of ['image_os_hash_algo', 'image_os_hash_value', 'image_checksum']) ops.push({ op: 'remove', path: `/instance_info/${k}` })
        await setImage(c, ident, ops)
      }
      const body: Record<string, unknown> = { target: verb === 'undeploy' ? 'deleted' : verb === 'deploy' ? 'active' : verb }
      if (o.configDrive) body.configdrive = o.configDrive.trim().startsWith('{') ? jsonOption('--config-drive', o.configDrive) : o.configDrive
      if (o.cleanSteps) body.clean_steps = jsonOption('--clean-steps', o.cleanSteps)
      if (o.rescuePassword) body.rescue_password = o.rescuePassword
      const before = timeoutS === null ? null : await c.call<NodeRecord>('GET', nodePath(ident))
      await c.call('PUT', `${nodePath(ident)}/states/provision`, body)
      if (timeoutS !== null) {
        const n = await watchNode(c, ident, targets, { timeoutS, tty: process.stdout.isTTY === true, out: process.stdout, from: before?.provision_state })
        console.log(`node ${ident} is ${n.provision_state}`)
      } else console.log(`node ${ident}: "${verb}" accepted`)
    })
  }

  example(node.command('power <action> <node>').description('Power action: on, off, reboot, soft-off, soft-reboot'), 'ferrum node power on node-1')
    .action(async (action: string, ident: string, _o: unknown, cmd: Command) => {
      const map: Record<string, string> = { on: 'power on', off: 'power off', reboot: 'rebooting', 'soft-off': 'soft power off', 'soft-reboot': 'soft rebooting' }
      if (!map[action]) throw new Error(`unknown power action "${action}": use ${Object.keys(map).join(', ')}`)
      await client(cmd).call('PUT', `${nodePath(ident)}/states/power`, { target: map[action] })
      console.log(`node ${ident}: power ${action} accepted`)
    })

  const boot = node.command('boot-device').description('The boot device the BMC starts the node from')
  example(boot.command('set <node> <device>').description('Set the boot device: pxe, disk, cdrom, bios, safe').option('--persistent', 'keep it for every boot, not only the next'),
    'ferrum node boot-device set node-1 pxe', 'ferrum node boot-device set node-1 disk --persistent')
    .action(async (ident: string, device: string, o: { persistent?: boolean }, cmd: Command) => {
      await client(cmd).call('PUT', `${nodePath(ident)}/management/boot_device`, { boot_device: device, persistent: o.persistent === true })
      console.log(`node ${ident}: boot device ${device}${o.persistent ? ' (persistent)' : ''}`)
    })
  example(boot.command('show <node>').description('Show the boot device the BMC reports'), 'ferrum node boot-device show node-1')
    .action(async (ident: string, _o: unknown, cmd: Command) => {
      const r = await client(cmd).call<{ boot_device: string | null; persistent: boolean | null }>('GET', `${nodePath(ident)}/management/boot_device`)
      console.log(`${r.boot_device ?? 'unknown'}${r.persistent ? ' (persistent)' : ''}`)
    })

  example(node.command('history <node>').description('What happened to a node, with durations and error codes'), 'ferrum node history node-1')
    .action(async (ident: string, _o: unknown, cmd: Command) => {
      const r = await client(cmd).call<{ history: HistoryEntry[] }>('GET', `${nodePath(ident)}/history?detail=true`)
      console.log(table(['created_at', 'severity', 'event', 'ms', 'code'], r.history.map((h) => [h.created_at, h.severity, h.event, h.ferrum_duration_ms, h.ferrum_error?.code])))
    })

  example(node.command('timeline <node>').description('Each phase of the node\'s last provisioning with its duration, as a bar chart')
    .option('--flow <flow>', 'which provisioning: deploy, clean, inspect or last (default deploy, else the last one)', 'deploy'),
  'ferrum node timeline node-1', 'ferrum node timeline node-1 --flow clean')
    .action(async (ident: string, o: { flow: string }, cmd: Command) => {
      if (!['deploy', 'clean', 'inspect', 'last'].includes(o.flow)) throw new Error(`--flow takes deploy, clean, inspect or last (got "${o.flow}")`)
      const r = await client(cmd).call<{ history: HistoryEntry[] }>('GET', `${nodePath(ident)}/history?detail=true`)
      console.log(timelineChart(ident, r.history, o.flow as 'deploy' | 'clean' | 'inspect' | 'last', process.stdout.columns ?? 100))
    })

  example(node.command('boot-stages <node>').description('Which stages of its network boot a node was seen in (DHCP, TFTP, iPXE script, kernel, ramdisk, agent lookup, heartbeat) and where it stopped')
    .option('--json', 'print the API answer'),
  'ferrum node boot-stages node-1')
    .action(async (ident: string, o: { json?: boolean }, cmd: Command) => {
      const r = await client(cmd).call<{ provision_state: string; since: string; stopped_at: string | null; stages: Array<{ stage: string; seen: boolean; at: string | null; detail: string }> }>('GET', `${nodePath(ident)}/ferrum/boot-stages`)
      if (o.json) return void console.log(JSON.stringify(r, null, 2))
      console.log(`${ident} (${r.provision_state}), since ${r.since}:`)
      console.log(table(['stage', 'seen', 'at', 'detail'], r.stages.map((x) => [x.stage, x.seen ? 'yes' : 'no', x.at ?? '', x.detail])))
      console.log(r.stopped_at ? `Stopped before: ${r.stopped_at}.` : 'Every stage was seen: the agent is up.')
    })

  example(node.command('inventory <node>').description('The hardware inventory in-band inspection recorded').option('--json', 'print the whole inventory JSON'),
    'ferrum node inventory node-1', 'ferrum node inventory node-1 --json')
    .action(async (ident: string, o: { json?: boolean }, cmd: Command) => {
      const r = await client(cmd).call<{ inventory: Record<string, unknown> }>('GET', `${nodePath(ident)}/inventory`)
      if (o.json) return void console.log(JSON.stringify(r, null, 2))
      const inv = r.inventory
      const cpu = (inv.cpu ?? {}) as { count?: number; model_name?: string; architecture?: string }
      const mem = (inv.memory ?? {}) as { physical_mb?: number }
      const sys = (inv.system_vendor ?? {}) as { manufacturer?: string; product_name?: string; serial_number?: string }
      console.log(`system  ${sys.manufacturer ?? '?'} ${sys.product_name ?? ''} (serial ${sys.serial_number ?? '?'})`)
      console.log(`cpu     ${cpu.count ?? '?'} x ${cpu.model_name ?? '?'} (${cpu.architecture ?? '?'})`)
      console.log(`memory  ${mem.physical_mb ?? '?'} MiB`)
      const disks = (inv.disks ?? []) as { name: string; size: number; model?: string; rotational?: boolean }[]
      console.log(table(['disk', 'size', 'model', 'rotational'], disks.map((d) => [d.name, `${(d.size / 1024 ** 3).toFixed(1)} GiB`, d.model, d.rotational])))
      const nics = (inv.interfaces ?? []) as { name: string; mac_address: string; ipv4_address?: string | null }[]
      console.log(table(['nic', 'mac', 'ipv4'], nics.map((i) => [i.name, i.mac_address, i.ipv4_address])))
    })
}

/** Sets the image fields; a "remove" of a field that is not there is dropped, not an error. */
async function setImage(c: ApiClient, ident: string, ops: { op: string; path: string; value?: unknown }[]): Promise<void> {
  const n = await c.call<NodeRecord>('GET', nodePath(ident))
  const info = (n.instance_info ?? {}) as Record<string, unknown>
  const keep = ops.filter((op) => op.op !== 'remove' || op.path.split('/').pop()! in info)
  await c.call('PATCH', nodePath(ident), keep)
}

const devNull: NodeJS.WritableStream = { write: () => true } as unknown as NodeJS.WritableStream
