/**
 * Runs openipmi's ipmi_sim (the Debian package's /usr/bin/ipmi_sim) as an independent IPMI LAN
 * BMC on 127.0.0.1, with a chassis_control hook script that keeps power and boot device in files
 * and logs every call. Configuration as in LAB-NOTES.md (§5, "Configuration that worked").
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtemp, readFile, rm, writeFile, chmod, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const IPMI_SIM = '/usr/bin/ipmi_sim'

// Called as `hook BMCDIR get power|boot` (prints power:N / boot:DEV) or `hook BMCDIR set WHAT VALUE`.
const HOOK = `#!/bin/sh
dir="$1"; shift
op="$1"; shift
echo "$op $*" >> "$dir/calls.log"
case "$op" in
  get)
    for what in "$@"; do
      case "$what" in
        power) echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)" ;;
        boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)" ;;
      esac
    done ;;
  set)
    case "$1" in
      power) echo "$2" > "$dir/power" ;;
      shutdown) echo 0 > "$dir/power" ;;
      boot) echo "$2" > "$dir/boot" ;;
    esac ;;
esac
exit 0
`

export interface IpmiSim {
  host: string
  port: number
  dir: string
  /** Lines the hook logged, e.g. "set power 1", "get boot". */
  calls(): Promise<string[]>
  /** Power as the hook keeps it ('1' on, '0' off). */
  power(): Promise<string>
  stop(): Promise<void>
}

/** A free UDP port on 127.0.0.1 (bound, read, released: ipmi_sim needs the number in its config). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const { port } = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

/** Starts ipmi_sim with user admin/secret. stop() kills exactly this process and removes the directory. */
export async function startIpmiSim(): Promise<IpmiSim> {
  const dir = await mkdtemp(join(tmpdir(), 'ferrum-ipmi-sim-'))
  const port = await freeUdpPort()
  const hook = join(dir, 'hook.sh')
  await writeFile(hook, HOOK)
  await chmod(hook, 0o755)
  await mkdir(join(dir, 'state'))
  await writeFile(
    join(dir, 'lan.conf'),
    [
      'name "ferrumsim"',
      'set_working_mc 0x20',
      '  startlan 1',
      `    addr 127.0.0.1 ${port}`,
      '    priv_limit admin',
      '    allowed_auths_callback none md2 md5 straight',
      '    allowed_auths_user none md2 md5 straight',
      '    allowed_auths_operator none md2 md5 straight',
      '    allowed_auths_admin none md2 md5 straight',
      '    guid a123456789abcdefa123456789abcdef',
      '  endlan',
      `  chassis_control "${hook} ${dir}"`,
      '  user 2 true  "admin" "secret" admin 10 none md2 md5 straight',
      '',
    ].join('\n'),
  )
  await writeFile(
    join(dir, 'bmc.emu'),
    ['mc_setbmc 0x20', 'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr', 'sel_enable 0x20 1000 0x0a', 'mc_enable 0x20', ''].join('\n'),
  )
  const child: ChildProcess = spawn(IPMI_SIM, ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', join(dir, 'state'), '-n'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const read = async (name: string) => (await readFile(join(dir, name), 'utf8').catch(() => '')).trim()
  return {
    host: '127.0.0.1',
    port,
    dir,
    calls: async () => (await read('calls.log')).split('\n').filter(Boolean),
    power: async () => (await read('power')) || '0',
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
      if (stderr && /error/i.test(stderr)) process.stderr.write(`ipmi_sim stderr: ${stderr}\n`)
    },
  }
}
