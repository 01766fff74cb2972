/** Runs util-linux's sfdisk (Debian's fdisk package), the agent's one partitioning tool. */
import { spawn } from 'node:child_process'
import { ImageWriteError } from './image-writer.js'

/**
 * `sfdisk ARGS`, with `input` as its script on stdin; resolves with its stdout.
 * @throws ImageWriteError with sfdisk's message when it fails or is not installed
 */
export function sfdisk(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('sfdisk', args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    p.once('error', (e: NodeJS.ErrnoException) => reject(new ImageWriteError(`cannot run sfdisk: ${e.message}${e.code === 'ENOENT' ? ' (the ramdisk needs util-linux\'s sfdisk, Debian package fdisk)' : ''}`)))
    p.once('close', (code) => (code === 0 ? resolve(out) : reject(new ImageWriteError(`sfdisk ${args.join(' ')} failed: ${err.trim() || `exit code ${code}`}`))))
    if (input !== undefined) {
      // sfdisk may exit (with its error) before it reads the script; its exit code tells.
      p.stdin!.once('error', () => undefined)
      p.stdin!.end(input)
    }
  })
}
