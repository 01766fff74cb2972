/** Runs the Debian tools the agent uses (sfdisk, mke2fs, blkdiscard, openssl), one way. */
import { spawn } from 'node:child_process'
import { ImageWriteError } from './image-writer.js'

export interface ToolWords {
  /** What could not be done when the tool does not start, e.g. "cannot run sfdisk". */
  cannot: string
  /** The remedy when it is not installed, e.g. "install e2fsprogs". */
  missing: string
  /** What failed when it exits non-zero; its stderr follows. */
  failed: string
}

/**
 * `cmd ARGS`, with `input` on stdin when given; resolves with its stdout.
 * @throws ImageWriteError in `words`, with the tool's own message
 */
export function runTool(cmd: string, args: readonly string[], words: ToolWords, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    p.once('error', (e: NodeJS.ErrnoException) => reject(new ImageWriteError(`${words.cannot}: ${e.message}${e.code === 'ENOENT' ? ` (${words.missing})` : ''}`)))
    p.once('close', (code) => (code === 0 ? resolve(out) : reject(new ImageWriteError(`${words.failed}: ${err.trim() || `exit code ${code}`}`))))
    if (input !== undefined) {
      // The tool may exit (with its error) before it reads its input; its exit code tells.
      p.stdin!.once('error', () => undefined)
      p.stdin!.end(input)
    }
  })
}

/** util-linux's sfdisk (Debian's fdisk package), the agent's one partitioning tool. */
export function sfdisk(args: string[], input?: string): Promise<string> {
  return runTool('sfdisk', args, { cannot: 'cannot run sfdisk', missing: 'the ramdisk needs util-linux\'s sfdisk, Debian package fdisk', failed: `sfdisk ${args.join(' ')} failed` }, input)
}
