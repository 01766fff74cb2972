import { open } from 'node:fs/promises'

/** The first `n` bytes of a (sparse, possibly huge) disk file; fewer when the file is shorter. */
export async function fileHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(n)
    const { bytesRead } = await fh.read(buf, 0, n, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}
