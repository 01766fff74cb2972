// Bad input in a real deploy: the real API and conductor (in-process), a Redfish lab node whose
// network boot runs Ferrum's agent as a process, and an image origin on loopback. Each bad input
// ends in `deploy failed` with a last_error naming the cause, the node is never `active`, and a
// redeploy after the fix succeeds with the image's bytes on the disk.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { startLabForServer } from '../../src/lab/lab-for-server.js'
import type { Lab } from '../../src/lab/lab.js'
import { writeLabOsImage } from '../../src/lab/lab-os-image.js'
import { Periodics } from '../../src/conductor/periodics.js'
import { fileHead } from '../helpers/disk.js'

let root: string
let t: TestApp
let api: string
let origin: Server
let originUrl: string
let lab: { lab: Lab; close(): Promise<void> }
let sha: string
const IMAGE_BYTES = 16 * 1024 * 1024

/** The image origin: files of `root/images`; `/dies/<f>` stops half way; `/slow/<f>` trickles. */
function startOrigin(dir: string): Promise<void> {
  origin = createServer((req, res) => {
    const [, mode, name] = /^\/(plain|dies|slow)\/([\w.-]+)$/.exec(req.url ?? '') ?? []
    const path = join(dir, name ?? '')
    if (!mode || !name || !statSafe(path)) {
      res.writeHead(404).end('not found')
      return
    }
    const size = statSync(path).size
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' })
    if (mode === 'plain') createReadStream(path).pipe(res)
    else if (mode === 'dies') {
      const s = createReadStream(path, { end: Math.floor(size / 2) })
      s.on('data', (c) => res.write(c))
      s.on('end', () => res.destroy())
    } else {
      // 256 KiB every 100 ms: the write takes several seconds, long enough to kill the agent in it.
      const s = createReadStream(path, { highWaterMark: 256 * 1024 })
      s.on('data', (c) => {
        s.pause()
        res.write(c)
        setTimeout(() => s.resume(), 100)
      })
      s.on('end', () => res.end())
      res.on('close', () => s.destroy())
    }
  })
  return new Promise((resolve) => origin.listen(0, '127.0.0.1', () => resolve()))
}

function statSafe(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${api}${path}`, { method, headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

type Node = { provision_state: string; reservation: string | null; last_error: string | null; properties: Record<string, unknown> }

async function settle(name: string): Promise<Node> {
  for (let i = 0; i < 600; i++) {
    const n = (await call('GET', `/v1/nodes/${name}`)).json as unknown as Node
    if (n.reservation === null && ['active', 'deploy failed', 'available', 'manageable'].includes(n.provision_state)) return n
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`${name} did not settle`)
}

async function deployWith(name: string, instanceInfo: Record<string, unknown>): Promise<Node> {
  const patch = [{ op: 'add', path: '/instance_info', value: instanceInfo }]
  assert.equal((await call('PATCH', `/v1/nodes/${name}`, patch)).status, 200)
  const r = await call('PUT', `/v1/nodes/${name}/states/provision`, { target: 'active' })
  assert.equal(r.status, 202, JSON.stringify(r.json))
  return settle(name)
}

function diskHead(name: string, n: number): Promise<Buffer> {
  return fileHead(join(root, 'lab', 'nodes', name, 'disk0.raw'), n)
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferrum-deploy-failures-'))
  const images = join(root, 'images')
  await rm(images, { recursive: true, force: true })
  await (await import('node:fs/promises')).mkdir(images, { recursive: true })
  const img = join(images, 'good.img')
  const fh = await open(img, 'w')
  await fh.truncate(IMAGE_BYTES)
  await fh.write(randomBytes(1024 * 1024), 0, 1024 * 1024, 8 * 1024 * 1024)
  await fh.close()
  await writeLabOsImage(img, { osName: 'failures-os' })
  sha = createHash('sha256').update(await (await import('node:fs/promises')).readFile(img)).digest('hex')
  // Larger than the lab disk (10 GiB), sparse: the agent must refuse it before writing.
  const huge = await open(join(images, 'huge.img'), 'w')
  await huge.truncate(11 * 1024 ** 3)
  await huge.close()
  await writeFile(join(images, 'README'), 'origin for agent-deploy-failures')
  await startOrigin(images)
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`

  t = await buildTestApp({ conductor: { deployCallbackTimeoutS: 3 } })
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  api = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  const quiet = { info: () => undefined, warn: () => undefined }
  const write = process.stdout.write
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    lab = await startLabForServer({ nodes: 1, kind: 'redfish', apiUrl: api, dir: join(root, 'lab'), log: quiet as never })
  } finally {
    process.stdout.write = write
  }
})

after(async () => {
  await lab?.close()
  await t?.close()
  await new Promise((r) => origin?.close(r))
  await rm(root, { recursive: true, force: true })
})

const NODE = 'lab-node-1'
const good = () => ({ image_source: `${originUrl}/plain/good.img`, image_os_hash_algo: 'sha256', image_os_hash_value: sha })

test('a wrong checksum, a 404, a stream that dies, an image larger than the disk and an impossible root device hint each fail the deploy, naming the cause', { timeout: 300_000 }, async () => {
  assert.equal((await settle(NODE)).provision_state, 'available')
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['wrong checksum', { ...good(), image_os_hash_value: '0'.repeat(64) }, /image checksum mismatch: sha256 of the downloaded image is [0-9a-f]{64}, expected 0{64}/],
    ['404', { ...good(), image_source: `${originUrl}/plain/missing.img` }, /downloading http:\/\/\S+\/plain\/missing\.img failed: HTTP 404/],
    ['dies mid-stream', { ...good(), image_source: `${originUrl}/dies/good.img` }, /failed after \d+ bytes|stream ended after \d+ of \d+ bytes/],
    ['larger than the disk', { image_source: `${originUrl}/plain/huge.img` }, /does not fit on \/dev\/vda|larger than \/dev\/vda/],
  ]
  for (const [what, info, expected] of cases) {
    const n = await deployWith(NODE, info)
    assert.equal(n.provision_state, 'deploy failed', `${what}: ${JSON.stringify(n)}`)
    assert.match(n.last_error ?? '', expected, what)
    assert.match(n.last_error ?? '', /standby\.prepare_image/, `${what}: the failing command is named`)
  }
  // A root device hint that matches no disk.
  assert.equal((await call('PATCH', `/v1/nodes/${NODE}`, [{ op: 'add', path: '/properties/root_device', value: { serial: 'no-such-disk' } }])).status, 200)
  const hinted = await deployWith(NODE, good())
  assert.equal(hinted.provision_state, 'deploy failed')
  assert.match(hinted.last_error ?? '', /no disk matches the root device hints \{"serial":"no-such-disk"\}; disks seen: \/dev\/vda/)
  assert.equal((await call('PATCH', `/v1/nodes/${NODE}`, [{ op: 'remove', path: '/properties/root_device' }])).status, 200)

  // Fixed: the redeploy succeeds and the disk holds the image.
  const fixed = await deployWith(NODE, good())
  assert.equal(fixed.provision_state, 'active', fixed.last_error ?? '')
  assert.equal(createHash('sha256').update(await diskHead(NODE, IMAGE_BYTES)).digest('hex'), sha)
  assert.equal(lab.lab.node(NODE).node.status().activity.state, 'os')
})

test('the agent killed mid-write: the node fails at the callback timeout naming the phase, and a redeploy succeeds', { timeout: 300_000 }, async () => {
  const back = await (async () => {
    assert.equal((await call('PUT', `/v1/nodes/${NODE}/states/provision`, { target: 'deleted' })).status, 202)
    return settle(NODE)
  })()
  assert.equal(back.provision_state, 'available', back.last_error ?? '')
  await lab.lab.setFaults(NODE, { ramdiskCrashAfterMs: 4500 })
  const patch = [{ op: 'add', path: '/instance_info', value: { ...good(), image_source: `${originUrl}/slow/good.img` } }]
  assert.equal((await call('PATCH', `/v1/nodes/${NODE}`, patch)).status, 200)
  assert.equal((await call('PUT', `/v1/nodes/${NODE}/states/provision`, { target: 'active' })).status, 202)
  // The agent dies during the write; the node keeps waiting for a heartbeat that never comes.
  const periodics = new Periodics(t.conductor)
  let n: Node | null = null
  let progress: { phase: string; bytes: number; total: number; rate_bytes_per_s: number; eta_s: number | null } | undefined
  for (let i = 0; i < 300; i++) {
    // Live progress: the agent's heartbeats during the write carry it into the node.
    const seen = ((await call('GET', `/v1/nodes/${NODE}`)).json.driver_internal_info as Record<string, typeof progress>).ferrum_agent_progress
    if (seen && seen.bytes > 0 && !progress) progress = seen
    await periodics.checkTimeouts()
    n = (await call('GET', `/v1/nodes/${NODE}`)).json as unknown as Node
    if (n.provision_state === 'deploy failed' && n.reservation === null) break
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.equal(n?.provision_state, 'deploy failed', JSON.stringify(n))
  assert.ok(progress, `no progress was shown during the write:\n${await readFile(join(root, 'lab', 'nodes', NODE, 'console.log'), 'utf8')}`)
  assert.equal(progress.phase, 'writing')
  assert.equal(progress.total, IMAGE_BYTES)
  assert.ok(progress.bytes > 0 && progress.bytes < IMAGE_BYTES, JSON.stringify(progress))
  assert.ok(progress.rate_bytes_per_s > 0 && typeof progress.eta_s === 'number', JSON.stringify(progress))
  assert.match(n!.last_error ?? '', /Timeout reached while waiting for callback .* "wait call-back"/)
  assert.match(n!.last_error ?? '', /last seen: deploy step write_image, agent running standby\.prepare_image/)
  // The lab recorded the crash; after the failure the node was powered off, as Ironic does.
  assert.match(await readFile(join(root, 'lab', 'nodes', NODE, 'console.log'), 'utf8'), /crash/i)
  assert.equal(lab.lab.node(NODE).node.status().activity.state, 'off')

  await lab.lab.setFaults(NODE, { ramdiskCrashAfterMs: null })
  const fixed = await deployWith(NODE, good())
  assert.equal(fixed.provision_state, 'active', fixed.last_error ?? '')
  assert.equal(createHash('sha256').update(await diskHead(NODE, IMAGE_BYTES)).digest('hex'), sha)
})
