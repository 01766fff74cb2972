import { test } from 'node:test'
import assert from 'node:assert/strict'
import { qemuArgs } from './qemu-vm.js'
import { VM_IMAGE_BYTES, VM_OS_MARKER, vmOsImage } from './vm-os-image.js'

const vm = { name: 'n1', macs: ['52:54:00:a0:00:01', '52:54:00:a1:00:01'], taps: ['t0', 't1'], disks: ['/d/disk0.raw'], memoryMiB: 1024, cpus: 1, consolePath: '/d/serial.log' }

test('QEMU argv: a virtio NIC per MAC on its tap, the disk with zero writes as holes, the serial console appended, the boot order by device', () => {
  const pxe = qemuArgs(vm, 'pxe', null).join(' ')
  assert.match(pxe, /-netdev tap,id=n0,ifname=t0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=52:54:00:a0:00:01/)
  assert.match(pxe, /-netdev tap,id=n1,ifname=t1,.*,mac=52:54:00:a1:00:01/)
  assert.match(pxe, /-drive file=\/d\/disk0\.raw,format=raw,if=virtio,discard=unmap,detect-zeroes=unmap/)
  assert.match(pxe, /-chardev file,id=s0,path=\/d\/serial\.log,append=on -serial chardev:s0/)
  assert.match(pxe, /-boot order=n$/)
  assert.match(qemuArgs(vm, 'disk', null).join(' '), /-boot order=c$/)
  const cd = qemuArgs(vm, 'cdrom', '/d/deploy.iso').join(' ')
  assert.match(cd, /-drive file=\/d\/deploy\.iso,media=cdrom,readonly=on -boot order=d$/)
  // A CD boot without media falls back to the disk.
  assert.match(qemuArgs(vm, 'cdrom', null).join(' '), /-boot order=c$/)
})

test('the VM image: MBR boot code that prints the marker to COM1, a partition table, boot signature', () => {
  const img = vmOsImage()
  assert.equal(img.length, VM_IMAGE_BYTES)
  assert.deepEqual([img[510], img[511]], [0x55, 0xaa])
  // mov dx,0x3f8 … out dx,al: the code writes to the first serial port.
  assert.ok(img.subarray(0, 32).includes(Buffer.from([0xba, 0xf8, 0x03])))
  assert.ok(img.subarray(0, 446).includes(Buffer.from(VM_OS_MARKER, 'latin1')))
  // mov si,0x7c16 points at the message right after the 22 bytes of code.
  assert.equal(img.readUInt16LE(6), 0x7c00 + 22)
  assert.equal(img.subarray(22, 24).toString('latin1'), '\r\n')
  assert.equal(img[446 + 4], 0x83)
  assert.equal(img.readUInt32LE(446 + 8), 2048)
  assert.ok(vmOsImage().equals(img), 'the image is deterministic')
})
