/**
 * The image lab VMs deploy: a small whole-disk image that really boots. Its MBR boot code (16-bit
 * x86, run by SeaBIOS from the first disk) writes {@link VM_OS_MARKER} to the first serial port
 * and halts, so a node's serial console proves it booted from the disk the agent wrote. Behind it
 * an MBR partition table with one Linux partition of deterministic bytes, so the written disk is
 * checked byte for byte and inspection sees a partitioned disk.
 */
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

export const VM_OS_MARKER = 'FERRUM-VM-OS booted from disk'
export const VM_IMAGE_BYTES = 8 * 1024 * 1024

/**
 * cli; xor ax,ax; mov ds,ax; mov si,msg; mov dx,0x3f8
 * next: lodsb; test al,al; jz halt; out dx,al; jmp next
 * halt: hlt; jmp halt
 * msg: (at 0x7c16)
 */
const BOOT_CODE = [0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x16, 0x7c, 0xba, 0xf8, 0x03, 0xac, 0x84, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8, 0xf4, 0xeb, 0xfd]

/** The image's bytes. */
export function vmOsImage(): Buffer {
  const img = Buffer.alloc(VM_IMAGE_BYTES)
  Buffer.from(BOOT_CODE).copy(img, 0)
  img.write(`\r\n${VM_OS_MARKER}\r\n\0`, BOOT_CODE.length, 'latin1')
  // One partition: type 0x83, from sector 2048 to the end.
  const start = 2048
  const sectors = VM_IMAGE_BYTES / 512 - start
  const e = 446
  img[e] = 0x80
  img[e + 4] = 0x83
  img.writeUInt32LE(start, e + 8)
  img.writeUInt32LE(sectors, e + 12)
  img[510] = 0x55
  img[511] = 0xaa
  // Deterministic content in the partition's first MiB (the rest stays a hole).
  let x = 0x2545f491
  for (let off = start * 512; off < start * 512 + 1024 * 1024; off += 4) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    img.writeInt32LE(x | 0, off)
  }
  return img
}

/** Writes the image at `path`; returns its sha256. */
export async function writeVmOsImage(path: string): Promise<string> {
  const img = vmOsImage()
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, img)
  return createHash('sha256').update(img).digest('hex')
}
