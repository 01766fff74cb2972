// Protocol fidelity: a real Ironic 21.4 (Debian's ironic-api and ironic-conductor, started with
// ../shared/baseline/ironic-up.sh; fake-hardware, `direct` deploy) deploys a raw image onto a
// file-backed disk through Ferrum's agent — lookup, token, heartbeats, Ironic's own commands
// (deploy.get_deploy_steps, deploy.execute_deploy_step write_image, image.install_bootloader,
// standby.power_off) and their results. Skipped, saying so, where Ironic is not installed.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, createReadStream, existsSync, mkdtempSync, openSync, closeSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { repoRoot, freePort } from '../helpers/ferrum-process.js'
import { baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { fileHead } from '../helpers/disk.js'
import { writeLabSysroot } from '../../src/lab/lab-sysroot.js'
import { writeLabOsImage } from '../../src/lab/lab-os-image.js'
import { pidAlive } from '../../src/lab/lab-state.js'

const run = promisify(execFile)
const IRONIC_UP = resolve(repoRoot(), '..', 'shared', 'baseline', 'ironic-up.sh')
const IRONIC_DOWN = resolve(repoRoot(), '..', 'shared', 'baseline', 'ironic-down.sh')
const missing = !existsSync(IRONIC_UP) ? `${IRONIC_UP} not found` : !existsSync('/usr/bin/ironic-conductor') ? 'Debian\'s ironic-conductor is not installed (../shared/baseline/ironic-up.sh installs it)' : null
if (missing) process.stdout.write(`# SKIP ironic-drives-agent: ${missing}\n`)

const MAC = '52:54:00:dd:00:01'
let dir: string
let stateDir: string
let url: string
let origin: Server
let agent: ChildProcess | null = null

before(async () => {
  if (missing) return
  dir = mkdtempSync(join(tmpdir(), 'ferrum-ironic-agent-'))
  stateDir = join(dir, 'ironic')
  const env = { ...process.env, IRONIC_STATE_DIR: stateDir, IRONIC_API_PORT: String(await freePort()), IRONIC_RPC_PORT: String(await freePort()), IRONIC_SKIP_INSTALL: '1' }
  url = (await run('bash', [IRONIC_UP], { env, timeout: 120_000 })).stdout.trim().split('\n').at(-1)!
  // The standalone baseline has no service catalogue; agents need the API URL, and this test
  // skips automated cleaning (Ironic's cleaning is not what is tested). Restart the conductor.
  const conf = join(stateDir, 'ironic.conf')
  appendFileSync(conf, `\n[service_catalog]\nendpoint_override = ${url}\n[conductor]\nautomated_clean = false\n`)
  const old = Number((await readFile(join(stateDir, 'conductor.pid'), 'utf8')).trim())
  process.kill(old, 'SIGTERM')
  for (let i = 0; i < 80 && pidAlive(old); i++) await new Promise((r) => setTimeout(r, 250))
  const log = openSync(join(stateDir, 'conductor.log'), 'a')
  const c = spawn('/usr/bin/ironic-conductor', ['--config-file', conf], { cwd: stateDir, detached: true, stdio: ['ignore', log, log] })
  closeSync(log)
  c.unref()
  writeFileSync(join(stateDir, 'conductor.pid'), String(c.pid))
  // Images come from a plain origin on loopback.
  origin = createServer((req, res) => {
    const path = join(dir, (req.url ?? '').replace(/^\//, ''))
    if (!/^\/[\w.-]+$/.test(req.url ?? '') || !existsSync(path)) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-length': statSync(path).size })
    createReadStream(path).pipe(res)
  })
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', () => r()))
})

after(async () => {
  if (missing) return
  if (agent?.pid && pidAlive(agent.pid)) agent.kill('SIGTERM')
  await new Promise((r) => origin?.close(r))
  await run('bash', [IRONIC_DOWN], { env: { ...process.env, IRONIC_STATE_DIR: stateDir }, timeout: 60_000 }).catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

type Show = { provision_state: string; last_error: string | null; reservation: string | null }

test('a real Ironic deploys a raw image through Ferrum\'s agent', { skip: missing ?? false, timeout: 300_000 }, async () => {
  const img = join(dir, 'img.raw')
  const fh = await open(img, 'w')
  await fh.truncate(32 * 1024 * 1024)
  await fh.close()
  await writeLabOsImage(img, { osName: 'ironic-deployed' })
  const sha = createHash('sha256').update(await readFile(img)).digest('hex')
  const disk = join(dir, 'disk0.raw')
  const d = await open(disk, 'w')
  await d.truncate(8 * 1024 ** 3)
  await d.close()
  const root = join(dir, 'root')
  await writeLabSysroot(root, {
    cpus: 2, cpuArch: 'x86_64', cpuModel: 'Lab CPU', memoryMiB: 2048, disks: [{ name: 'disk0', path: disk, sizeBytes: 8 * 1024 ** 3 }],
    nics: [{ name: 'eth0', mac: MAC }], serialNumber: 'SN-IRONIC', manufacturer: 'Ferrum', model: 'Lab', uuid: '0b0e3c4e-1a2b-4c5d-8e9f-0a1b2c3d4e5f',
  }, { name: 'ironic-node', bootMode: 'uefi' })

  // The conductor was just restarted: retry the first call until it answers.
  let node: { uuid: string } | null = null
  for (let i = 0; i < 60 && !node; i++) {
    node = await baremetalJson<{ uuid: string }>(url, ['node', 'create', '--driver', 'fake-hardware', '--name', 'via-ironic', '--deploy-interface', 'direct', '--boot-interface', 'fake', '--management-interface', 'noop']).catch(async () => {
      await new Promise((r) => setTimeout(r, 1000))
      return null
    })
  }
  assert.ok(node, 'Ironic never accepted the node')
  await baremetalOk(url, ['port', 'create', '--node', node.uuid, MAC])
  await baremetalOk(url, ['node', 'manage', 'via-ironic', '--wait', '60'])
  await baremetalOk(url, ['node', 'provide', 'via-ironic', '--wait', '60'])
  await baremetalOk(url, ['node', 'set', 'via-ironic', '--instance-info', `image_source=http://127.0.0.1:${(origin.address() as AddressInfo).port}/img.raw`,
    '--instance-info', 'image_os_hash_algo=sha256', '--instance-info', `image_os_hash_value=${sha}`, '--instance-info', 'image_disk_format=raw'])
  await baremetalOk(url, ['node', 'deploy', 'via-ironic'])

  // The "ramdisk": Ferrum's agent (its one-file bundle, as a ramdisk carries it) against Ironic's
  // API, with the test's system tree as root.
  const out: string[] = []
  agent = spawn(process.execPath, [join(repoRoot(), 'dist', 'agent', 'ferrum-agent.mjs'), '--root', root, '--listen', `127.0.0.1:${await freePort()}`, '--advertise-host', '127.0.0.1', '--api-url', url], { stdio: ['ignore', 'pipe', 'pipe'] })
  agent.stdout!.on('data', (b: Buffer) => out.push(b.toString()))
  agent.stderr!.on('data', (b: Buffer) => out.push(b.toString()))

  let n: Show | null = null
  for (let i = 0; i < 240; i++) {
    n = await baremetalJson<Show>(url, ['node', 'show', 'via-ironic'])
    if (n.reservation === null && (n.provision_state === 'active' || /fail/.test(n.provision_state))) break
    await new Promise((r) => setTimeout(r, 500))
  }
  const log = out.join('')
  assert.equal(n?.provision_state, 'active', `${n?.last_error}\nagent:\n${log}`)
  assert.equal(createHash('sha256').update(await fileHead(disk, 32 * 1024 * 1024)).digest('hex'), sha, 'the disk does not hold the image')
  // Ironic 21.4 speaks 1.68+, so the agent served its command API over TLS and Ironic's conductor
  // verified it against the certificate the heartbeat brought (agent_verify_ca), as with IPA.
  for (const line of [/command API listening on 127\.0\.0\.1:\d+ \(TLS, certificate sent to the conductor for pinning\)/, /found node [0-9a-f-]{36}/, /writing image img\.raw to \/dev\/vda/, /install_bootloader: whole-disk image/, /powering off on request/]) assert.match(log, line)
  const token = /"agent_token":"([^"]+)"/.exec(log)?.[1]
  assert.equal(token, undefined, 'the agent logged its token')
})
