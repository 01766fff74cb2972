// The conductor's image cache: qcow2 images (made with Debian's qemu-img) converted once, then
// evicted by TTL and by the size cap, least recently used first, never the entry in use.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ImageCache, type CacheLimits } from './image-cache.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
let dir: string
const files = () => ({ dir: join(dir, 'httpboot'), baseUrl: 'http://127.0.0.1:1/boot' })
const cached = () => (existsSync(join(dir, 'httpboot', 'images', 'cache')) ? readdirSync(join(dir, 'httpboot', 'images', 'cache')).filter((n) => n.endsWith('.raw')).length : 0)

/** A qcow2 of `mib` MiB of random data. */
async function qcow2(name: string, mib: number): Promise<string> {
  const raw = join(dir, `${name}.raw`)
  writeFileSync(raw, randomBytes(mib * MiB))
  const out = join(dir, `${name}.qcow2`)
  await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, out])
  return `file://${out}`
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferrum-image-cache-'))
})
after(() => rmSync(dir, { recursive: true, force: true }))

test('the cache keeps what fits: least recently used first, expired entries, never the one in use', async () => {
  const cache = new ImageCache()
  let clock = 1_000_000
  const limits: CacheLimits = { maxBytes: 5 * MiB, ttlS: 3600, now: () => clock }
  const [a, b, c] = [await qcow2('a', 2), await qcow2('b', 2), await qcow2('c', 2)]
  const ref = (url: string) => ({ url, format: 'qcow2', hashAlgo: null, hashValue: null })
  const first = await cache.raw(files(), ref(a), limits)
  assert.equal(first.hit, false)
  clock += 1000
  await cache.raw(files(), ref(b), limits)
  clock += 1000
  assert.equal((await cache.raw(files(), ref(a), limits)).hit, true, 'a is used again: b is now the least recently used')
  assert.equal(cached(), 2)
  clock += 1000
  // 6 MiB would be over the 5 MiB cap: b (least recently used) goes, a stays.
  await cache.raw(files(), ref(c), limits)
  assert.equal(cached(), 2)
  clock += 1000
  assert.equal((await cache.raw(files(), ref(a), limits)).hit, true)
  clock += 1000
  assert.equal((await cache.raw(files(), ref(b), limits)).hit, false, 'b was evicted and is converted again')
  // …which put the cache over its cap again: c, now the least recently used, went.
  assert.equal(cached(), 2)

  // Past the TTL, unused entries go; the one being used stays, even alone over the cap.
  clock += 3601 * 1000
  const tiny: CacheLimits = { maxBytes: 1 * MiB, ttlS: 3600, now: () => clock }
  const again = await cache.raw(files(), ref(a), tiny)
  assert.equal(again.hit, true)
  assert.equal(cached(), 1, 'only the entry in use is left')
  assert.deepEqual(await cache.evict(files(), tiny, null), [again.url.split('/').pop()!.replace(/\.raw$/, '')], 'with nothing in use, it goes too')
  assert.equal(cached(), 0)
})

test('raw images: one download however many nodes ask at once, stored sparse, with a data map; one on the boot server is read in place', async () => {
  const { createServer } = await import('node:http')
  const { createHash } = await import('node:crypto')
  const { readFileSync, statSync, mkdirSync } = await import('node:fs')
  const img = Buffer.alloc(16 * MiB)
  randomBytes(MiB).copy(img, 4 * MiB)
  randomBytes(10).copy(img, img.length - 10)
  const sha = createHash('sha256').update(img).digest('hex')
  let reads = 0
  const origin = createServer((req, res) => {
    if (req.url === '/missing.img') return res.writeHead(404).end()
    reads++
    res.writeHead(200, { 'content-length': img.length })
    // Slowly enough that all callers are waiting on the same download.
    res.write(img.subarray(0, MiB))
    setTimeout(() => res.end(img.subarray(MiB)), 100)
  })
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(origin.address() as { port: number }).port}`
  try {
    const cache = new ImageCache()
    const ref = { url: `${url}/os.img`, format: 'raw', hashAlgo: 'sha256', hashValue: sha }
    const all = await Promise.all(Array.from({ length: 5 }, () => cache.raw(files(), ref)))
    assert.equal(reads, 1, 'the origin was read more than once')
    assert.equal(all.filter((c) => !c.hit).length, 1)
    assert.ok(all.every((c) => c.url === all[0]!.url && c.sha256 === sha && c.size === img.length))
    const path = join(dir, 'httpboot', 'images', 'cache', all[0]!.url.split('/').pop()!)
    assert.ok(readFileSync(path).equals(img), 'the cached file differs from the image')
    assert.ok(statSync(path).blocks * 512 < 2 * MiB, 'the zeros were written into the cache')
    assert.deepEqual(all[0]!.map!.extents, [[4 * MiB, MiB], [16 * MiB - 64 * 1024, 64 * 1024]])
    assert.equal((await cache.raw(files(), ref)).hit, true)
    assert.equal(reads, 1)

    // Bad input: the declared checksum is checked as the image comes in; a 404 is named.
    await assert.rejects(cache.raw(files(), { ...ref, url: `${url}/other.img`, hashValue: '1'.repeat(64) }), (e: Error & { code?: string }) => e.code === 'IMAGE_CHECKSUM_MISMATCH' && /image checksum mismatch: sha256 of http:\S+\/other\.img is [0-9a-f]{64}, expected 1{64}/.test(e.message))
    await assert.rejects(cache.raw(files(), { ...ref, url: `${url}/missing.img` }), (e: Error & { code?: string }) => e.code === 'IMAGE_DOWNLOAD_FAILED' && /downloading http:\S+\/missing\.img failed: HTTP 404 Not Found/.test(e.message))

    // Already on the boot server: read where it is (no copy); a changed file is read again.
    mkdirSync(join(dir, 'httpboot', 'images'), { recursive: true })
    const local = join(dir, 'httpboot', 'images', 'local.img')
    writeFileSync(local, img)
    const before = readdirSync(join(dir, 'httpboot', 'images', 'cache')).filter((n) => n.endsWith('.raw')).length
    const lref = { url: `${files().baseUrl}/images/local.img`, format: 'raw', hashAlgo: 'sha256', hashValue: sha }
    const inPlace = await cache.raw(files(), lref)
    assert.equal(inPlace.url, lref.url)
    assert.equal(inPlace.hit, false)
    assert.deepEqual(inPlace.map, all[0]!.map)
    assert.equal(readdirSync(join(dir, 'httpboot', 'images', 'cache')).filter((n) => n.endsWith('.raw')).length, before, 'the boot server\'s own image was copied')
    assert.equal((await cache.raw(files(), lref)).hit, true)
    const changed = Buffer.from(img)
    changed[0] = 1
    writeFileSync(local, changed)
    await assert.rejects(cache.raw(files(), lref), /image checksum mismatch/, 'a changed file must be read again')
  } finally {
    await new Promise((r) => origin.close(r))
  }
})
