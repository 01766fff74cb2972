import assert from 'node:assert/strict'
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, faultOf } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'
import { build } from '../app.js'

let t: TestApp
let app: FastifyInstance
let tmp: string
let port: number
const image = Buffer.alloc(70_000)
for (let i = 0; i < image.length; i++) image[i] = i % 251

before(async () => {
  t = await buildTestApp()
  tmp = await mkdtemp(join(tmpdir(), 'ferrum-boot-files-'))
  const dir = join(tmp, 'httpboot')
  await mkdir(join(dir, 'vmedia', 'node-1'), { recursive: true })
  await writeFile(join(dir, 'vmedia', 'node-1', 'deploy.iso'), image)
  await writeFile(join(dir, 'boot.ipxe'), '#!ipxe\nchain http://x/y\n')
  await writeFile(join(dir, 'empty.bin'), '')
  await writeFile(join(dir, 'with space.img'), 'spaced')
  await writeFile(join(tmp, 'secret.txt'), 'outside the boot directory')
  await symlink(join(tmp, 'secret.txt'), join(dir, 'escape.txt'))
  app = await build({ store: t.store, conductor: t.conductor, bootDir: dir })
  await app.listen({ host: '127.0.0.1', port: 0 })
  port = (app.server.address() as AddressInfo).port
})

after(async () => {
  await app?.close()
  await t?.close()
  await rm(tmp, { recursive: true, force: true })
})

interface Got {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** A raw HTTP request: node's client sends the path exactly as given (no dot-segment removal). */
function get(path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

test('GET /boot/<path> streams the file with its length and type', async () => {
  const r = await get('/boot/vmedia/node-1/deploy.iso')
  assert.equal(r.status, 200)
  assert.equal(r.headers['content-length'], String(image.length))
  assert.equal(r.headers['content-type'], 'application/x-iso9660-image')
  assert.equal(r.headers['accept-ranges'], 'bytes')
  assert.ok(r.body.equals(image))
  const script = await get('/boot/boot.ipxe')
  assert.equal(script.status, 200)
  assert.equal(script.headers['content-type'], 'text/plain; charset=utf-8')
  assert.equal(script.body.toString(), '#!ipxe\nchain http://x/y\n')
  const spaced = await get('/boot/with%20space.img')
  assert.equal(spaced.body.toString(), 'spaced')
  const empty = await get('/boot/empty.bin')
  assert.equal(empty.status, 200)
  assert.equal(empty.headers['content-length'], '0')
  assert.equal(empty.body.length, 0)
})

test('HEAD gives the headers of GET and no body', async () => {
  const r = await get('/boot/vmedia/node-1/deploy.iso', { method: 'HEAD' })
  assert.equal(r.status, 200)
  assert.equal(r.headers['content-length'], String(image.length))
  assert.equal(r.body.length, 0)
})

test('a single byte range is served as 206; past the end is 416', async () => {
  const r = await get('/boot/vmedia/node-1/deploy.iso', { headers: { range: 'bytes=100-199' } })
  assert.equal(r.status, 206)
  assert.equal(r.headers['content-range'], `bytes 100-199/${image.length}`)
  assert.equal(r.headers['content-length'], '100')
  assert.ok(r.body.equals(image.subarray(100, 200)))
  const tail = await get('/boot/vmedia/node-1/deploy.iso', { headers: { range: 'bytes=-10' } })
  assert.equal(tail.status, 206)
  assert.ok(tail.body.equals(image.subarray(image.length - 10)))
  const open = await get('/boot/vmedia/node-1/deploy.iso', { headers: { range: `bytes=${image.length - 5}-` } })
  assert.ok(open.body.equals(image.subarray(image.length - 5)))
  const bad = await get('/boot/vmedia/node-1/deploy.iso', { headers: { range: `bytes=${image.length}-` } })
  assert.equal(bad.status, 416)
  assert.equal(bad.headers['content-range'], `bytes */${image.length}`)
  // Several ranges are not worth it: the whole file.
  const multi = await get('/boot/vmedia/node-1/deploy.iso', { headers: { range: 'bytes=0-1,5-6' } })
  assert.equal(multi.status, 200)
  assert.equal(multi.body.length, image.length)
})

test('no directory listing, no missing files, nothing outside the directory', async () => {
  for (const path of ['/boot/', '/boot/vmedia', '/boot/vmedia/', '/boot/vmedia/node-1', '/boot/nope.iso',
    '/boot/../secret.txt', '/boot/vmedia/../../secret.txt', '/boot/%2e%2e/secret.txt', '/boot/vmedia/%2E%2E%2F..%2Fsecret.txt',
    '/boot/..%2fsecret.txt', '/boot/escape.txt', '/boot/vmedia//node-1/deploy.iso', '/boot/%00']) {
    const r = await get(path)
    assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`)
    assert.ok(!r.body.toString().includes('outside the boot directory'), path)
    if (r.status === 404) assert.match(faultOf(r.body.toString()), /not found|could not be found/i)
  }
  assert.equal((await get('/boot/%zz')).status, 400)
})

test('without a boot directory there is no /boot route', async () => {
  const plain = await build({ store: t.store, conductor: t.conductor })
  const r = await plain.inject({ method: 'GET', url: '/boot/boot.ipxe' })
  assert.equal(r.statusCode, 404)
  await plain.close()
})
