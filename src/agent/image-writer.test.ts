// Writing by the conductor's data map: only the extents cross the wire (range requests on one
// connection), holes stay holes in a file-backed disk, the bytes read back equal the image, and a
// map whose data hash does not match, or a server that ignores ranges, fails the write.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImageMapper, type ImageMap } from '../common/image-map.js'
import { ImageWriteError, writeImage } from './image-writer.js'

const MiB = 1024 * 1024
let dir: string
let server: Server
let base: string
let image: Buffer
const served = { bytes: 0, requests: 0, connections: 0, ignoreRanges: false }

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferrum-mapped-'))
  image = Buffer.alloc(48 * MiB)
  randomBytes(3 * MiB).copy(image, 2 * MiB)
  randomBytes(100).copy(image, 30 * MiB + 5)
  randomBytes(MiB).copy(image, image.length - MiB)
  server = createServer((req, res) => {
    served.requests++
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')
    if (!m || served.ignoreRanges) {
      served.bytes += image.length
      res.writeHead(200, { 'content-length': image.length })
      return res.end(image)
    }
    const [s, e] = [Number(m[1]), Number(m[2])]
    served.bytes += e - s + 1
    res.writeHead(206, { 'content-length': e - s + 1, 'content-range': `bytes ${s}-${e}/${image.length}` })
    res.end(image.subarray(s, e + 1))
  })
  server.on('connection', () => served.connections++)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(async () => {
  await new Promise((r) => server.close(r))
  await rm(dir, { recursive: true, force: true })
})

function mapOf(b: Buffer): ImageMap {
  const m = new ImageMapper()
  m.update(b)
  return m.finish()!
}

async function disk(name: string, size: number, stale = true): Promise<string> {
  const path = join(dir, name)
  const fh = await open(path, 'w')
  await fh.truncate(size)
  // Old data where the image has a hole: it must not survive.
  if (stale) await fh.write(Buffer.from('STALE-DATA'), 0, 10, 20 * MiB)
  await fh.close()
  return path
}

test('only the data is fetched and written; the disk reads back as the image', async () => {
  const map = mapOf(image)
  assert.equal(map.extents.length, 3)
  const path = await disk('a.raw', 64 * MiB)
  Object.assign(served, { bytes: 0, requests: 0, connections: 0 })
  const progress: number[] = []
  const r = await writeImage({ url: `${base}/img`, hashAlgo: null, hashValue: null }, path, { signal: new AbortController().signal, deviceSize: 64 * MiB, map, onProgress: (p) => progress.push(p.bytes) })
  assert.equal(r.mapped, true)
  assert.equal(r.bytes, image.length)
  assert.equal(r.hash, map.data_sha256)
  const dataBytes = map.extents.reduce((s, [, l]) => s + l, 0)
  assert.equal(served.bytes, dataBytes, 'bytes outside the extents were sent')
  assert.ok(dataBytes < 6 * MiB)
  assert.equal(served.requests, 3)
  assert.equal(served.connections, 1, 'the range requests share one kept-alive connection')
  const back = await readFile(path)
  assert.ok(back.subarray(0, image.length).equals(image), 'the disk does not hold the image')
  assert.ok(back.subarray(image.length).every((x) => x === 0))
  assert.ok((await stat(path)).blocks * 512 <= dataBytes + MiB, 'holes were written')
  assert.equal(progress.at(-1), image.length)
  assert.ok(progress.every((b, i) => i === 0 || b >= progress[i - 1]!), 'progress went backwards')
})

test('a map whose data hash does not match fails and wipes the head; a server ignoring ranges fails', async () => {
  const map = { ...mapOf(image), data_sha256: '0'.repeat(64) }
  const path = await disk('b.raw', 64 * MiB, false)
  await assert.rejects(
    writeImage({ url: `${base}/img`, hashAlgo: null, hashValue: null }, path, { signal: new AbortController().signal, deviceSize: 64 * MiB, map }),
    (e: Error) => e instanceof ImageWriteError && /image checksum mismatch: sha256 of the image's data is [0-9a-f]{64}, expected 0{64} \(the conductor's image map\); the disk's first MiB was wiped/.test(e.message),
  )
  assert.ok((await readFile(path)).subarray(0, MiB).every((x) => x === 0))
  served.ignoreRanges = true
  try {
    await assert.rejects(
      writeImage({ url: `${base}/img`, hashAlgo: null, hashValue: null }, path, { signal: new AbortController().signal, deviceSize: 64 * MiB, map: mapOf(image) }),
      /downloading http:\/\/\S+ failed: bytes 2097152-\d+ answered HTTP 200 OK/,
    )
  } finally {
    served.ignoreRanges = false
  }
  await assert.rejects(
    writeImage({ url: `${base}/img`, hashAlgo: null, hashValue: null }, path, { signal: new AbortController().signal, deviceSize: 32 * MiB, map: mapOf(image) }),
    /image of 50331648 bytes does not fit on .*b\.raw \(33554432 bytes\)/,
  )
  // The image's own sha256 is what the conductor checked; the map's hash is over the data only.
  assert.notEqual(mapOf(image).data_sha256, createHash('sha256').update(image).digest('hex'))
})
