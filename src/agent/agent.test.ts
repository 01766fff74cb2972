// The agent against real parts: files standing in for disks, a lab system tree for inventory, and
// the real API and conductor (over HTTP) for lookup, heartbeats and the token on the command API.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createServer } from 'node:http'
import { FerrumAgent } from './agent.js'
import { generateCertificate } from './tls.js'
import { endpointOf, executeCommand, listCommands } from '../drivers/agent/agent-client.js'
import { loadAgentConfig, parseCmdline } from './config.js'
import { ImageWriteError, writeImage } from './image-writer.js'
import { collectInventory, pickRootDisk } from './inventory.js'
import { writeLabSysroot } from '../lab/lab-sysroot.js'
import type { LabHardware } from '../lab/machine.js'
import { buildTestApp, v, type TestApp } from '../../test/helpers/app.js'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferrum-agent-'))
})
after(async () => rm(dir, { recursive: true, force: true }))

async function sparseFile(path: string, size: number): Promise<void> {
  const fh = await open(path, 'w')
  await fh.truncate(size)
  await fh.close()
}

function hardware(disks: { name: string; path: string; sizeBytes: number }[]): LabHardware {
  return {
    cpus: 6, cpuArch: 'x86_64', cpuModel: 'Lab CPU', memoryMiB: 3072, disks,
    nics: [{ name: 'eth0', mac: '52:54:00:12:34:01' }, { name: 'eth1', mac: '52:54:00:12:34:02' }],
    serialNumber: 'SN-LAB-1', manufacturer: 'Ferrum', model: 'Lab Node', uuid: '2f0f2c56-9d8e-4a47-9b55-7f6f1f1d2e01',
  }
}

test('writeImage: bytes land exactly, zero runs stay sparse, the hash is checked and a mismatch is an error', async () => {
  const image = join(dir, 'img.raw')
  const content = Buffer.alloc(8 * 1024 * 1024)
  content.write('HEAD', 0)
  content.write('TAIL', content.length - 4)
  await writeFile(image, content)
  const disk = join(dir, 'disk-a')
  await sparseFile(disk, 64 * 1024 * 1024)
  // Old content on the disk must not survive where the image has zeros.
  const fh = await open(disk, 'r+')
  await fh.write(Buffer.from('STALE'), 0, 5, 4 * 1024 * 1024)
  await fh.close()
  const sha = createHash('sha256').update(content).digest('hex')
  const r = await writeImage({ url: pathToFileURL(image).href, hashAlgo: 'sha256', hashValue: sha }, disk, { signal: new AbortController().signal, deviceSize: 64 * 1024 * 1024 })
  assert.equal(r.bytes, content.length)
  assert.equal(r.hash, sha)
  const back = await readFile(disk)
  assert.equal(back.length, 64 * 1024 * 1024, 'the disk keeps its size')
  assert.ok(back.subarray(0, content.length).equals(content), 'image bytes differ on disk')
  assert.equal(back.indexOf('STALE'), -1)
  assert.ok((await stat(disk)).blocks * 512 < 1024 * 1024, 'zeros were written instead of skipped')

  await assert.rejects(
    writeImage({ url: pathToFileURL(image).href, hashAlgo: 'sha256', hashValue: '0'.repeat(64) }, disk, { signal: new AbortController().signal }),
    (e: Error) => e instanceof ImageWriteError && /sha256/.test(e.message) && e.message.includes(sha),
  )
  await assert.rejects(
    writeImage({ url: pathToFileURL(image).href, hashAlgo: null, hashValue: null }, disk, { signal: new AbortController().signal, deviceSize: 1024 }),
    (e: Error) => e instanceof ImageWriteError && /does not fit/.test(e.message),
  )
  await assert.rejects(
    writeImage({ url: pathToFileURL(join(dir, 'missing.raw')).href, hashAlgo: null, hashValue: null }, disk, { signal: new AbortController().signal }),
    (e: Error) => e instanceof ImageWriteError && /cannot read image/.test(e.message),
  )
})

test('inventory from a lab system tree, in IPA format; root device hints pick the disk', async () => {
  const root = join(dir, 'sysroot')
  const a = join(dir, 'inv-a')
  const b = join(dir, 'inv-b')
  await sparseFile(a, 8 * 1024 ** 3)
  await sparseFile(b, 20 * 1024 ** 3)
  await writeLabSysroot(root, hardware([{ name: 'disk0', path: a, sizeBytes: 8 * 1024 ** 3 }, { name: 'disk1', path: b, sizeBytes: 20 * 1024 ** 3 }]), { name: 'inv-node', bootMode: 'uefi' })
  const inv = await collectInventory(root)
  assert.equal(inv.cpu.count, 6)
  assert.equal(inv.cpu.model_name, 'Lab CPU')
  assert.equal(inv.memory.physical_mb, 3072)
  assert.deepEqual(inv.disks.map((d) => [d.name, d.size]), [['/dev/vda', 8 * 1024 ** 3], ['/dev/vdb', 20 * 1024 ** 3]])
  assert.deepEqual(inv.interfaces.map((i) => i.mac_address).sort(), ['52:54:00:12:34:01', '52:54:00:12:34:02'])
  assert.equal(inv.system_vendor.serial_number, 'SN-LAB-1')
  assert.equal(inv.boot.current_boot_mode, 'uefi')
  // No hints: the smallest disk of at least 4 GiB, as IPA picks; hints narrow it.
  assert.equal(pickRootDisk(inv.disks, null).name, '/dev/vda')
  assert.equal(pickRootDisk(inv.disks, { size: '>= 10' }).name, '/dev/vdb')
  assert.equal(pickRootDisk(inv.disks, { name: '/dev/vdb' }).name, '/dev/vdb')
  assert.throws(() => pickRootDisk(inv.disks, { serial: 'nope' }), /no disk matches the root device hints .*disks seen: \/dev\/vda/)
})

test('config: kernel command line and environment', () => {
  assert.deepEqual(parseCmdline('quiet ipa-api-url=http://10.0.0.1:6385 BOOTIF=01-aa'), { quiet: '', 'ipa-api-url': 'http://10.0.0.1:6385', BOOTIF: '01-aa' })
  const c = loadAgentConfig({ FERRUM_API_URL: 'http://127.0.0.1:6385/', FERRUM_LAB_NODE: 'n1', FERRUM_LAB_MACS: 'aa:bb:cc:dd:ee:ff', FERRUM_AGENT_ROOT: dir })
  assert.equal(c.apiUrl, 'http://127.0.0.1:6385')
  assert.equal(c.listenHost, '127.0.0.1')
  assert.deepEqual(c.macs, ['aa:bb:cc:dd:ee:ff'])
  assert.throws(() => loadAgentConfig({ FERRUM_AGENT_ROOT: dir }), /no API URL/)
})

let t: TestApp
let api: string
before(async () => {
  t = await buildTestApp()
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  api = `http://127.0.0.1:${(t.app.server!.address() as AddressInfo).port}`
})
after(async () => t?.close())

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${api}${path}`, { method, headers: v('latest'), body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

test('the agent looks its node up, heartbeats with its token, and its command API refuses other tokens', async () => {
  const mac = '52:54:00:77:00:01'
  const node = (await call('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'agent-1', driver_info: { fake_step_wait: 'deploy.deploy' } })).json
  assert.equal((await call('POST', '/v1/ports', { node_uuid: node.uuid, address: mac })).status, 201)
  for (const [target, state] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'wait call-back']]) {
    await call('PUT', `/v1/nodes/${String(node.uuid)}/states/provision`, { target })
    for (let i = 0; i < 200 && ((await call('GET', `/v1/nodes/${String(node.uuid)}`)).json.provision_state !== state); i++) await new Promise((r) => setTimeout(r, 20))
  }
  const root = join(dir, 'agent-root')
  const disk = join(dir, 'agent-disk')
  await sparseFile(disk, 4 * 1024 ** 3)
  await writeLabSysroot(root, hardware([{ name: 'disk0', path: disk, sizeBytes: 4 * 1024 ** 3 }]), { name: 'agent-1', bootMode: 'bios' })
  const lines: string[] = []
  // Plain HTTP here (so plain fetch can poke the command API); TLS has its own test below.
  const agent = new FerrumAgent(loadAgentConfig({ FERRUM_LAB_NODE: 'agent-1' }, { apiUrl: api, root, macs: [mac], listenPort: 0, autoTls: false }), { log: (l) => lines.push(l) })
  const running = agent.run()
  try {
    let dii: Record<string, unknown> = {}
    for (let i = 0; i < 200; i++) {
      dii = (await t.store.nodes.getByUuid(String(node.uuid)))!.driver_internal_info
      if (typeof dii.agent_url === 'string') break
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(agent.nodeUuid, node.uuid)
    assert.equal(dii.agent_url, agent.callbackUrl)
    const token = String(dii.agent_secret_token)
    const inv = async (tok: string | null) => fetch(`${agent.callbackUrl}/v1/commands/?wait=true${tok === null ? '' : `&agent_token=${encodeURIComponent(tok)}`}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'system.get_inventory', params: {} }),
    })
    assert.equal((await inv(null)).status, 401)
    const forged = await inv('x'.repeat(token.length))
    assert.equal(forged.status, 401)
    assert.equal(((await forged.json()) as { type: string }).type, 'InvalidAgentToken')
    const ok = await inv(token)
    assert.equal(ok.status, 200)
    const result = (await ok.json()) as { command_name: string; command_status: string; command_result: { inventory: { cpu: { count: number } } } }
    assert.equal(result.command_status, 'SUCCEEDED')
    assert.equal(result.command_name, 'get_inventory')
    assert.equal(result.command_result.inventory.cpu.count, 6)
    // The steps queries a conductor (Ferrum's or Ironic's) makes, in IPA's result shape.
    for (const [name, key] of [['deploy.get_deploy_steps', 'deploy_steps'], ['clean.get_clean_steps', 'clean_steps']] as const) {
      const r = await fetch(`${agent.callbackUrl}/v1/commands/?wait=true&agent_token=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, params: {} }) })
      const c = (await r.json()) as { command_status: string; command_result: Record<string, Record<string, unknown[]>> }
      assert.equal(c.command_status, 'SUCCEEDED', name)
      assert.ok(Array.isArray(Object.values(c.command_result[key]!)[0]), `${name}: ${JSON.stringify(c.command_result)}`)
    }
    const status = await fetch(`${agent.callbackUrl}/v1/status`)
    assert.equal(((await status.json()) as { version: string }).version, '10.0.0-ferrum')
    assert.ok(lines.some((l) => /command refused: invalid agent token/.test(l)))
    assert.ok(!lines.some((l) => l.includes(token)), 'the agent logged its token')
  } finally {
    await agent.stop()
    await running.catch(() => undefined)
  }
})

test('automatic TLS: the agent serves HTTPS with a certificate it made, the conductor pins it, another one is refused', async () => {
  const mac = '52:54:00:77:00:02'
  const node = (await call('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'agent-tls', driver_info: { fake_step_wait: 'deploy.deploy' } })).json
  const uuid = String(node.uuid)
  assert.equal((await call('POST', '/v1/ports', { node_uuid: uuid, address: mac })).status, 201)
  for (const [target, state] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'wait call-back']]) {
    await call('PUT', `/v1/nodes/${uuid}/states/provision`, { target })
    for (let i = 0; i < 200 && ((await call('GET', `/v1/nodes/${uuid}`)).json.provision_state !== state); i++) await new Promise((r) => setTimeout(r, 20))
  }
  const root = join(dir, 'agent-tls-root')
  await writeLabSysroot(root, hardware([{ name: 'disk0', path: join(dir, 'agent-disk'), sizeBytes: 4 * 1024 ** 3 }]), { name: 'agent-tls', bootMode: 'uefi' })
  const lines: string[] = []
  const agent = new FerrumAgent(loadAgentConfig({ FERRUM_LAB_NODE: 'agent-tls' }, { apiUrl: api, root, macs: [mac], listenPort: 0 }), { log: (l) => lines.push(l) })
  const running = agent.run()
  try {
    let dii: Record<string, unknown> = {}
    for (let i = 0; i < 300 && typeof dii.agent_url !== 'string'; i++) {
      await new Promise((r) => setTimeout(r, 20))
      dii = (await t.store.nodes.getByUuid(uuid))!.driver_internal_info
    }
    assert.match(agent.callbackUrl, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(dii.agent_url, agent.callbackUrl)
    assert.match(String(dii.agent_verify_ca), /^-----BEGIN CERTIFICATE-----/)
    assert.equal(dii.agent_verify_ca, agent.certificate)
    // The conductor's client reaches it through the pinned certificate…
    const ep = endpointOf(dii)!
    assert.equal(ep.verifyCa, agent.certificate)
    const c = await executeCommand(ep, 'system.get_inventory', {}, { wait: true, signal: new AbortController().signal })
    assert.equal(c.command_status, 'SUCCEEDED')
    // …and refuses it when another certificate is pinned, or none (system CAs do not know it).
    const other = await generateCertificate('127.0.0.1')
    await assert.rejects(executeCommand({ ...ep, verifyCa: other.cert }, 'system.get_inventory', {}, { wait: true, signal: new AbortController().signal }), /could not be reached/)
    await assert.rejects(listCommands({ ...ep, verifyCa: null }, new AbortController().signal), /could not be reached/)
    // A heartbeat bringing another certificate within the same ramdisk boot is refused, as Ironic does.
    const hb = await fetch(`${api}/v1/heartbeat/${uuid}`, { method: 'POST', headers: v('1.68'), body: JSON.stringify({ callback_url: agent.callbackUrl, agent_token: dii.agent_secret_token, agent_verify_ca: other.cert }) })
    assert.equal(hb.status, 400)
    const fault = JSON.parse(((await hb.json()) as { error_message: string }).error_message) as { faultstring: string }
    assert.equal(fault.faultstring, 'Detected change in ramdisk provided "agent_verify_ca"')
    assert.equal((await t.store.nodes.getByUuid(uuid))!.driver_internal_info.agent_verify_ca, agent.certificate, 'the pinned certificate changed')
    assert.ok(lines.some((l) => /command API listening on 127\.0\.0\.1:\d+ \(TLS/.test(l)), lines.join('\n'))
  } finally {
    await agent.stop()
    await running.catch(() => undefined)
  }
})

test('automatic TLS is skipped, said on the console, for an API older than 1.68 and when turned off', async () => {
  const old = createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'application/json' })
    res.end(req.url === '/' ? JSON.stringify({ default_version: { id: 'v1', version: '1.65' } }) : '{}')
  })
  await new Promise<void>((r) => old.listen(0, '127.0.0.1', r))
  const lines: string[] = []
  const agent = new FerrumAgent(loadAgentConfig({ FERRUM_LAB_NODE: 'old' }, { apiUrl: `http://127.0.0.1:${(old.address() as AddressInfo).port}`, root: dir, macs: ['52:54:00:77:00:03'], listenPort: 0, lookupTimeoutS: 0.2 }), { log: (l) => lines.push(l) })
  try {
    await agent.run().catch(() => undefined)
    assert.match(agent.callbackUrl, /^http:\/\//)
    assert.ok(lines.some((l) => l === "command API on plain HTTP: the API's maximum version 1.65 is below 1.68 (agent_verify_ca)"), lines.join('\n'))
  } finally {
    await agent.stop()
    await new Promise((r) => old.close(r))
  }
  assert.equal(loadAgentConfig({ FERRUM_API_URL: api, FERRUM_AGENT_ROOT: dir, FERRUM_AGENT_AUTO_TLS: '0' }).autoTls, false)
  assert.equal(loadAgentConfig({ FERRUM_API_URL: api, FERRUM_AGENT_ROOT: dir }).autoTls, true)
})
