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
  const ref = (url: string) => ({ url, hashAlgo: null, hashValue: null })
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
