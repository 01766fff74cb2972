/**
 * The agent's image write against `dd`, in one run on the same machine and files (issue 10's
 * performance targets). Ferrum's all-in-one server (in this process) serves the images from its
 * boot server (`/boot/images/…`, the conductor's HTTP server); the agent's image writer runs in a
 * child process (bench/lib/write-worker.ts) so its RSS is its own.
 *
 * 1. Throughput: a raw image of random data (default 2 GiB) streamed over HTTP to a file-backed
 *    disk with its sha256 checked on the way, against `dd if=IMAGE of=DISK bs=4M conv=fsync`
 *    copying the same file. Target: Ferrum >= 90 % of dd's throughput.
 * 2. Sparse: a 4 GiB raw image holding 512 MiB of data, written by the agent (zero runs become
 *    holes) against dd writing all of its bytes. Target: >= 5x faster.
 * 3. The writer's peak RSS in both. Target: < 150 MB.
 *
 *   npm run build && node dist/bench/image-write.js [--size-mib 2048] [--sparse-mib 4096] [--data-mib 512]
 */
import { spawn } from 'node:child_process'
import { createHash, randomFillSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, openSync, closeSync, writeSync, ftruncateSync, rmSync, createReadStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config/load.js'
import { startAllInOne } from '../src/server/all-in-one.js'
import { createLogger } from '../src/common/logger.js'

const MiB = 1024 * 1024

interface WorkerResult { seconds: number; bytes: number; written: number; hash: string | null; peakRssBytes: number }

function makeImage(path: string, sizeMiB: number, data: { atMiB: number; mib: number }[]): void {
  const fd = openSync(path, 'w')
  try {
    ftruncateSync(fd, sizeMiB * MiB)
    const buf = Buffer.alloc(64 * MiB)
    for (const { atMiB, mib } of data) {
      for (let done = 0; done < mib; done += 64) {
        const n = Math.min(64, mib - done) * MiB
        randomFillSync(buf, 0, n)
        writeSync(fd, buf, 0, n, (atMiB + done) * MiB)
      }
    }
  } finally {
    closeSync(fd)
  }
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const c of createReadStream(path, { highWaterMark: 4 * MiB })) h.update(c as Buffer)
  return h.digest('hex')
}

function emptyDisk(path: string, bytes: number): void {
  rmSync(path, { force: true })
  const fd = openSync(path, 'w')
  ftruncateSync(fd, bytes)
  closeSync(fd)
}

function run(cmd: string, args: string[]): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('error', reject)
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`))
      else resolve({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, stdout })
    })
  })
}

async function dd(image: string, disk: string): Promise<number> {
  rmSync(disk, { force: true })
  return (await run('dd', [`if=${image}`, `of=${disk}`, 'bs=4M', 'conv=fsync', 'status=none'])).seconds
}

async function agentWrite(url: string, disk: string, sha: string): Promise<WorkerResult> {
  const worker = fileURLToPath(new URL('./lib/write-worker.js', import.meta.url))
  const r = await run(process.execPath, [worker, url, disk, sha])
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as WorkerResult
}

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '2048' }, 'sparse-mib': { type: 'string', default: '4096' }, 'data-mib': { type: 'string', default: '512' } } })
const sizeMiB = Number(values['size-mib'])
const sparseMiB = Number(values['sparse-mib'])
const dataMiB = Number(values['data-mib'])

const dir = mkdtempSync(join(tmpdir(), 'ferrum-bench-write-'))
const config = loadConfig({ env: {}, flags: { dataDir: dir, logLevel: 'warn', api: { host: '127.0.0.1', port: 0 } } })
const server = await startAllInOne(config, { logger: createLogger({ level: 'warn' }) })
try {
  const images = join(dir, 'httpboot', 'images')
  mkdirSync(images, { recursive: true })
  const boot = `${server.url.replace('localhost', '127.0.0.1')}/boot/images`

  process.stdout.write(`generating a ${sizeMiB} MiB random image and a ${sparseMiB} MiB image with ${dataMiB} MiB of data…\n`)
  const randomImg = join(images, 'random.img')
  makeImage(randomImg, sizeMiB, [{ atMiB: 0, mib: sizeMiB }])
  const sparseImg = join(images, 'sparse.img')
  const extents = 8
  makeImage(sparseImg, sparseMiB, Array.from({ length: extents }, (_, i) => ({ atMiB: Math.floor((i * sparseMiB) / extents), mib: Math.floor(dataMiB / extents) })))
  const [randomSha, sparseSha] = [await sha256(randomImg), await sha256(sparseImg)]
  const disk = join(dir, 'disk.raw')

  // Alternate dd and the agent twice each; the best of each counts (the machine is noisy).
  const best = (xs: number[]) => Math.min(...xs)
  const ddRandom: number[] = []
  const agentRandom: WorkerResult[] = []
  for (let i = 0; i < 2; i++) {
    ddRandom.push(await dd(randomImg, disk))
    emptyDisk(disk, sizeMiB * MiB)
    const r = await agentWrite(`${boot}/random.img`, disk, randomSha)
    if (r.hash !== randomSha) throw new Error('random image: the written image does not match')
    agentRandom.push(r)
  }
  if ((await sha256(disk)) !== randomSha) throw new Error('random image: the disk does not hold the image')
  const ddSparse: number[] = []
  const agentSparse: WorkerResult[] = []
  for (let i = 0; i < 2; i++) {
    ddSparse.push(await dd(sparseImg, disk))
    emptyDisk(disk, sparseMiB * MiB)
    agentSparse.push(await agentWrite(`${boot}/sparse.img`, disk, sparseSha))
  }
  if ((await sha256(disk)) !== sparseSha) throw new Error('sparse image: the disk does not hold the image')

  const tRandomDd = best(ddRandom)
  const tRandomAgent = best(agentRandom.map((r) => r.seconds))
  const tSparseDd = best(ddSparse)
  const tSparseAgent = best(agentSparse.map((r) => r.seconds))
  const throughputRatio = tRandomDd / tRandomAgent
  const sparseSpeedup = tSparseDd / tSparseAgent
  const peakRss = Math.max(...agentRandom.map((r) => r.peakRssBytes), ...agentSparse.map((r) => r.peakRssBytes))
  const rate = (bytes: number, s: number) => `${(bytes / MiB / s).toFixed(0)} MiB/s`
  process.stdout.write([
    '',
    '| write | dd bs=4M conv=fsync | Ferrum agent (HTTP, sha256) | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    `| ${sizeMiB} MiB random | ${tRandomDd.toFixed(2)} s (${rate(sizeMiB * MiB, tRandomDd)}) | ${tRandomAgent.toFixed(2)} s (${rate(sizeMiB * MiB, tRandomAgent)}) | ${(throughputRatio * 100).toFixed(0)} % of dd | >= 90 % ${throughputRatio >= 0.9 ? 'met' : 'NOT met'} |`,
    `| ${sparseMiB} MiB with ${dataMiB} MiB data | ${tSparseDd.toFixed(2)} s | ${tSparseAgent.toFixed(2)} s (${(agentSparse[0]!.written / MiB).toFixed(0)} MiB written) | ${sparseSpeedup.toFixed(1)}x faster | >= 5x ${sparseSpeedup >= 5 ? 'met' : 'NOT met'} |`,
    `| writer peak RSS | | ${(peakRss / MiB).toFixed(0)} MiB | | < 150 MB ${peakRss < 150e6 ? 'met' : 'NOT met'} |`,
    '',
    JSON.stringify({ bench: 'image-write', sizeMiB, sparseMiB, dataMiB, ddRandomS: ddRandom, agentRandomS: agentRandom.map((r) => r.seconds), ddSparseS: ddSparse, agentSparseS: agentSparse.map((r) => r.seconds), throughputRatio, sparseSpeedup, peakRssBytes: peakRss }),
    '',
  ].join('\n'))
} finally {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
