/**
 * `ferrum ramdisk build`: the deploy kernel, initramfs and ISO, from Debian packages and the
 * local Node runtime. The kernel is Debian's (`apt-get download` of the package
 * `linux-image-amd64` depends on, unpacked with `dpkg-deb`, cached); the initramfs holds
 * busybox-static, the virtio modules the kernel builds as modules (in dependency order, read from
 * each module's `depends=`), this machine's `node` and the libraries `ldd` lists, the tools the
 * agent runs (sfdisk, mke2fs, blkdiscard, openssl) and the agent bundle. Every file gets the same
 * owner and time, so two builds of the same inputs are byte-identical (cpio --reproducible, gzip
 * without a timestamp, xorriso with SOURCE_DATE_EPOCH).
 */
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { chmod, copyFile, lutimes, mkdir, mkdtemp, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGzip } from 'node:zlib'
import { INIT_SCRIPT, POWEROFF_SCRIPT, UDHCPC_SCRIPT } from './init-script.js'

const run = promisify(execFile)

/** Modules the ramdisk loads: virtio PCI, disk and NIC (Debian builds them as modules). */
export const RAMDISK_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_net', 'virtio_scsi'] as const

/** Tools the agent runs, copied from this machine with their libraries. */
const AGENT_TOOLS = ['sfdisk', 'mke2fs', 'blkdiscard', 'openssl'] as const

/** Fixed file time for reproducible output (2026-01-01T00:00:00Z) unless SOURCE_DATE_EPOCH says otherwise. */
const DEFAULT_EPOCH = 1767225600

export interface RamdiskBuildOptions {
  outDir: string
  /** Where downloaded kernel packages are kept between builds. */
  cacheDir: string
  /** The one-file agent (dist/agent/ferrum-agent.mjs). */
  agentBundle: string
  /** A kernel .deb to use instead of downloading one. */
  kernelDeb?: string
  /** The Node binary to carry (default: the one running). */
  nodeBinary?: string
  /** Baked into the ISO's kernel command line (virtual media has no per-node script). */
  apiUrl?: string
  /** Also build the ISO (needs xorriso and isolinux). Default true. */
  iso?: boolean
  log?: (line: string) => void
}

export interface RamdiskBuildResult {
  kernel: string
  initrd: string
  iso: string | null
  kernelVersion: string
  sha256: { kernel: string; initrd: string; iso: string | null }
  seconds: number
}

/** A build step failed; the message says what to install or fix. */
export class RamdiskBuildError extends Error {}

async function tool(cmd: string, args: readonly string[], what: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 64 << 20, ...opts })
    return stdout
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string }
    if (err.code === 'ENOENT') throw new RamdiskBuildError(`${what}: ${cmd} is not installed`, { cause: e })
    throw new RamdiskBuildError(`${what}: ${cmd} ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ')}`, { cause: e })
  }
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256')
  await pipeline(createReadStream(path), h)
  return h.digest('hex')
}

/** The concrete kernel package `linux-image-amd64` points at, e.g. linux-image-6.1.0-57-amd64. */
async function kernelPackage(): Promise<string> {
  const out = await tool('apt-cache', ['depends', 'linux-image-amd64'], 'finding the Debian kernel package')
  const m = /Depends: (linux-image-[0-9][^\s]*-amd64)/.exec(out)
  if (!m) throw new RamdiskBuildError('finding the Debian kernel package: apt-cache knows no linux-image-amd64 (run apt-get update)')
  return m[1]!
}

/** The kernel .deb in the cache, downloaded once. */
async function kernelDeb(cacheDir: string, log: (l: string) => void): Promise<string> {
  const pkg = await kernelPackage()
  await mkdir(cacheDir, { recursive: true })
  const cached = (await readdir(cacheDir)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'))
  if (cached) return join(cacheDir, cached)
  log(`downloading ${pkg} (apt-get download)`)
  await tool('apt-get', ['download', pkg], `downloading ${pkg}`, { cwd: cacheDir })
  const got = (await readdir(cacheDir)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'))
  if (!got) throw new RamdiskBuildError(`downloading ${pkg}: apt-get download left no .deb in ${cacheDir}`)
  return join(cacheDir, got)
}

/** Unpacks the kernel image and every module under `kroot`; returns the version and vmlinuz path. */
async function unpackKernel(deb: string, kroot: string): Promise<{ version: string; vmlinuz: string; modules: string }> {
  await mkdir(kroot, { recursive: true })
  await new Promise<void>((resolve, reject) => {
    const dpkg = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] })
    const tar = spawn('tar', ['-x', '-C', kroot, '--wildcards', './boot/vmlinuz-*', '*.ko'], { stdio: ['pipe', 'ignore', 'pipe'] })
    let err = ''
    dpkg.stderr.on('data', (d: Buffer) => (err += d.toString()))
    tar.stderr.on('data', (d: Buffer) => (err += d.toString()))
    dpkg.stdout.pipe(tar.stdin)
    dpkg.once('error', (e) => reject(new RamdiskBuildError(`unpacking ${deb}: ${e.message} (install dpkg)`)))
    tar.once('error', (e) => reject(new RamdiskBuildError(`unpacking ${deb}: ${e.message} (install tar)`)))
    tar.once('close', (code) => (code === 0 ? resolve() : reject(new RamdiskBuildError(`unpacking ${deb}: ${err.trim() || `tar exit ${code}`}`))))
  })
  const vm = (await readdir(join(kroot, 'boot'))).find((f) => f.startsWith('vmlinuz-'))
  if (!vm) throw new RamdiskBuildError(`${deb} holds no boot/vmlinuz-*`)
  const version = vm.slice('vmlinuz-'.length)
  return { version, vmlinuz: join(kroot, 'boot', vm), modules: join(kroot, 'lib/modules', version) }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await walk(p)))
    else out.push(p)
  }
  return out
}

/** A module's `depends=` from its .modinfo strings. */
export function moduleDepends(ko: Buffer): string[] {
  const at = ko.indexOf('\0depends=')
  if (at < 0) return []
  const end = ko.indexOf(0, at + 1)
  return ko.subarray(at + '\0depends='.length, end).toString().split(',').filter(Boolean)
}

/** The modules `wanted` needs, each after what it depends on. */
export async function moduleOrder(modulesDir: string, wanted: readonly string[]): Promise<{ name: string; path: string }[]> {
  const byName = new Map<string, string>()
  for (const p of await walk(modulesDir)) if (p.endsWith('.ko')) byName.set(basename(p, '.ko').replace(/-/g, '_'), p)
  const order: { name: string; path: string }[] = []
  const seen = new Set<string>()
  const visit = async (name: string, chain: string[]): Promise<void> => {
    const key = name.replace(/-/g, '_')
    if (seen.has(key)) return
    const path = byName.get(key)
    if (!path) throw new RamdiskBuildError(`kernel module ${name} (needed by ${chain.join(' → ') || 'the ramdisk'}) is not in ${modulesDir}`)
    seen.add(key)
    for (const dep of moduleDepends(await readFile(path))) await visit(dep, [...chain, name])
    order.push({ name: key, path })
  }
  for (const w of wanted) await visit(w, [])
  return order
}

/** Absolute paths of the shared libraries (and loader) `binary` needs. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const out = await tool('ldd', [binary], `listing the libraries of ${binary}`).catch((e: unknown) => {
    if (/not a dynamic executable/.test(String((e as Error).message))) return ''
    throw e
  })
  const libs: string[] = []
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line)
    if (m) libs.push(m[1]!)
  }
  return libs
}

/** Copies `src` (following links) to the same absolute path under `tree`. */
async function copyInto(tree: string, src: string, dest = src): Promise<void> {
  const to = join(tree, dest)
  await mkdir(dirname(to), { recursive: true })
  await copyFile(await realpath(src), to)
  await chmod(to, (await stat(src)).mode & 0o777)
}

async function which(cmd: string): Promise<string> {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) if (existsSync(join(dir, cmd))) return join(dir, cmd)
  throw new RamdiskBuildError(`the ramdisk needs ${cmd} from this machine (Debian: ${cmd === 'mke2fs' ? 'e2fsprogs' : cmd === 'openssl' ? 'openssl' : 'fdisk / util-linux'})`)
}

/** Sets every path's time under `dir` to `epoch` (links themselves, not their targets). */
async function stamp(dir: string, epoch: number): Promise<void> {
  for (const p of (await walkAll(dir)).sort().reverse()) await lutimes(p, epoch, epoch)
  await lutimes(dir, epoch, epoch)
}

/** `find . | sort | cpio -o -H newc --reproducible -R 0:0 | gzip` into `out`. */
async function writeInitramfs(tree: string, out: string): Promise<void> {
  const files = ['.', ...(await walkAll(tree)).map((p) => `./${relative(tree, p)}`)].sort()
  const cpio = spawn('cpio', ['-o', '-H', 'newc', '--reproducible', '-R', '0:0', '--quiet'], { cwd: tree, stdio: ['pipe', 'pipe', 'pipe'] })
  let err = ''
  cpio.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const failed = new Promise<never>((_, reject) => cpio.once('error', (e) => reject(new RamdiskBuildError(`writing the initramfs: ${e.message} (install cpio)`))))
  const exited = new Promise<void>((resolve, reject) => cpio.once('close', (code) => (code === 0 ? resolve() : reject(new RamdiskBuildError(`cpio failed: ${err.trim()}`)))))
  cpio.stdin.end(files.join('\n') + '\n')
  await Promise.race([Promise.all([pipeline(cpio.stdout, createGzip({ level: 6 }), createWriteStream(out)), exited]), failed])
}

async function walkAll(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    out.push(p)
    if (e.isDirectory()) out.push(...(await walkAll(p)))
  }
  return out
}

/** The isolinux configuration of the deploy ISO. */
export function isolinuxConfig(apiUrl?: string): string {
  const append = ['initrd=/initrd.gz', 'console=ttyS0', 'quiet', 'panic=-1', ...(apiUrl ? [`ipa-api-url=${apiUrl}`] : [])].join(' ')
  return ['default deploy', 'prompt 0', 'timeout 1', 'label deploy', '  kernel /vmlinuz', `  append ${append}`, ''].join('\n')
}

const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin'
const ISOHYBRID_MBR = '/usr/lib/ISOLINUX/isohdpfx.bin'
const LDLINUX = '/usr/lib/syslinux/modules/bios/ldlinux.c32'

async function writeIso(kernel: string, initrd: string, out: string, epoch: number, apiUrl?: string): Promise<void> {
  for (const f of [ISOLINUX_BIN, LDLINUX]) if (!existsSync(f)) throw new RamdiskBuildError(`the ISO needs ${f} (Debian: apt-get install isolinux syslinux-common)`)
  const tree = await mkdtemp(join(tmpdir(), 'ferrum-iso-'))
  try {
    await mkdir(join(tree, 'isolinux'))
    await copyFile(ISOLINUX_BIN, join(tree, 'isolinux/isolinux.bin'))
    await copyFile(LDLINUX, join(tree, 'isolinux/ldlinux.c32'))
    await writeFile(join(tree, 'isolinux/isolinux.cfg'), isolinuxConfig(apiUrl))
    await copyFile(kernel, join(tree, 'vmlinuz'))
    await copyFile(initrd, join(tree, 'initrd.gz'))
    await stamp(tree, epoch)
    const hybrid = existsSync(ISOHYBRID_MBR) ? ['-isohybrid-mbr', ISOHYBRID_MBR] : []
    await tool('xorriso', ['-as', 'mkisofs', '-quiet', '-o', out, '-V', 'FERRUM_DEPLOY', '-J', '-r', ...hybrid,
      '-b', 'isolinux/isolinux.bin', '-c', 'isolinux/boot.cat', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', tree],
    'building the ISO (Debian: apt-get install xorriso)', { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } })
  } finally {
    await rm(tree, { recursive: true, force: true })
  }
}

/** Builds `deploy.kernel`, `deploy.initrd` (and `deploy.iso`) in `outDir`. */
export async function buildRamdisk(o: RamdiskBuildOptions): Promise<RamdiskBuildResult> {
  const started = process.hrtime.bigint()
  const log = o.log ?? (() => undefined)
  const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? DEFAULT_EPOCH)
  if (!existsSync(o.agentBundle)) throw new RamdiskBuildError(`the agent bundle ${o.agentBundle} does not exist (run npm run build)`)
  if (!existsSync('/bin/busybox')) throw new RamdiskBuildError('the ramdisk needs /bin/busybox (Debian: apt-get install busybox-static)')
  const bb = await tool('file', ['-L', '/bin/busybox'], 'checking busybox').catch(() => 'statically linked')
  if (!/statically linked/.test(bb)) throw new RamdiskBuildError('/bin/busybox is dynamically linked; the ramdisk needs the static one (Debian: apt-get install busybox-static)')
  await mkdir(o.outDir, { recursive: true })
  const work = await mkdtemp(join(tmpdir(), 'ferrum-ramdisk-'))
  try {
    const deb = o.kernelDeb ?? (await kernelDeb(o.cacheDir, log))
    log(`kernel package ${basename(deb)}`)
    const k = await unpackKernel(deb, join(work, 'kernel'))
    const tree = join(work, 'tree')
    for (const d of ['proc', 'sys', 'dev', 'run', 'tmp', 'root', 'etc', 'lib/ferrum/modules', 'ferrum/bin']) await mkdir(join(tree, d), { recursive: true })
    await copyInto(tree, '/bin/busybox')
    const modules = await moduleOrder(k.modules, RAMDISK_MODULES)
    for (const m of modules) await copyFile(m.path, join(tree, 'lib/ferrum/modules', `${m.name}.ko`))
    await writeFile(join(tree, 'lib/ferrum/modules.order'), modules.map((m) => m.name).join('\n') + '\n')
    const node = o.nodeBinary ?? process.execPath
    await copyInto(tree, node, '/usr/bin/node')
    const binaries = [node, ...(await Promise.all(AGENT_TOOLS.map(which)))]
    for (const t of binaries.slice(1)) await copyInto(tree, t)
    const libs = new Set<string>()
    for (const b of binaries) for (const l of await sharedLibraries(b)) libs.add(l)
    for (const l of [...libs].sort()) await copyInto(tree, l)
    for (const f of ['/etc/mke2fs.conf', '/usr/lib/ssl/openssl.cnf']) if (existsSync(f)) await copyInto(tree, f)
    await copyFile(o.agentBundle, join(tree, 'ferrum/agent.mjs'))
    await writeFile(join(tree, 'init'), INIT_SCRIPT, { mode: 0o755 })
    await writeFile(join(tree, 'ferrum/udhcpc.script'), UDHCPC_SCRIPT, { mode: 0o755 })
    await writeFile(join(tree, 'ferrum/bin/poweroff'), POWEROFF_SCRIPT, { mode: 0o755 })
    await writeFile(join(tree, 'etc/ferrum-ramdisk'), `kernel=${k.version}\nnode=${process.version}\nmodules=${modules.map((m) => m.name).join(',')}\n`)
    await stamp(tree, epoch)

    const kernel = join(o.outDir, 'deploy.kernel')
    const initrd = join(o.outDir, 'deploy.initrd')
    await copyFile(k.vmlinuz, `${kernel}.tmp`)
    await rename(`${kernel}.tmp`, kernel)
    log(`initramfs: ${modules.length} modules, node ${process.version}, ${libs.size} libraries`)
    await writeInitramfs(tree, `${initrd}.tmp`)
    await rename(`${initrd}.tmp`, initrd)
    let iso: string | null = null
    if (o.iso !== false) {
      iso = join(o.outDir, 'deploy.iso')
      await writeIso(kernel, initrd, `${iso}.tmp`, epoch, o.apiUrl)
      await rename(`${iso}.tmp`, iso)
    }
    const sums = { kernel: await sha256(kernel), initrd: await sha256(initrd), iso: iso ? await sha256(iso) : null }
    return { kernel, initrd, iso, kernelVersion: k.version, sha256: sums, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
