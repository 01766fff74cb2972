import type { Command } from 'commander'
import { clientFor, table, type ApiClient } from '../client.js'
import { example } from '../help.js'

type Port = Record<string, unknown> & { uuid: string; address: string; node_uuid: string; pxe_enabled: boolean }
type Row = Record<string, unknown>

const client = (cmd: Command): ApiClient => clientFor((cmd.optsWithGlobals() as { url?: string }).url)

/** `ferrum port …`, `ferrum driver list`, `ferrum conductor list`: the other resources operators touch. */
export function registerPort(program: Command): void {
  const port = program.command('port').description('Manage ports (the NICs Ferrum boots and looks nodes up by)')
  port.option('--url <url>', 'API URL (default $FERRUM_URL, $OS_ENDPOINT, ~/.config/ferrum/config.yaml, or http://127.0.0.1:6385)')

  example(port.command('list').description('List ports').option('--node <node>', 'only the ports of this node').option('--json', 'print JSON'),
    'ferrum port list --node node-1')
    .action(async (o: { node?: string; json?: boolean }, cmd: Command) => {
      const c = client(cmd)
      const path = o.node ? `/v1/nodes/${encodeURIComponent(o.node)}/ports?detail=True` : '/v1/ports?detail=True'
      const r = await c.call<{ ports: Port[] }>('GET', path)
      if (o.json) return void console.log(JSON.stringify(r.ports, null, 2))
      console.log(table(['uuid', 'address', 'node_uuid', 'pxe_enabled', 'physical_network'], r.ports.map((p) => [p.uuid, p.address, p.node_uuid, p.pxe_enabled, p.physical_network])))
    })

  example(port.command('create <mac>').description('Add a port to a node').requiredOption('--node <node>', 'the node (name or UUID)')
    .option('--no-pxe-enabled', 'the node does not network-boot from this port').option('--physical-network <name>', 'physical network of the port'),
  'ferrum port create 52:54:00:12:34:56 --node node-1')
    .action(async (mac: string, o: { node: string; pxeEnabled: boolean; physicalNetwork?: string }, cmd: Command) => {
      const c = client(cmd)
      const n = await c.call<{ uuid: string }>('GET', `/v1/nodes/${encodeURIComponent(o.node)}`)
      const body: Row = { address: mac, node_uuid: n.uuid, pxe_enabled: o.pxeEnabled }
      if (o.physicalNetwork) body.physical_network = o.physicalNetwork
      const p = await c.call<Port>('POST', '/v1/ports', body)
      console.log(`created port ${p.address} (${p.uuid}) on node ${o.node}`)
    })

  example(port.command('show <port>').description('Show a port (UUID or MAC)').option('--json', 'print JSON'), 'ferrum port show 52:54:00:12:34:56')
    .action(async (ident: string, o: { json?: boolean }, cmd: Command) => {
      const p = await findPort(client(cmd), ident)
      if (o.json) console.log(JSON.stringify(p, null, 2))
      else console.log(table(['field', 'value'], Object.entries(p).filter(([k]) => k !== 'links').map(([k, v]) => [k, v])))
    })

  example(port.command('delete <port>').description('Delete a port (UUID or MAC)'), 'ferrum port delete 52:54:00:12:34:56')
    .action(async (ident: string, _o: unknown, cmd: Command) => {
      const c = client(cmd)
      const p = await findPort(c, ident)
      await c.call('DELETE', `/v1/ports/${p.uuid}`)
      console.log(`deleted port ${p.address} (${p.uuid})`)
    })

  const driver = program.command('driver').description('Hardware types the conductors offer')
  driver.option('--url <url>', 'API URL')
  example(driver.command('list').description('List hardware types and the conductors that have them').option('--json', 'print JSON'), 'ferrum driver list')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const r = await client(cmd).call<{ drivers: Row[] }>('GET', '/v1/drivers?detail=True')
      if (o.json) return void console.log(JSON.stringify(r.drivers, null, 2))
      console.log(table(['name', 'hosts', 'default boot', 'default deploy', 'default power'], r.drivers.map((d) => [d.name, (d.hosts as string[]).join(','), d.default_boot_interface, d.default_deploy_interface, d.default_power_interface])))
    })

  const conductor = program.command('conductor').description('The conductors serving the API')
  conductor.option('--url <url>', 'API URL')
  example(conductor.command('list').description('List conductors: host, group, alive, hardware types').option('--json', 'print JSON'), 'ferrum conductor list')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const r = await client(cmd).call<{ conductors: Row[] }>('GET', '/v1/conductors?detail=True')
      if (o.json) return void console.log(JSON.stringify(r.conductors, null, 2))
      console.log(table(['hostname', 'conductor_group', 'alive', 'drivers', 'updated_at'], r.conductors.map((x) => [x.hostname, x.conductor_group, x.alive, (x.drivers as string[] | undefined)?.join(','), x.updated_at ?? x.created_at])))
    })
}

async function findPort(c: ApiClient, ident: string): Promise<Port> {
  if (/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(ident)) {
    const r = await c.call<{ ports: Port[] }>('GET', `/v1/ports?detail=True&address=${encodeURIComponent(ident)}`)
    if (r.ports.length === 0) throw new Error(`no port with MAC ${ident} (see: ferrum port list)`)
    return r.ports[0]
  }
  return c.call<Port>('GET', `/v1/ports/${encodeURIComponent(ident)}`)
}
