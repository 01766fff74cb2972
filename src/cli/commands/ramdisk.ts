import type { Command } from 'commander'
import { join, resolve } from 'node:path'
import { homedir } from 'node:os'

interface RamdiskOptions {
  out: string
  kernelDeb?: string
  apiUrl?: string
  iso: boolean
  cache?: string
}

/** `ferrum ramdisk build`: the deploy kernel, initramfs (with the agent) and ISO. */
export function registerRamdisk(program: Command): void {
  const ramdisk = program.command('ramdisk').description('The deploy ramdisk nodes network-boot (or boot from virtual media)')
  ramdisk
    .command('build')
    .description('Build deploy.kernel, deploy.initrd and deploy.iso from Debian\'s kernel, busybox-static, this machine\'s Node and the agent')
    .option('--out <dir>', 'where to write them', './ferrum-ramdisk')
    .option('--kernel-deb <file>', 'a linux-image-*-amd64 .deb to use instead of downloading one with apt-get')
    .option('--api-url <url>', 'bake ipa-api-url=URL into the ISO\'s kernel command line (else the agent takes it from DHCP option 224, which Ferrum\'s dnsmasq sends)')
    .option('--no-iso', 'skip the ISO (needs xorriso and isolinux)')
    .option('--cache <dir>', 'where downloaded kernel packages are kept (default ~/.cache/ferrum/kernel)')
    .addHelpText('after', '\nExample:\n  ferrum ramdisk build --out /srv/ferrum/ramdisk\n  openstack baremetal node set n1 --driver-info deploy_kernel=file:///srv/ferrum/ramdisk/deploy.kernel \\\n    --driver-info deploy_ramdisk=file:///srv/ferrum/ramdisk/deploy.initrd\n')
    .action(async (o: RamdiskOptions) => {
      const { buildRamdisk } = await import('../../ramdisk/build.js')
      const { agentBundlePath } = await import('../../lab/lab-agent.js')
      const out = resolve(o.out)
      const r = await buildRamdisk({
        outDir: out,
        cacheDir: o.cache ? resolve(o.cache) : join(homedir(), '.cache', 'ferrum', 'kernel'),
        agentBundle: agentBundlePath(),
        kernelDeb: o.kernelDeb ? resolve(o.kernelDeb) : undefined,
        apiUrl: o.apiUrl,
        iso: o.iso,
        log: (l) => process.stderr.write(`${l}\n`),
      })
      process.stdout.write([
        `Deploy ramdisk (kernel ${r.kernelVersion}) built in ${r.seconds.toFixed(1)} s:`,
        `  ${r.kernel}  sha256 ${r.sha256.kernel}`,
        `  ${r.initrd}  sha256 ${r.sha256.initrd}`,
        ...(r.iso ? [`  ${r.iso}  sha256 ${r.sha256.iso}`] : []),
        '',
      ].join('\n'))
    })
}
