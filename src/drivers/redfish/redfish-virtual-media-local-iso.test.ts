// A deploy ISO that is a local file on the conductor: the virtual media boot interfaces publish
// it on Ferrum's HTTP boot server (the real API app, listening on loopback), the lab BMC really
// fetches it from there, and ejecting takes it off the server again.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { after, before, describe, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { build } from '../../api/app.js'
import { buildTestApp, type TestApp } from '../../../test/helpers/app.js'
import type { BootFiles, DriverContext } from '../driver-context.js'
import { IdracRedfishVirtualMediaBoot } from '../idrac/idrac-redfish-virtual-media-boot.js'
import type { BootInterface } from '../interfaces/boot.js'
import { type RedfishLab, startIsoServer, startRedfishLab } from '../../../test/helpers/redfish-test-kit.js'
import { RedfishVirtualMediaBoot, VMEDIA_KEY } from './redfish-virtual-media-boot.js'

let t: TestApp
let app: FastifyInstance
let tmp: string
let bootFiles: BootFiles
let deployIso: string
let instanceIso: string

function isoImage(label: string): Buffer {
  const image = Buffer.alloc(48 * 1024, 0)
  image.write('CD001', 0x8001, 'ascii')
  image.write(label, 0x8028, 'ascii')
  return image
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ferrum-vmedia-local-'))
  const dir = join(tmp, 'httpboot')
  await mkdir(dir)
  await mkdir(join(tmp, 'images'))
  deployIso = join(tmp, 'images', 'deploy.iso')
  instanceIso = join(tmp, 'images', 'instance.iso')
  await writeFile(deployIso, isoImage('FERRUM-DEPLOY'))
  await writeFile(instanceIso, isoImage('FERRUM-INSTANCE'))
  t = await buildTestApp()
  app = await build({ store: t.store, conductor: t.conductor, bootDir: dir })
  await app.listen({ host: '127.0.0.1', port: 0 })
  bootFiles = { dir, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/boot` }
})

after(async () => {
  await app?.close()
  await t?.close()
  await rm(tmp, { recursive: true, force: true })
})

/** Files under the boot directory, relative. */
async function published(): Promise<string[]> {
  return (await readdir(bootFiles.dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(bootFiles.dir.length + 1)).sort()
}

for (const personality of ['generic', 'idrac'] as const) {
  describe(`${personality === 'idrac' ? 'IdracRedfishVirtualMediaBoot' : 'RedfishVirtualMediaBoot'}: a local deploy ISO is served from Ferrum's boot server`, () => {
    let lab: RedfishLab
    let boot: BootInterface
    const ctx = (driverInfo: Record<string, unknown>, instanceInfo: Record<string, unknown> = {}, internalInfo: Record<string, unknown> = {}): DriverContext => {
      const node = lab.node(driverInfo, { instanceInfo, driverInternalInfo: internalInfo })
      return { ...lab.ctx(node), bootFiles }
    }
    before(async () => {
      lab = await startRedfishLab(personality, { asyncVirtualMedia: personality === 'idrac' })
      boot = personality === 'idrac'
        ? new IdracRedfishVirtualMediaBoot({ connections: lab.connections, pollMs: 20 })
        : new RedfishVirtualMediaBoot({ connections: lab.connections, pollMs: 20 })
    })
    after(async () => lab.stop())

    test('prepareRamdisk publishes the file, the BMC fetches it from /boot and boots it; cleanUpRamdisk ejects and unpublishes', async () => {
      const c = ctx({ redfish_deploy_iso: deployIso })
      boot.validate(c.node)
      await boot.prepareRamdisk(c, {})
      const url = `${bootFiles.baseUrl}/vmedia/${c.node.uuid}/deploy.iso`
      assert.deepEqual(lab.machine.virtualMedia(), { image: url, inserted: true })
      // What the BMC fetched from Ferrum is the file itself.
      const fetched = lab.machine.virtualMediaPath()
      assert.ok(fetched !== null)
      assert.ok((await readFile(fetched)).equals(await readFile(deployIso)))
      assert.deepEqual(lab.events.filter((e) => e.kind === 'virtual-media').at(-1), { kind: 'virtual-media', image: url })
      assert.deepEqual(lab.machine.bootSetting(), { device: 'cdrom', persistent: false, mode: 'uefi' })
      assert.deepEqual(c.internalInfo[VMEDIA_KEY], { slot: (c.internalInfo[VMEDIA_KEY] as { slot: string }).slot, image: url, published: `vmedia/${c.node.uuid}/deploy.iso` })
      assert.deepEqual(await published(), [`vmedia/${c.node.uuid}/deploy.iso`])

      await boot.cleanUpRamdisk(c)
      assert.equal(lab.machine.virtualMedia(), null)
      assert.deepEqual(lab.events.filter((e) => e.kind === 'virtual-media').at(-1), { kind: 'virtual-media', image: null })
      assert.equal(c.internalInfo[VMEDIA_KEY], undefined)
      assert.deepEqual(await published(), [])
      assert.ok(existsSync(deployIso), 'the operator\'s file is left alone')
      const gone = await fetch(url)
      assert.equal(gone.status, 404)
    })

    test('file:// URLs work too; swapping to an instance boot_iso unpublishes the deploy ISO', async () => {
      const c = ctx({ redfish_deploy_iso: pathToFileURL(deployIso).href }, { boot_iso: instanceIso })
      await boot.prepareRamdisk(c, {})
      assert.deepEqual(await published(), [`vmedia/${c.node.uuid}/deploy.iso`])
      await boot.prepareInstance(c)
      const url = `${bootFiles.baseUrl}/vmedia/${c.node.uuid}/instance.iso`
      assert.deepEqual(lab.machine.virtualMedia(), { image: url, inserted: true })
      assert.ok((await readFile(lab.machine.virtualMediaPath()!)).equals(await readFile(instanceIso)))
      assert.deepEqual(await published(), [`vmedia/${c.node.uuid}/instance.iso`])
      await boot.cleanUpInstance(c)
      assert.equal(lab.machine.virtualMedia(), null)
      assert.deepEqual(await published(), [])
    })

    test('an http(s) URL is passed through untouched; nothing is published', async () => {
      const iso = await startIsoServer()
      try {
        const c = ctx({ redfish_deploy_iso: `${iso.url}/deploy.iso` })
        await boot.prepareRamdisk(c, {})
        assert.deepEqual(lab.machine.virtualMedia(), { image: `${iso.url}/deploy.iso`, inserted: true })
        assert.deepEqual(iso.requests, ['/deploy.iso'])
        assert.equal((c.internalInfo[VMEDIA_KEY] as { published?: string }).published, undefined)
        assert.deepEqual(await published(), [])
        await boot.cleanUpRamdisk(c)
        assert.equal(lab.machine.virtualMedia(), null)
      } finally {
        await iso.stop()
      }
    })

    test('a missing local file or no boot server fails clearly and inserts nothing', async () => {
      await assert.rejects(boot.prepareRamdisk(ctx({ redfish_deploy_iso: join(tmp, 'images', 'missing.iso') }), {}), /missing\.iso.*no such file/)
      const noServer = lab.ctx(lab.node({ redfish_deploy_iso: deployIso }))
      await assert.rejects(boot.prepareRamdisk(noServer, {}), /local file.*no HTTP boot server/)
      assert.equal(lab.machine.virtualMedia(), null)
      assert.deepEqual(await published(), [])
    })
  })
}
