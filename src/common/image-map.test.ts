// The image data map: extents found in one pass whatever the chunking, zeros close to data
// merged, data_sha256 over exactly the extents' bytes; and what the agent refuses.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { ImageMapper, MAP_BLOCK, MAP_MERGE_GAP, mapProblem } from './image-map.js'

const KiB = 1024
const MiB = 1024 * KiB

function image(size: number, data: [number, number][]): Buffer {
  const b = Buffer.alloc(size)
  for (const [at, len] of data) randomBytes(len).copy(b, at)
  return b
}

function mapOf(b: Buffer, cuts: number[] = []) {
  const m = new ImageMapper()
  let at = 0
  for (const c of [...cuts.filter((x) => x > 0 && x < b.length)].sort((x, y) => x - y)) {
    m.update(b.subarray(at, c))
    at = c
  }
  m.update(b.subarray(at))
  return m.finish()!
}

test('extents: holes left out, data close together merged, the tail block partial', () => {
  const size = 20 * MiB + 1000
  // 100 bytes at 0 (one block), a block 512 KiB later (merged: gap < 1 MiB), one 4 MiB later
  // (separate), and the last partial block.
  const b = image(size, [[0, 100], [576 * KiB, 10], [5 * MiB, MAP_BLOCK * 2], [size - 10, 10]])
  const m = mapOf(b)
  assert.equal(m.size, size)
  assert.deepEqual(m.extents, [[0, 576 * KiB + MAP_BLOCK], [5 * MiB, 2 * MAP_BLOCK], [20 * MiB, 1000]])
  const data = Buffer.concat(m.extents.map(([o, l]) => b.subarray(o, o + l)))
  assert.equal(m.data_sha256, createHash('sha256').update(data).digest('hex'))
  // A zero image has no extents; an empty one has size 0.
  assert.deepEqual(mapOf(Buffer.alloc(3 * MiB)).extents, [])
  assert.deepEqual(mapOf(Buffer.alloc(0)), { size: 0, extents: [], data_sha256: createHash('sha256').digest('hex') })
})

test('the map does not depend on how the bytes were chunked', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 8 * MiB - 1 }), fc.integer({ min: 1, max: 200 * KiB })), { maxLength: 6 }),
    fc.array(fc.integer({ min: 1, max: 8 * MiB - 1 }), { maxLength: 8 }),
    (data, cuts) => {
      const b = image(8 * MiB, data.map(([o, l]) => [o, Math.min(l, 8 * MiB - o)]))
      const whole = mapOf(b)
      assert.deepEqual(mapOf(b, cuts), whole)
      // Every non-zero byte lies in an extent; gaps between extents exceed the merge distance.
      const inExtent = (i: number) => whole.extents.some(([o, l]) => i >= o && i < o + l)
      for (let i = 0; i < b.length; i += 4096) {
        const blockHasData = b.subarray(i, i + 4096).some((x) => x !== 0)
        if (blockHasData) assert.ok(inExtent(i) || inExtent(i + 4095))
      }
      for (let k = 1; k < whole.extents.length; k++) assert.ok(whole.extents[k]![0] - (whole.extents[k - 1]![0] + whole.extents[k - 1]![1]) > MAP_MERGE_GAP)
    },
  ), { numRuns: 25 })
})

test('mapProblem names what is wrong with a map', () => {
  const sha = 'a'.repeat(64)
  assert.equal(mapProblem({ size: 10, extents: [[0, 5]], data_sha256: sha }), null)
  assert.match(mapProblem(null)!, /must be an object/)
  assert.match(mapProblem({ size: -1, extents: [], data_sha256: sha })!, /size must be a whole number/)
  assert.match(mapProblem({ size: 10, extents: [], data_sha256: 'xyz' })!, /data_sha256 must be a sha256/)
  assert.match(mapProblem({ size: 10, extents: [[0]], data_sha256: sha })!, /list of \[offset, length\]/)
  assert.match(mapProblem({ size: 10, extents: [[0, 5], [4, 2]], data_sha256: sha })!, /extent \[4, 2\] overlaps another or lies outside the image's 10 bytes/)
  assert.match(mapProblem({ size: 10, extents: [[8, 5]], data_sha256: sha })!, /lies outside/)
})
