import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { startFakeIronic } from '../../test/helpers/lab.js'
import { startLabForServer } from './lab-for-server.js'
import { readLabState } from './lab-state.js'
import { buildTestApp } from '../../test/helpers/app.js'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferrum-lab-server-'))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

it('startLabForServer enrolls every node, retrying refused hardware types with fake-hardware and saying so', async () => {
  const api = await startFakeIronic({ refuseDrivers: ['ipmi', 'idrac'] })
  const warnings: string[] = []
  const log = { info: () => undefined, warn: (_obj: unknown, msg?: string) => void warnings.push(String(msg)) }
  const dir = join(root, 'lab')
  const write = process.stdout.write
  let printed = ''
  process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write
  let running
  try {
    running = await startLabForServer({ nodes: 3, kind: 'mixed', apiUrl: api.url, dir, log: log as never, makeAvailable: false })
  } finally {
    process.stdout.write = write
    await api.close()
  }
  try {
    const created = api.requests.filter((r) => r.url === '/v1/nodes').map((r) => [r.body.name, r.body.driver])
    assert.deepEqual(created, [
      ['lab-node-1', 'ipmi'], ['lab-node-2', 'redfish'], ['lab-node-3', 'idrac'],
      ['lab-node-1', 'fake-hardware'], ['lab-node-3', 'fake-hardware'],
    ])
    assert.deepEqual(warnings, [
      'lab node lab-node-1: API refused driver ipmi; enrolling it with fake-hardware instead',
      'lab node lab-node-3: API refused driver idrac; enrolling it with fake-hardware instead',
    ])
    assert.match(printed, /lab-node-1: enrolled as \S+ \(driver fake-hardware\), 2\/2 ports/)
    assert.match(printed, /lab-node-2: enrolled as \S+ \(driver redfish\), 2\/2 ports/)
    assert.equal((await readLabState(dir))?.pid, process.pid)
  } finally {
    await running.close()
  }
  assert.equal((await readLabState(dir))?.pid, null)
  await assert.rejects(startLabForServer({ nodes: 1, kind: 'ilo', apiUrl: 'http://127.0.0.1:1', dir, log: log as never }), /--lab-kind must be one of redfish, ipmi, idrac, mixed/)
})

it('ferrum up --lab: against a real Ferrum, every lab node is verified through its BMC and made available', async () => {
  const t = await buildTestApp()
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 })
  const log = { info: () => undefined, warn: (_obj: unknown, msg?: string) => assert.fail(`unexpected warning: ${msg}`) }
  const write = process.stdout.write
  let printed = ''
  process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write
  let running
  try {
    running = await startLabForServer({ nodes: 3, kind: 'mixed', apiUrl: url, dir: join(root, 'lab-real'), log: log as never })
  } finally {
    process.stdout.write = write
  }
  try {
    for (const name of ['lab-node-1', 'lab-node-2', 'lab-node-3']) assert.match(printed, new RegExp(`${name}: available \\(BMC verified, cleaned\\)`))
    const nodes = await t.store.nodes.list()
    // Enrolled for the deploy agent: pxe boot, direct deploy; cleaning (provide) ran in the agent.
    assert.deepEqual(nodes.map((n) => [n.name, n.driver, n.provision_state, n.power_interface, n.boot_interface, n.deploy_interface]), [
      ['lab-node-1', 'ipmi', 'available', 'ipmitool', 'pxe', 'direct'],
      ['lab-node-2', 'redfish', 'available', 'redfish', 'pxe', 'direct'],
      ['lab-node-3', 'idrac', 'available', 'idrac-redfish', 'pxe', 'direct'],
    ])
    const history = await t.store.history.list(nodes[0]!.id)
    assert.ok(history.some((h) => h.event === 'clean step deploy.erase_devices: agent running clean.execute_clean_step'), JSON.stringify(history.map((h) => h.event)))
    // Verification read the power state from each emulated BMC.
    assert.deepEqual(nodes.map((n) => n.power_state), ['power off', 'power off', 'power off'])
  } finally {
    await running.close()
    await t.close()
  }
})
