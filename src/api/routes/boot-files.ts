/**
 * Ferrum's HTTP boot server: `GET|HEAD /boot/<path>` serves the files of `<dataDir>/httpboot`
 * (deploy ISOs, kernels, ramdisks, iPXE scripts) to BMCs and booting nodes. Not part of Ironic's
 * API (outside /v1). No directory listing; names that leave the directory are refused; a single
 * `Range: bytes=…` is honoured (206) so BMCs that fetch ISOs in pieces work.
 */
import { createReadStream } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import { resolve, sep } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import { ironicErrorBody } from '../errors.js'

/** URL prefix of the boot server on the API listener. */
export const BOOT_PREFIX = '/boot/'

const TYPES: Record<string, string> = {
  ipxe: 'text/plain; charset=utf-8',
  cfg: 'text/plain; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  iso: 'application/x-iso9660-image',
}

function notFound(reply: FastifyReply, path: string): FastifyReply {
  return reply.code(404).send(ironicErrorBody(`Boot file ${path} not found.`, 404, 'FERRUM_BOOT_FILE_NOT_FOUND'))
}

/** The decoded segments of `/boot/<path>`, or a string saying why the path is refused. */
function segmentsOf(url: string): string[] | 'bad-encoding' | 'refused' {
  const raw = url.split('?')[0].slice(BOOT_PREFIX.length)
  const segments: string[] = []
  for (const part of raw.split('/')) {
    let s: string
    try {
      s = decodeURIComponent(part)
    } catch {
      return 'bad-encoding'
    }
    if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')) return 'refused'
    segments.push(s)
  }
  return segments
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → an inclusive range; null for none/multiple; 'unsatisfiable' past the end. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (header === undefined) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return null
  if (m[1] === '') {
    const n = Number(m[2])
    if (n === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}

/** Registers the boot server's route when the app is given a boot directory (`ferrum up` does). */
export function registerBootFileRoutes(app: FastifyInstance, deps: AppDeps): void {
  const dir = deps.bootDir
  if (dir === undefined) return
  const root = resolve(dir)

  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const shown = req.url.split('?')[0]
    const segments = segmentsOf(req.url)
    if (segments === 'bad-encoding') return reply.code(400).send(ironicErrorBody('Invalid URL: it is not validly %-encoded.', 400, 'FERRUM_BAD_PATH'))
    if (segments === 'refused') return notFound(reply, shown)
    const path = resolve(root, ...segments)
    let real: string
    let realRoot: string
    try {
      ;[real, realRoot] = await Promise.all([realpath(path), realpath(root)])
    } catch {
      return notFound(reply, shown)
    }
    // Symbolic links may not lead out of the directory.
    if (!real.startsWith(realRoot + sep)) return notFound(reply, shown)
    let fh
    try {
      fh = await open(real, 'r')
    } catch {
      return notFound(reply, shown)
    }
    const st = await fh.stat()
    if (!st.isFile()) {
      await fh.close()
      return notFound(reply, shown)
    }
    const size = st.size
    const ext = segments[segments.length - 1].split('.').pop()?.toLowerCase() ?? ''
    void reply.header('Accept-Ranges', 'bytes')
    void reply.header('Last-Modified', st.mtime.toUTCString())
    const range = parseRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, size)
    if (range === 'unsatisfiable') {
      await fh.close()
      void reply.header('Content-Range', `bytes */${size}`)
      return reply.code(416).send(ironicErrorBody(`Range ${req.headers.range} is outside the ${size} bytes of ${shown}.`, 416, 'FERRUM_BAD_RANGE'))
    }
    void reply.header('Content-Type', TYPES[ext] ?? 'application/octet-stream')
    const start = range?.start ?? 0
    const end = range?.end ?? size - 1
    if (range !== null) {
      void reply.code(206)
      void reply.header('Content-Range', `bytes ${start}-${end}/${size}`)
    }
    void reply.header('Content-Length', String(end - start + 1))
    if (req.method === 'HEAD' || size === 0) {
      await fh.close()
      return reply.send()
    }
    // The open handle streams the file even if it is unpublished (unlinked) meanwhile.
    return reply.send(createReadStream('', { fd: fh, start, end, highWaterMark: 1024 * 1024 }))
  }

  const bootLog = deps.netboot?.bootLog
  app.route({
    method: ['GET', 'HEAD'],
    url: `${BOOT_PREFIX}*`,
    config: { anyArgs: true },
    handler,
    // Every answer is remembered for the boot-stage diagnostics (who fetched what, with which status).
    onResponse: async (req, reply) => {
      bootLog?.record({ at: Date.now(), ip: bootLog.clientOf(req.ip, req.socket.remotePort), path: req.url.split('?')[0], status: reply.statusCode })
    },
  })
}
