// The mission's core, end to end: `ferrum up --lab 2` starts the server and two emulated nodes
// (one behind a Redfish BMC, one behind IPMI); Debian's `openstack baremetal` deploys them; each
// node network-boots Ferrum's agent (a real process), which looks the node up, heartbeats with
// its token, and streams the image from Ferrum's boot server onto the node's disk file; the node
// then boots from its disk. Checked on the disk's bytes, the lab console and the API.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetal, baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { fileHead } from '../helpers/disk.js'

const run = promisify(execFile)
let server: FerrumProcess
let dir: string

interface NodeShow {
  name: string
  uuid: string
  provision_state: string
  target_provision_state: string | null
  reservation: string | null
  power_state: string | null
  last_error: string | null
  boot_interface: string
  deploy_interface: string
  driver: string
  instance_info: Record<string, unknown>
  driver_internal_info: Record<string, unknown>
}

const show = (n: string) => baremetalJson<NodeShow>(server.url, ['node', 'show', n])

async function waitFor(n: string, what: string, pred: (x: NodeShow) => boolean): Promise<NodeShow> {
  let last = await show(n)
  for (let i = 0; i < 400 && !pred(last); i++) {
    await new Promise((r) => setTimeout(r, 250))
    last = await show(n)
  }
  if (!pred(last)) assert.fail(`${n}: ${what} not reached; last ${JSON.stringify(last)}`)
  return last
}

const settledIn = (state: string) => (x: NodeShow) => x.provision_state === state && x.reservation === null

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferrum-agent-deploy-'))
  server = await startFerrum({ dataDir: dir, args: ['--lab', '2', '--lab-kind', 'mixed'], startTimeoutMs: 60_000 })
})
after(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('openstack baremetal node deploy: the agent writes the image byte for byte and the node boots it', { timeout: 300_000 }, async () => {
  const names = ['lab-node-1', 'lab-node-2']
  const ready = await Promise.all(names.map((n) => waitFor(n, 'available', settledIn('available'))))
  const image = await readFile(join(dir, 'httpboot', 'images', 'lab-os.img'))
  const sha = createHash('sha256').update(image).digest('hex')
  for (const n of ready) {
    // Enrolled for the agent, cleaned by it (provide), and preset with the lab image.
    assert.equal(n.boot_interface, 'pxe')
    assert.equal(n.deploy_interface, 'direct')
    assert.equal(n.instance_info.image_os_hash_value, sha)
  }
  const drivers = new Set((await Promise.all(names.map(show))).map((n) => n.driver))
  assert.deepEqual([...drivers].sort(), ['ipmi', 'redfish'])

  await Promise.all(names.map((n) => baremetalOk(server.url, ['node', 'deploy', n])))
  for (const n of names) {
    const active = await waitFor(n, 'active', (x) => x.reservation === null && (x.provision_state === 'active' || /fail/.test(x.provision_state)))
    assert.equal(active.provision_state, 'active', active.last_error ?? '')
    assert.equal(active.power_state, 'power on')
    // The ramdisk is gone and with it everything Ferrum knew of the agent.
    assert.equal(active.driver_internal_info.agent_url, undefined)
    assert.equal(active.driver_internal_info.agent_secret_token, undefined)
    const disk = await fileHead(join(dir, 'lab', 'nodes', n, 'disk0.raw'), image.length)
    assert.equal(disk.length, image.length)
    assert.equal(createHash('sha256').update(disk.subarray(0, image.length)).digest('hex'), sha, `${n}: the disk does not hold the image`)
    const console = await readFile(join(dir, 'lab', 'nodes', n, 'console.log'), 'utf8')
    // The node's firmware fetched the iPXE script Ferrum wrote for its MAC; the agent took the
    // API URL from the kernel command line in it.
    assert.match(console, /PXE: http:\/\/\S+\/boot\/pxelinux\.cfg\/01-52-54-00(-[0-9a-f]{2}){3}: kernel http:\/\/\S+\/boot\/deploy\/kernel/)
    assert.match(console, /ferrum-agent: found node/)
    // Automatic TLS: the conductor drove the agent over HTTPS, pinned to the agent's certificate.
    assert.match(console, /command API listening on 127\.0\.0\.1:\d+ \(TLS, certificate sent to the conductor for pinning\)/)
    // The image came through the conductor's cache with its data map: only data was fetched.
    assert.match(console, /wrote 67108864 bytes \(\d+ written, the rest holes the image map named, not fetched\) to \/dev\/vda, data sha256 [0-9a-f]{64} as the image map says/)
    assert.match(console, /power on: booted from disk: ferrum-lab-linux/)
  }

  // The boot configurations went with the ramdisk.
  assert.deepEqual(existsSync(join(dir, 'httpboot', 'pxelinux.cfg')) ? readdirSync(join(dir, 'httpboot', 'pxelinux.cfg')) : [], [])

  const history = await baremetal(server.url, ['node', 'history', 'list', 'lab-node-1', '-f', 'value', '-c', 'Description of the event'])
  for (const step of ['deploying -> wait call-back', 'deploy step deploy.write_image: agent running standby.prepare_image', 'deploying -> active']) {
    assert.ok(history.stdout.includes(step), `history lacks "${step}":\n${history.stdout}`)
  }

  // Undeploy cleans through the agent again (the disk metadata goes), then the node is reusable.
  await baremetalOk(server.url, ['node', 'undeploy', 'lab-node-1'])
  await waitFor('lab-node-1', 'available after undeploy', settledIn('available'))
  const wiped = await fileHead(join(dir, 'lab', 'nodes', 'lab-node-1', 'disk0.raw'), 1024 * 1024)
  assert.equal(wiped.every((b) => b === 0), true, 'cleaning left the old partition table')
  // Nothing printed or logged the agent token (log lines carry no agent_secret_token value).
  assert.doesNotMatch(server.output().stdout + server.output().stderr, /agent_secret_token"\s*:\s*"(?!\*)/)
})

test('openstack baremetal node inspect: the agent reports the lab hardware in IPA inventory format', { timeout: 300_000 }, async () => {
  const name = 'lab-node-1'
  await waitFor(name, 'available', settledIn('available'))
  await baremetalOk(server.url, ['node', 'manage', name])
  await waitFor(name, 'manageable', settledIn('manageable'))
  // Forget what enrollment set, so that inspection is seen filling it in.
  await baremetalOk(server.url, ['node', 'unset', name, '--property', 'cpus', '--property', 'memory_mb', '--property', 'local_gb'])
  const before = await show(name)
  assert.equal((before as unknown as { inspect_interface: string }).inspect_interface, 'agent', 'ipmi nodes inspect in-band by default')
  await baremetalOk(server.url, ['node', 'inspect', name])
  const after = await waitFor(name, 'manageable after inspection', (x) => x.reservation === null && (x.provision_state === 'manageable' || /fail/.test(x.provision_state)))
  assert.equal(after.provision_state, 'manageable', after.last_error ?? '')
  const props = (after as unknown as { properties: Record<string, unknown> }).properties
  assert.equal(props.cpus, 4)
  assert.equal(props.memory_mb, 4096)
  assert.equal(props.cpu_arch, 'x86_64')
  assert.equal(typeof props.local_gb, 'number')
  assert.match(String(props.capabilities), /boot_mode:(uefi|bios)/)
  // The ramdisk was ended; the inventory is there for any client.
  assert.equal(after.power_state, 'power off')
  // (Debian's ironicclient 5.0 and openstacksdk 0.101 predate `node inventory save`: plain HTTP.)
  const res = await fetch(`${server.url}/v1/nodes/${name}/inventory`, { headers: { 'X-OpenStack-Ironic-API-Version': '1.81' } })
  assert.equal(res.status, 200)
  const inv = (await res.json()) as { inventory: { cpu: { count: number }; interfaces: { mac_address: string }[]; disks: { name: string }[] } }
  assert.equal(inv.inventory.cpu.count, 4)
  assert.deepEqual(inv.inventory.interfaces.map((i) => i.mac_address).sort(), ['52:54:00:a0:00:01', '52:54:00:a1:00:01'])
  assert.deepEqual(inv.inventory.disks.map((d) => d.name), ['/dev/vda'])
  const console = await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')
  assert.match(console, /ferrum-agent: posting the inventory to http:\/\/\S+\/v1\/continue_inspection/)
})

test('a qcow2 image is converted to raw once in the conductor cache; a rebuild reuses it; a broken qcow2 fails clearly', { timeout: 300_000 }, async () => {
  const name = 'lab-node-2'
  const raw = join(dir, 'httpboot', 'images', 'lab-os.img')
  const qcow2 = join(dir, 'lab-os.qcow2')
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2])
  const rawSha = createHash('sha256').update(await readFile(raw)).digest('hex')
  const qcowSha = createHash('sha256').update(await readFile(qcow2)).digest('hex')
  const broken = join(dir, 'broken.qcow2')
  await writeFile(broken, Buffer.concat([Buffer.from('QFI\xfb\x00\x00\x00\x03', 'latin1'), Buffer.alloc(4096, 0xee)]))

  // lab-node-2 is active from the first test: undeploy (cleaned by the agent), then deploy the qcow2.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  await waitFor(name, 'available', settledIn('available'))
  const settle = (x: NodeShow) => x.reservation === null && (x.provision_state === 'active' || /fail/.test(x.provision_state))
  await baremetalOk(server.url, ['node', 'set', name, '--instance-info', `image_source=file://${qcow2}`, '--instance-info', 'image_disk_format=qcow2',
    '--instance-info', 'image_os_hash_algo=sha256', '--instance-info', `image_os_hash_value=${qcowSha}`])
  await baremetalOk(server.url, ['node', 'deploy', name])
  let n: NodeShow
  n = await waitFor(name, 'active', settle)
  assert.equal(n.provision_state, 'active', n.last_error ?? '')
  assert.deepEqual(n.driver_internal_info.ferrum_image_cache && { hit: (n.driver_internal_info.ferrum_image_cache as { hit: boolean }).hit }, { hit: false })
  const disk = join(dir, 'lab', 'nodes', name, 'disk0.raw')
  assert.equal(createHash('sha256').update(await fileHead(disk, (await readFile(raw)).length)).digest('hex'), rawSha, 'the disk does not hold the converted image')

  await baremetalOk(server.url, ['node', 'rebuild', name])
  n = await waitFor(name, 'active after rebuild', (x) => settle(x) && (x.driver_internal_info.ferrum_image_cache as { hit?: boolean } | undefined)?.hit === true)
  assert.equal(n.provision_state, 'active', n.last_error ?? '')

  await baremetalOk(server.url, ['node', 'undeploy', name])
  await waitFor(name, 'available', settledIn('available'))
  await baremetalOk(server.url, ['node', 'set', name, '--instance-info', `image_source=file://${broken}`, '--instance-info', 'image_disk_format=qcow2'])
  await baremetalOk(server.url, ['node', 'deploy', name])
  n = await waitFor(name, 'deploy failed', settle)
  assert.equal(n.provision_state, 'deploy failed')
  assert.match(n.last_error ?? '', /qemu-img (info|convert) failed: .*broken\.qcow2/)
})

test('openstack baremetal node deploy --config-drive: a config-2 partition at the end of the disk, read back with isoinfo; a bad one fails before power on', { timeout: 300_000 }, async () => {
  const name = 'lab-node-1'
  // lab-node-1 is manageable after the inspection test.
  await baremetalOk(server.url, ['node', 'provide', name])
  await waitFor(name, 'available', settledIn('available'))
  // Undeploy (first test) cleared instance_info, as on Ironic: the image is set again.
  const image = join(dir, 'httpboot', 'images', 'lab-os.img')
  const sha = createHash('sha256').update(await readFile(image)).digest('hex')
  const setImage = ['node', 'set', name, '--instance-info', `image_source=file://${image}`, '--instance-info', 'image_os_hash_algo=sha256', '--instance-info', `image_os_hash_value=${sha}`]
  await baremetalOk(server.url, setImage)
  const drive = JSON.stringify({ meta_data: { hostname: 'web-1.lab', public_keys: { lab: 'ssh-ed25519 AAAAC3Nz lab@ferrum' } }, user_data: '#cloud-config\nruncmd: [touch /ok]\n' })
  await baremetalOk(server.url, ['node', 'deploy', name, '--config-drive', drive])
  const settle = (x: NodeShow) => x.reservation === null && (x.provision_state === 'active' || /fail/.test(x.provision_state))
  let n = await waitFor(name, 'active', settle)
  assert.equal(n.provision_state, 'active', n.last_error ?? '')
  assert.equal(n.instance_info.configdrive, '******')
  const disk = join(dir, 'lab', 'nodes', name, 'disk0.raw')
  const table = JSON.parse((await run('sfdisk', ['--json', disk])).stdout) as { partitiontable: { label: string; partitions: { start: number; size: number; name?: string }[] } }
  assert.equal(table.partitiontable.label, 'gpt')
  const cd = table.partitiontable.partitions.find((p) => p.name === 'config-2')
  assert.ok(cd, JSON.stringify(table))
  assert.equal(cd.size, 64 * 2048)
  const iso = join(dir, 'configdrive.iso')
  await run('dd', [`if=${disk}`, `of=${iso}`, 'bs=1M', `skip=${cd.start * 512}`, 'count=64', 'iflag=skip_bytes', 'status=none'])
  assert.match((await run('isoinfo', ['-d', '-i', iso])).stdout, /Volume id: config-2/)
  const meta = JSON.parse((await run('isoinfo', ['-R', '-i', iso, '-x', '/openstack/latest/meta_data.json'])).stdout) as Record<string, unknown>
  assert.equal(meta.hostname, 'web-1.lab')
  assert.equal(meta.uuid, (await show(name)).uuid)
  assert.equal((await run('isoinfo', ['-R', '-i', iso, '-x', '/openstack/latest/user_data'])).stdout, '#cloud-config\nruncmd: [touch /ok]\n')
  // The image's own partition is intact: the node booted it.
  const console = await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')
  assert.match(console.slice(console.lastIndexOf('ferrum-agent: found node')), /wrote the config drive \(\d+ bytes\) to \/dev\/vda partition 2 \(created, label config-2\)[\s\S]*power on: booted from disk: ferrum-lab-linux/)
  const history = await baremetal(server.url, ['node', 'history', 'list', name, '-f', 'value', '-c', 'Description of the event'])
  assert.match(history.stdout, /Phase config drive: [0-9.]+ s/)

  // Not a config drive at all: the deploy fails at once, naming why, with the node never powered on for it.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  await waitFor(name, 'available', settledIn('available'))
  await baremetalOk(server.url, setImage)
  const boots = async () => ((await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')).match(/ferrum-agent: found node/g) ?? []).length
  const bootsBefore = await boots()
  const junk = join(dir, 'not-a-drive.txt')
  await writeFile(junk, 'definitely not a config drive\n')
  await baremetalOk(server.url, ['node', 'deploy', name, '--config-drive', junk])
  n = await waitFor(name, 'deploy failed', settle)
  assert.equal(n.provision_state, 'deploy failed')
  assert.match(n.last_error ?? '', /the config drive is not a gzipped, base64-encoded ISO 9660 image \((it is not base64|no ISO 9660 volume descriptor)\)/)
  assert.equal(n.power_state, 'power off')
  assert.equal(await boots(), bootsBefore, 'the ramdisk was not booted for a deploy that could not succeed')
})

test('openstack baremetal node rescue: the agent installs the hashed rescue password and stops calling home; unrescue boots the instance again', { timeout: 300_000 }, async () => {
  const name = 'lab-node-1'
  // lab-node-1 ended in "deploy failed" (the bad config drive): undeploy cleans it, then deploy it for real.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  await waitFor(name, 'available', settledIn('available'))
  const image = join(dir, 'httpboot', 'images', 'lab-os.img')
  const sha = createHash('sha256').update(await readFile(image)).digest('hex')
  await baremetalOk(server.url, ['node', 'set', name, '--rescue-interface', 'agent', '--instance-info', `image_source=file://${image}`, '--instance-info', 'image_os_hash_algo=sha256', '--instance-info', `image_os_hash_value=${sha}`])
  await baremetalOk(server.url, ['node', 'deploy', name])
  const settle = (x: NodeShow) => x.reservation === null && !['deploying', 'wait call-back', 'rescuing', 'rescue wait', 'unrescuing'].includes(x.provision_state)
  let n = await waitFor(name, 'active', settle)
  assert.equal(n.provision_state, 'active', n.last_error ?? '')

  await baremetalOk(server.url, ['node', 'rescue', name, '--rescue-password', 'Res-cue 123!'])
  n = await waitFor(name, 'rescue', settle)
  assert.equal(n.provision_state, 'rescue', n.last_error ?? '')
  assert.equal(n.power_state, 'power on')
  // Neither the password nor its hash is shown; the agent is forgotten (it no longer calls home).
  assert.equal(n.instance_info.rescue_password, '******')
  assert.equal(n.instance_info.hashed_rescue_password, '******')
  assert.equal(n.driver_internal_info.agent_url, undefined)
  const hashFile = join(dir, 'lab', 'nodes', name, 'sysroot', 'etc', 'ipa-rescue-config', 'ipa-rescue-password')
  const hash = await readFile(hashFile, 'utf8')
  assert.match(hash, /^\$6\$[^$]+\$[./0-9A-Za-z]{86}$/)
  // Python's crypt (glibc) checks the hash: an independent implementation of SHA-512 crypt.
  const check = await run('/usr/bin/python3', ['-W', 'ignore', '-c', 'import crypt,sys; h=open(sys.argv[1]).read(); print(crypt.crypt("Res-cue 123!", h) == h, crypt.crypt("wrong", h) == h)', hashFile])
  assert.equal(check.stdout.trim(), 'True False')
  const console = await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')
  assert.match(console.slice(console.lastIndexOf('ferrum-agent: found node')), /rescue: password installed for the rescue user; no longer calling home[\s\S]*rescue mode: the rescue user may log in/)
  assert.doesNotMatch(server.output().stdout + server.output().stderr, /Res-cue 123!/)

  await baremetalOk(server.url, ['node', 'unrescue', name])
  n = await waitFor(name, 'active after unrescue', settle)
  assert.equal(n.provision_state, 'active', n.last_error ?? '')
  assert.equal(n.instance_info.rescue_password, undefined)
  assert.equal(n.instance_info.hashed_rescue_password, undefined)
  const after = await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')
  assert.match(after.slice(after.lastIndexOf('rescue mode:')), /power on: booted from disk: ferrum-lab-linux/)
})

test('openstack baremetal node deploy through redfish-virtual-media: the BMC mounts the deploy ISO, the agent writes the image, the CD is ejected', { timeout: 300_000 }, async () => {
  const nodes = await Promise.all(['lab-node-1', 'lab-node-2'].map(show))
  const name = nodes.find((x) => x.driver === 'redfish')!.name
  const settle = (x: NodeShow) => x.reservation === null && !['deploying', 'wait call-back', 'cleaning', 'clean wait', 'deleting'].includes(x.provision_state)
  if ((await show(name)).provision_state === 'active') {
    await baremetalOk(server.url, ['node', 'undeploy', name])
    assert.equal((await waitFor(name, 'available', settle)).provision_state, 'available')
  }
  // Any ISO 9660 image stands for the deploy ISO: the lab's firmware boots the agent from it.
  const isoDir = join(dir, 'iso-src')
  await run('mkdir', ['-p', isoDir])
  await writeFile(join(isoDir, 'README'), 'Ferrum deploy ISO (lab)')
  const iso = join(dir, 'deploy.iso')
  await run('genisoimage', ['-quiet', '-V', 'DEPLOY', '-o', iso, isoDir])
  const image = await readFile(join(dir, 'httpboot', 'images', 'lab-os.img'))
  const sha = createHash('sha256').update(image).digest('hex')
  await baremetalOk(server.url, ['node', 'set', name, '--boot-interface', 'redfish-virtual-media', '--driver-info', `redfish_deploy_iso=file://${iso}`,
    '--instance-info', `image_source=${server.url}/boot/images/lab-os.img`, '--instance-info', 'image_disk_format=raw', '--instance-info', 'image_os_hash_algo=sha256', '--instance-info', `image_os_hash_value=${sha}`])
  const before = (await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')).length

  await baremetalOk(server.url, ['node', 'deploy', name])
  const n = await waitFor(name, 'active', settle)
  assert.equal(n.provision_state, 'active', n.last_error ?? '')
  assert.equal(n.boot_interface, 'redfish-virtual-media')
  const disk = await fileHead(join(dir, 'lab', 'nodes', name, 'disk0.raw'), image.length)
  assert.equal(createHash('sha256').update(disk).digest('hex'), sha, 'the disk does not hold the image')
  const console = (await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')).slice(before)
  const order = [
    new RegExp(`virtual media inserted: http://\\S+/boot/vmedia/${n.uuid}/deploy\\.iso`),
    /boot device set: cdrom \(once/,
    /power on: booting from cdrom/,
    /ferrum-agent: found node/,
    /wrote 67108864 bytes .* to \/dev\/vda/,
    /virtual media ejected/,
    /boot device set: disk \(persistent/,
    /power on: booted from disk: ferrum-lab-linux/,
  ]
  let at = 0
  for (const re of order) {
    const m = re.exec(console.slice(at))
    assert.ok(m, `console lacks ${re} after offset ${at}:\n${console}`)
    at += m.index + m[0].length
  }
  // The ISO the BMC fetched is off the boot server once the node is active.
  assert.equal(existsSync(join(dir, 'httpboot', 'vmedia', n.uuid, 'deploy.iso')), false)

  await baremetalOk(server.url, ['node', 'undeploy', name])
  const back = await waitFor(name, 'available after undeploy', settle)
  assert.equal(back.provision_state, 'available', back.last_error ?? '')
  assert.ok((await fileHead(join(dir, 'lab', 'nodes', name, 'disk0.raw'), 1024 * 1024)).every((b) => b === 0), 'cleaning left the partition table')
  assert.match((await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')).slice(before + console.length), /power on: booting from cdrom[\s\S]*erase_devices_metadata: \/dev\/vda erased/)

  // The ramdisk deploy with an ISO instance (boot_iso): the BMC mounts it and the node boots it
  // every time; nothing is written to the disk.
  const instDir = join(dir, 'instance-iso-src')
  await run('mkdir', ['-p', instDir])
  await writeFile(join(instDir, 'OS'), 'FERRUM-LAB-OS iso-os 3.1\n')
  const instIso = join(dir, 'instance.iso')
  await run('genisoimage', ['-quiet', '-V', 'INSTANCE', '-o', instIso, instDir])
  await baremetalOk(server.url, ['node', 'set', name, '--deploy-interface', 'ramdisk', '--instance-info', `boot_iso=file://${instIso}`])
  const mark = (await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')).length
  await baremetalOk(server.url, ['node', 'deploy', name])
  const rd = await waitFor(name, 'active (ISO instance)', settle)
  assert.equal(rd.provision_state, 'active', rd.last_error ?? '')
  const rdLog = (await readFile(join(dir, 'lab', 'nodes', name, 'console.log'), 'utf8')).slice(mark)
  assert.match(rdLog, new RegExp(`virtual media inserted: http://\\S+/boot/vmedia/${rd.uuid}/instance\\.iso[\\s\\S]*boot device set: cdrom \\(persistent[\\s\\S]*booted from virtual CD: iso-os 3\\.1 \\(ramdisk instance, ISO http://\\S+/instance\\.iso\\)`))
  assert.doesNotMatch(rdLog, /ferrum-agent: found node/, 'the deploy ramdisk ran for a ramdisk deploy')
  assert.ok((await fileHead(join(dir, 'lab', 'nodes', name, 'disk0.raw'), 1024 * 1024)).every((b) => b === 0), 'the ramdisk deploy wrote to the disk')
  await baremetalOk(server.url, ['node', 'undeploy', name])
  assert.equal((await waitFor(name, 'available after the ISO instance', settle)).provision_state, 'available')
  assert.equal(existsSync(join(dir, 'httpboot', 'vmedia', rd.uuid, 'instance.iso')), false, 'the instance ISO stayed published')
})
