/**
 * The system a lab node's ramdisk sees: a small tree with the files the agent reads on real
 * hardware (/proc/cpuinfo, /proc/meminfo, /sys/block, /sys/class/net, /sys/class/dmi/id,
 * /sys/firmware/efi on UEFI nodes) describing the virtual node, and /dev/vdX as symlinks to its
 * disk files. The agent runs with this directory as its root (FERRUM_LAB_ROOT), so inventory,
 * root device hints and image writes work exactly as on a real machine.
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { LabBootMode, LabHardware } from './machine.js'

/** Device names of a node's disks, in order: vda, vdb, … */
export function labDiskDevice(index: number): string {
  return `vd${String.fromCharCode(97 + index)}`
}

async function put(root: string, rel: string, content: string): Promise<void> {
  const path = join(root, rel)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, content.endsWith('\n') ? content : `${content}\n`)
}

/** (Re)creates the tree under `root` for `hw`. */
export async function writeLabSysroot(root: string, hw: LabHardware, opts: { name: string; bootMode: LabBootMode }): Promise<void> {
  await rm(root, { recursive: true, force: true })
  const cpu = Array.from({ length: hw.cpus }, (_, i) =>
    [`processor\t: ${i}`, 'vendor_id\t: FerrumLab', `model name\t: ${hw.cpuModel}`, 'cpu MHz\t\t: 2400.000', 'physical id\t: 0', `core id\t\t: ${i}`, 'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm vmx'].join('\n'),
  ).join('\n\n')
  await put(root, 'proc/cpuinfo', `${cpu}\n`)
  await put(root, 'proc/meminfo', `MemTotal:       ${hw.memoryMiB * 1024} kB\nMemFree:        ${Math.floor(hw.memoryMiB * 900)} kB\n`)
  await put(root, 'proc/cmdline', 'BOOT_IMAGE=ferrum-lab-ramdisk')
  await put(root, 'sys/ferrum_arch', hw.cpuArch)
  await put(root, 'etc/hostname', opts.name)
  for (const [i, disk] of hw.disks.entries()) {
    const dev = labDiskDevice(i)
    await put(root, `sys/block/${dev}/size`, String(Math.floor(disk.sizeBytes / 512)))
    await put(root, `sys/block/${dev}/queue/rotational`, '0')
    await put(root, `sys/block/${dev}/device/model`, 'Ferrum Lab Disk')
    await put(root, `sys/block/${dev}/device/vendor`, '0x1af4')
    await put(root, `sys/block/${dev}/serial`, `${hw.serialNumber}-D${i}`)
    await mkdir(join(root, 'dev/disk/by-path'), { recursive: true })
    await symlink(disk.path, join(root, 'dev', dev))
    await symlink(`../../${dev}`, join(root, 'dev/disk/by-path', `pci-0000:00:0${4 + i}.0`))
  }
  for (const nic of hw.nics) {
    await put(root, `sys/class/net/${nic.name}/address`, nic.mac)
    await put(root, `sys/class/net/${nic.name}/carrier`, '1')
    await put(root, `sys/class/net/${nic.name}/speed`, '10000')
    await put(root, `sys/class/net/${nic.name}/device/vendor`, '0x1af4')
    await put(root, `sys/class/net/${nic.name}/device/device`, '0x1000')
  }
  await put(root, 'sys/class/dmi/id/product_name', hw.model)
  await put(root, 'sys/class/dmi/id/product_serial', hw.serialNumber)
  await put(root, 'sys/class/dmi/id/sys_vendor', hw.manufacturer)
  await put(root, 'sys/class/dmi/id/product_uuid', hw.uuid)
  await put(root, 'sys/class/dmi/id/bios_vendor', 'Ferrum Lab Firmware')
  await put(root, 'sys/class/dmi/id/bios_version', '1.0')
  await put(root, 'sys/class/dmi/id/bios_date', '01/01/2026')
  if (opts.bootMode === 'uefi') await mkdir(join(root, 'sys/firmware/efi'), { recursive: true })
}
