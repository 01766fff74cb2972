/**
 * Publishing files through Ferrum's HTTP boot server without touching HTTP: a file is
 * hard-linked (or, across file systems, copied) into the served directory under a relative
 * name and fetched by BMCs and nodes at `baseUrl/<name>`. Removing it takes it off the server.
 */
import { copyFile, link, mkdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ValidationError } from '../domain/errors.js'
import type { BootFiles } from './driver-context.js'

/**
 * The local path a location names: an absolute path or a `file://` URL. Anything else (http(s)
 * URLs, relative paths, other schemes) is null.
 */
export function localPathOf(location: string): string | null {
  if (location.startsWith('file:')) {
    try {
      return fileURLToPath(location)
    } catch {
      return null
    }
  }
  return isAbsolute(location) ? location : null
}

/** Checks a relative name (segments of [A-Za-z0-9._-], no `.`/`..`) and returns its path under `dir`. */
function target(files: BootFiles, name: string): string {
  const segments = name.split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..' || !/^[A-Za-z0-9._-]+$/.test(s))) {
    throw new ValidationError(`Invalid boot file name "${name}": use /-separated segments of letters, digits, ".", "_" and "-".`)
  }
  const root = resolve(files.dir)
  const path = resolve(root, ...segments)
  if (!path.startsWith(root + sep)) throw new ValidationError(`Invalid boot file name "${name}".`)
  return path
}

/** The URL of a published name. */
export function bootFileUrl(files: BootFiles, name: string): string {
  return `${files.baseUrl.replace(/\/+$/, '')}/${name.split('/').map(encodeURIComponent).join('/')}`
}

/**
 * Makes `localPath` available as `name` (relative, e.g. `vmedia/<node>/deploy.iso`) on the boot
 * server and returns its URL. Replaces what was published under that name before, atomically.
 * @throws ValidationError when the file does not exist or is not a regular file
 */
export async function publishBootFile(files: BootFiles, localPath: string, name: string): Promise<string> {
  const dest = target(files, name)
  let st
  try {
    st = await stat(localPath)
  } catch (e) {
    throw new ValidationError(`Cannot publish ${localPath} on the boot server: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`)
  }
  if (!st.isFile()) throw new ValidationError(`Cannot publish ${localPath} on the boot server: not a regular file.`)
  await mkdir(dirname(dest), { recursive: true })
  const tmp = `${dest}.${process.pid}.${Date.now()}.tmp`
  try {
    await link(localPath, tmp)
  } catch {
    // Another file system (EXDEV) or no hard links allowed: copy instead.
    await copyFile(localPath, tmp)
  }
  try {
    await rename(tmp, dest)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
  return bootFileUrl(files, name)
}

/** Takes `name` off the boot server (no error when it is not there) and prunes emptied folders. */
export async function unpublishBootFile(files: BootFiles, name: string): Promise<void> {
  const dest = target(files, name)
  await rm(dest, { force: true })
  const root = resolve(files.dir)
  for (let dir = dirname(dest); dir !== root && relative(root, dir) !== '' && !relative(root, dir).startsWith('..'); dir = dirname(dir)) {
    try {
      await rmdir(dir)
    } catch {
      break
    }
  }
}

/** `<dir>/<name>`, for callers that write a file in place (e.g. generated iPXE scripts). */
export function bootFilePath(files: BootFiles, name: string): string {
  return target(files, name)
}
