// One image write by the agent's writer, in its own process:
// `node write-worker.js URL DISK SHA256 [MAP.json]` (with a map: the conductor's data map, as
// image_info.ferrum_image_map carries it). Prints one JSON line: seconds, bytes, bytes written,
// the hash, and the peak RSS sampled every 20 ms.
import { readFileSync, statSync } from 'node:fs'
import { writeImage } from '../../src/agent/image-writer.js'
import type { ImageMap } from '../../src/common/image-map.js'

const [url, disk, sha, mapFile] = process.argv.slice(2)
if (!url || !disk || !sha) {
  process.stderr.write('usage: write-worker URL DISK SHA256 [MAP.json]\n')
  process.exit(2)
}
const map = mapFile ? (JSON.parse(readFileSync(mapFile, 'utf8')) as ImageMap) : undefined
let peak = process.memoryUsage().rss
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
const t0 = process.hrtime.bigint()
const r = await writeImage({ url, hashAlgo: 'sha256', hashValue: sha }, disk, { signal: new AbortController().signal, deviceSize: statSync(disk).size, map })
const seconds = Number(process.hrtime.bigint() - t0) / 1e9
clearInterval(sampler)
peak = Math.max(peak, process.memoryUsage().rss)
process.stdout.write(`${JSON.stringify({ seconds, bytes: r.bytes, written: r.written, hash: r.hash, mapped: r.mapped === true, peakRssBytes: peak })}\n`)
