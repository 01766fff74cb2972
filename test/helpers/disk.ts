import { readBootHead } from '../../src/lab/lab-os-image.js'

/** The first `n` bytes of a (sparse, possibly huge) disk file; fewer when the file is shorter. */
export function fileHead(path: string, n: number): Promise<Buffer> {
  return readBootHead(path, n)
}
