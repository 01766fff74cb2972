/**
 * What a lab node's "ramdisk" runs by default: Ferrum's own deploy agent (src/agent/main.ts) as a
 * child process, with the node's system tree as its root. And the image lab nodes deploy: a small
 * sparse whole-disk image that a lab firmware boots (lab-os-image.ts), published on the HTTP boot
 * server so the agent downloads it as it would any image.
 */
import { existsSync, statSync } from 'node:fs'
import { mkdir, open, stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeLabGptImage } from './lab-os-image.js'

/**
 * Where `npm run build` puts the agent's one-file bundle (scripts/bundle-agent.js), as seen from
 * this module compiled (dist/src/lab) or run through tsx (src/lab).
 */
export function agentBundlePath(): string {
  const here = fileURLToPath(import.meta.url)
  const rel = here.includes(`${sep}dist${sep}src${sep}`) ? '../../agent/ferrum-agent.mjs' : '../../dist/agent/ferrum-agent.mjs'
  return fileURLToPath(new URL(rel, import.meta.url))
}

/**
 * argv of the agent process: the one-file bundle a ramdisk carries (so every lab deploy proves it
 * runs on plain Node), unless it is older than the compiled entry (a `tsc` without the bundle
 * step); else the compiled entry, or the TypeScript one through tsx in a checkout.
 */
export function labAgentCommand(): string[] {
  const js = fileURLToPath(new URL('../agent/main.js', import.meta.url))
  const bundle = agentBundlePath()
  if (existsSync(bundle) && (!existsSync(js) || statSync(bundle).mtimeMs >= statSync(js).mtimeMs)) return [process.execPath, bundle]
  if (existsSync(js)) return [process.execPath, js]
  const ts = js.replace(/\.js$/, '.ts')
  return [process.execPath, '--import', 'tsx', ts]
}

/** Size of the lab OS image: small, so a deploy takes a moment; sparse, so it costs no disk. */
export const LAB_IMAGE_BYTES = 64 * 1024 * 1024

/** A published lab image: where it is, how big, and its sha256 (for instance_info). */
export interface LabImage {
  path: string
  size: number
  sha256: string
}

/**
 * Writes `<bootDir>/images/lab-os.img` (once; an existing one is kept) and returns its facts.
 * The image is a real GPT disk with one partition and the lab OS marker, so partitioning tools
 * read it as any whole-disk image and a node that boots it reports an OS.
 */
export async function publishLabImage(bootDir: string, osName = 'ferrum-lab-linux'): Promise<LabImage> {
  const path = join(bootDir, 'images', 'lab-os.img')
  await mkdir(dirname(path), { recursive: true })
  if (!existsSync(path)) {
    const fh = await open(path, 'w')
    await fh.close()
    await writeLabGptImage(path, LAB_IMAGE_BYTES, osName)
  }
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return { path, size: (await stat(path)).size, sha256: hash.digest('hex') }
}
