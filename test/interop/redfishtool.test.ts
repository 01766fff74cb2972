// Debian's redfishtool (an independent DMTF client) against the lab Redfish BMC, both
// personalities, over HTTP and HTTPS. Asserts on redfishtool's output and on the machine.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { PASSWORD, type RunningBmc, USER, labMachine, run } from '../helpers/redfish.js'
import { startBmc } from '../helpers/redfish.js'

const REDFISHTOOL = '/usr/bin/redfishtool'

const cases = [
  { personality: 'generic', tls: false, secure: 'Never', system: 'node-1', manager: 'BMC' },
  { personality: 'idrac', tls: true, secure: 'Always', system: 'System.Embedded.1', manager: 'iDRAC.Embedded.1' },
] as const

for (const c of cases) {
  describe(`redfishtool against the ${c.personality} BMC (${c.tls ? 'HTTPS' : 'HTTP'})`, () => {
    let h: RunningBmc
    let m: ReturnType<typeof labMachine>
    const tool = async (args: string[], opts: { user?: string; password?: string } = {}) => {
      const r = await run(REDFISHTOOL, [
        '-r', `127.0.0.1:${h.port}`,
        '-u', opts.user ?? USER,
        '-p', opts.password ?? PASSWORD,
        '-S', c.secure,
        '-T', '10',
        ...args,
      ])
      return r
    }
    const json = (stdout: string): Record<string, unknown> => JSON.parse(stdout) as Record<string, unknown>

    before(async () => {
      m = labMachine()
      h = await startBmc({ machines: m.machine, personality: c.personality, tls: c.tls })
    })
    after(() => h.stop())

    test('Systems list and get', async () => {
      const list = await tool(['Systems', 'list'])
      assert.equal(list.code, 0, list.stderr)
      const members = json(list.stdout).Members as { Id: string; '@odata.id': string }[]
      assert.deepEqual(members.map((x) => x.Id), [c.system])
      const get = await tool(['Systems', '-I', c.system, 'get'])
      assert.equal(get.code, 0, get.stderr)
      const sys = json(get.stdout)
      assert.equal(sys.Id, c.system)
      assert.equal(sys.PowerState, 'Off')
      assert.equal(sys.UUID, m.machine.hardware.uuid)
      const nics = await tool(['Systems', '-I', c.system, 'EthernetInterfaces', '-a'])
      assert.equal(nics.code, 0, nics.stderr)
      assert.match(nics.stdout, /52:54:00:aa:00:01/)
      assert.match(nics.stdout, /52:54:00:aa:00:02/)
    })

    test('reset On / GracefulShutdown / ForceOff reach the machine', async () => {
      const on = await tool(['Systems', '-I', c.system, 'reset', 'On'])
      assert.equal(on.code, 0, on.stderr)
      assert.equal(m.machine.powerState(), 'on')
      const prop = await tool(['Systems', '-I', c.system, '-P', 'PowerState', 'get'])
      assert.deepEqual(json(prop.stdout), { PowerState: 'On' })
      m.events.length = 0
      const soft = await tool(['Systems', '-I', c.system, 'reset', 'GracefulShutdown'])
      assert.equal(soft.code, 0, soft.stderr)
      assert.deepEqual(m.events, [{ kind: 'power-off', soft: true }])
      await tool(['Systems', '-I', c.system, 'reset', 'On'])
      const off = await tool(['Systems', '-I', c.system, 'reset', 'ForceOff'])
      assert.equal(off.code, 0, off.stderr)
      assert.equal(m.machine.powerState(), 'off')
    })

    test('setBootOverride Once / Continuous / Disabled (PATCH with the ETag redfishtool read)', async () => {
      const once = await tool(['Systems', '-I', c.system, 'setBootOverride', 'Once', 'Pxe'])
      assert.equal(once.code, 0, once.stderr)
      assert.deepEqual(m.machine.bootSetting(), { device: 'pxe', persistent: false, mode: 'uefi' })
      const boot = json((await tool(['Systems', '-I', c.system, '-P', 'Boot', 'get'])).stdout).Boot as Record<string, string>
      assert.equal(boot.BootSourceOverrideTarget, 'Pxe')
      assert.equal(boot.BootSourceOverrideEnabled, 'Once')
      const cont = await tool(['Systems', '-I', c.system, 'setBootOverride', 'Continuous', 'Cd'])
      assert.equal(cont.code, 0, cont.stderr)
      assert.deepEqual(m.machine.bootSetting(), { device: 'cdrom', persistent: true, mode: 'uefi' })
      m.events.length = 0
      await tool(['Systems', '-I', c.system, 'reset', 'On'])
      assert.deepEqual(m.events.find((e) => e.kind === 'power-on'), { kind: 'power-on', bootedFrom: 'cdrom' })
      const off = await tool(['Systems', '-I', c.system, 'setBootOverride', 'Disabled'])
      assert.equal(off.code, 0, off.stderr)
      assert.equal(m.machine.bootSetting().device, 'none')
      const bad = await tool(['Systems', '-I', c.system, 'setBootOverride', 'Once', 'UefiTarget'])
      assert.notEqual(bad.code, 0)
      assert.equal(m.machine.bootSetting().device, 'none')
      await tool(['Systems', '-I', c.system, 'reset', 'ForceOff'])
    })

    test('session authentication logs in and out; wrong password is a 401', async () => {
      const r = await tool(['-A', 'Session', 'Systems', '-I', c.system, '-P', 'PowerState', 'get'])
      assert.equal(r.code, 0, r.stderr)
      assert.deepEqual(json(r.stdout), { PowerState: 'Off' })
      assert.deepEqual(h.bmc.service.sessions.list(), [])
      const denied = await tool(['Systems', 'list'], { password: 'wrong' })
      assert.notEqual(denied.code, 0)
      assert.match(denied.stderr + denied.stdout, /401/)
    })

    test('Managers, Chassis and raw GET of virtual media', async () => {
      const managers = await tool(['Managers', 'list'])
      assert.equal(managers.code, 0, managers.stderr)
      assert.deepEqual((json(managers.stdout).Members as { Id: string }[]).map((x) => x.Id), [c.manager])
      const chassis = await tool(['Chassis', 'list'])
      assert.equal(chassis.code, 0, chassis.stderr)
      const raw = await tool(['raw', 'GET', `/redfish/v1/Managers/${c.manager}/VirtualMedia`])
      assert.equal(raw.code, 0, raw.stderr)
      assert.equal(json(raw.stdout)['Members@odata.count'], 2)
    })
  })
}
