// python-sushy (the library under Ironic's redfish and idrac drivers) against the lab Redfish
// BMC over HTTPS. The flow lives in test/fixtures/redfish/sushy_flow.py; this file asserts on
// what sushy printed and on the machine behind the BMC.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  type ImageServer,
  PASSWORD,
  type RunningBmc,
  USER,
  labMachine,
  repoRoot,
  run,
  startBmc,
  startImageServer,
} from '../helpers/redfish.js'

// Debian's python3-sushy is importable only by the system interpreter, not a `python3` on PATH.
const PYTHON = '/usr/bin/python3'
const SCRIPT = join(repoRoot(), 'test/fixtures/redfish/sushy_flow.py')

type Step = { step: string } & Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

async function sushy(config: Record<string, unknown>): Promise<Map<string, Step>> {
  const r = await run(PYTHON, [SCRIPT, JSON.stringify(config)], { timeoutMs: 50_000 })
  assert.equal(r.code, 0, `sushy flow failed:\n${r.stdout}\n${r.stderr}`)
  const steps = new Map<string, Step>()
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('{'))) {
    const s = JSON.parse(line) as Step
    steps.set(s.step, s)
  }
  return steps
}

const personalities = [
  {
    personality: 'generic',
    system: 'node-1',
    bios: { ProcTurboMode: 'Disabled', BootTimeoutSeconds: 12 },
    before: { ProcTurboMode: 'Enabled', BootTimeoutSeconds: 5 },
  },
  {
    personality: 'idrac',
    system: 'System.Embedded.1',
    bios: { LogicalProc: 'Disabled', SysProfile: 'PerfOptimized' },
    before: { LogicalProc: 'Enabled', SysProfile: 'PerfPerWattOptimizedDapc' },
  },
] as const

for (const p of personalities) {
  describe(`sushy against the ${p.personality} BMC over HTTPS`, () => {
    let h: RunningBmc
    let m: ReturnType<typeof labMachine>
    let images: ImageServer
    let dir: string
    let caPath: string
    const base = (): Record<string, unknown> => ({ url: h.url, user: USER, password: PASSWORD })

    before(async () => {
      m = labMachine()
      h = await startBmc({ machines: m.machine, personality: p.personality, tls: true })
      images = await startImageServer()
      dir = await mkdtemp(join(tmpdir(), 'ferrum-sushy-'))
      caPath = join(dir, 'bmc-ca.pem')
      await writeFile(caPath, h.certPem ?? '')
    })
    after(async () => {
      await h.stop()
      await images.stop()
      await rm(dir, { recursive: true, force: true })
    })

    test('the Ironic driver flow with verify=False: session, boot, power, virtual media, BIOS', async () => {
      const mgr = p.personality === 'idrac' ? '/redfish/v1/Managers/iDRAC.Embedded.1' : '/redfish/v1/Managers/BMC'
      const image = `${images.url}/boot.iso`
      const steps = await sushy({
        ...base(),
        verify: false,
        mode: 'full',
        image,
        slow_image: `${images.url}/slow.iso`,
        bad_image: `${images.url}/missing.iso`,
        bios_change: p.bios,
        ...(p.personality === 'idrac'
          ? { jobs_path: `${mgr}/Jobs`, delete_job_queue: `${mgr}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue` }
          : {}),
      })

      const login = steps.get('login')
      assert.equal(login?.session, true)
      assert.match(String(login?.session_uri), /\/redfish\/v1\/SessionService\/Sessions\/\w+$/)

      const sys = steps.get('system')
      assert.equal(sys?.id, p.system)
      assert.equal(sys?.power, 'Off')
      assert.equal(sys?.uuid, m.machine.hardware.uuid)

      assert.deepEqual(steps.get('boot-once')?.boot, { target: 'Pxe', enabled: 'Once', mode: 'UEFI' })
      // The one-time override was used by the power-on: the machine booted from the network.
      assert.equal(steps.get('power-on')?.power, 'On')
      assert.equal(steps.get('power-on')?.boot.enabled, 'Disabled')
      const firstOn = m.events.find((e) => e.kind === 'power-on')
      assert.deepEqual(firstOn, { kind: 'power-on', bootedFrom: 'pxe' })

      assert.deepEqual(steps.get('boot-continuous')?.boot, { target: 'Cd', enabled: 'Continuous', mode: 'UEFI' })

      const inserted = steps.get('inserted')
      assert.equal(inserted?.image, image)
      assert.equal(inserted?.inserted, true)
      // The restart after inserting booted the machine from the CD holding the fetched image.
      assert.ok(m.events.some((e) => e.kind === 'reset' && e.bootedFrom === 'cdrom'))
      assert.ok(m.events.some((e) => e.kind === 'virtual-media' && e.image === image))
      assert.equal(steps.get('ejected')?.inserted, false)
      assert.equal(steps.get('ejected')?.image, null)
      assert.deepEqual(images.requests.filter((u) => u.endsWith('.iso')), ['/boot.iso', '/slow.iso', '/missing.iso'])

      assert.equal(steps.get('async-inserted')?.status, 202)
      assert.equal(steps.get('async-inserted')?.final, 204)
      assert.equal(steps.get('async-inserted')?.running_at_first_poll, true)
      assert.equal(steps.get('async-inserted')?.task_state, 'Completed')
      assert.equal(steps.get('async-inserted')?.image, `${images.url}/slow.iso`)
      assert.equal(steps.get('async-inserted')?.inserted, true)

      const bad = steps.get('bad-insert')
      assert.equal(bad?.status, 400)
      assert.match(String(bad?.detail), /HTTP 404/)
      assert.equal(bad?.inserted, false)
      assert.equal(m.machine.virtualMedia(), null)

      assert.deepEqual(steps.get('bios-staged')?.pending, p.bios)
      assert.deepEqual(steps.get('bios-staged')?.current, p.before)
      assert.deepEqual(steps.get('bios-applied')?.current, p.bios)
      assert.deepEqual(steps.get('bios-applied')?.pending, {})
      if (p.personality === 'idrac') {
        assert.deepEqual(steps.get('jobs-before-reset')?.states, ['Scheduled'])
        assert.deepEqual(steps.get('jobs-after-reset')?.states, ['Completed'])
        assert.equal(steps.get('job-queue-deleted')?.status, 200)
        assert.deepEqual(steps.get('job-queue-deleted')?.states, [])
      }

      assert.equal(steps.get('power-off')?.power, 'Off')
      assert.equal(m.machine.powerState(), 'off')
      assert.equal(steps.get('logout')?.session, false)
      assert.deepEqual(h.bmc.service.sessions.list(), [])
      // Every change went through the machine, so its state matches what sushy saw.
      assert.deepEqual(m.machine.bootSetting(), { device: 'cdrom', persistent: true, mode: 'uefi' })
    })

    test('with the generated certificate as CA the TLS handshake verifies; the system CAs reject it', async () => {
      const ok = await sushy({ ...base(), verify: caPath, mode: 'connect' })
      assert.equal(ok.get('login')?.session, true)
      assert.equal(ok.get('system')?.id, p.system)
      assert.equal(ok.get('logout')?.session, false)
      const rejected = await sushy({ ...base(), verify: true, mode: 'connect' })
      assert.match(String(rejected.get('connect-failed')?.error), /CERTIFICATE_VERIFY_FAILED|certificate verify failed/)
    })
  })
}
