import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ValidationError } from '../domain/errors.js'
import { loadConfig } from '../config/load.js'
import { defaultBootUrl } from '../server/all-in-one.js'
import { bootFileUrl, localPathOf, publishBootFile, unpublishBootFile } from './boot-files.js'
import type { BootFiles } from './driver-context.js'

describe('boot files', () => {
  let tmp: string
  let files: BootFiles
  let src: string
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ferrum-boot-helper-'))
    files = { dir: join(tmp, 'httpboot'), baseUrl: 'http://10.0.0.5:6385/boot/' }
    src = join(tmp, 'deploy.iso')
    await writeFile(src, 'ISO bytes')
  })
  after(() => rm(tmp, { recursive: true, force: true }))

  test('localPathOf: absolute paths and file:// URLs are local; URLs and relative paths are not', () => {
    assert.equal(localPathOf('/srv/deploy.iso'), '/srv/deploy.iso')
    assert.equal(localPathOf('file:///srv/my%20deploy.iso'), '/srv/my deploy.iso')
    assert.equal(localPathOf('http://images/deploy.iso'), null)
    assert.equal(localPathOf('images/deploy.iso'), null)
    assert.equal(localPathOf('file://remote-host/x.iso'), null)
  })

  test('publish links the file in under its name and returns its URL; unpublish removes it and emptied folders', async () => {
    const url = await publishBootFile(files, src, 'vmedia/node-1/deploy.iso')
    assert.equal(url, 'http://10.0.0.5:6385/boot/vmedia/node-1/deploy.iso')
    const dest = join(files.dir, 'vmedia', 'node-1', 'deploy.iso')
    assert.equal(await readFile(dest, 'utf8'), 'ISO bytes')
    assert.equal(statSync(dest).ino, statSync(src).ino, 'hard-linked, not copied, on one file system')
    // Publishing again under the same name replaces it.
    const other = join(tmp, 'other.iso')
    await writeFile(other, 'other bytes')
    await publishBootFile(files, other, 'vmedia/node-1/deploy.iso')
    assert.equal(await readFile(dest, 'utf8'), 'other bytes')
    assert.deepEqual(await readdir(join(files.dir, 'vmedia', 'node-1')), ['deploy.iso'], 'no temporary files left')
    await unpublishBootFile(files, 'vmedia/node-1/deploy.iso')
    assert.equal(existsSync(join(files.dir, 'vmedia')), false)
    assert.equal(existsSync(files.dir), true)
    assert.equal(await readFile(src, 'utf8'), 'ISO bytes', 'the source is left alone')
    await unpublishBootFile(files, 'vmedia/node-1/deploy.iso')
  })

  test('bad names, missing files and directories are refused', async () => {
    for (const name of ['../x.iso', 'a/../../x.iso', '/abs.iso', 'a//b.iso', 'sp ace.iso', '']) {
      await assert.rejects(publishBootFile(files, src, name), ValidationError, name)
    }
    await assert.rejects(publishBootFile(files, join(tmp, 'missing.iso'), 'm.iso'), /missing\.iso.*no such file/)
    await assert.rejects(publishBootFile(files, tmp, 'd.iso'), /not a regular file/)
    assert.equal(bootFileUrl(files, 'a/b c.iso'), 'http://10.0.0.5:6385/boot/a/b%20c.iso')
  })
})

describe('api.bootUrl default', () => {
  const api = (flags: Record<string, unknown>) => loadConfig({ env: {}, flags: { api: flags } }).api
  test('publicUrl + /boot, else the listener with loopback for wildcard hosts', () => {
    assert.equal(defaultBootUrl(api({ publicUrl: 'https://ferrum.example:6385/' }), 6385), 'https://ferrum.example:6385/boot')
    assert.equal(defaultBootUrl(api({ host: '0.0.0.0' }), 41234), 'http://127.0.0.1:41234/boot')
    assert.equal(defaultBootUrl(api({ host: '192.0.2.7' }), 6385), 'http://192.0.2.7:6385/boot')
    assert.equal(defaultBootUrl(api({ host: '::' }), 6385), 'http://[::1]:6385/boot')
    assert.equal(defaultBootUrl(api({ host: 'fd00::7' }), 6385), 'http://[fd00::7]:6385/boot')
  })
  test('api.bootUrl is a setting (file, FERRUM_API__BOOT_URL, flags)', () => {
    assert.equal(loadConfig({ env: { FERRUM_API__BOOT_URL: 'http://192.0.2.1:8080/boot' } }).api.bootUrl, 'http://192.0.2.1:8080/boot')
  })
})
