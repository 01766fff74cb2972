/**
 * What a lab node's "ramdisk" runs by default: Ferrum's own deploy agent (src/agent/main.ts) as a
 * child process, with the node's system tree as its root. And the image lab nodes deploy: a small
 * sparse whole-disk image that a lab firmware boots (lab-os-image.ts), published on the HTTP boot
 * server so the agent downloads it as it would any image.
 */
import { existsSync } from 'node:fs'
import { mkdir, open, stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeLabGptImage } from './lab-os-image.js'

/** argv of the agent process: the compiled entry, or the TypeScript one through tsx in a checkout. */
export function labAgentCommand(): string[] {
  const js = fileURLToPath(new URL('../agent/main.js', import.meta.url))
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
