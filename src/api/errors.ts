import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { FerrumError } from '../domain/errors.js'
import type { ErrorCode } from '../domain/error-codes.js'

/**
 * Ironic's error body: a JSON document whose `error_message` is itself a JSON string, which the
 * Ironic client and openstacksdk parse. Ferrum's stable error code rides along inside it.
 */
export function ironicErrorBody(message: string, status: number, code?: ErrorCode, extra?: Record<string, unknown>): { error_message: string } {
  if (extra && typeof extra.ferrum_pecan === 'string') {
    // An error Ironic raises from its router: webob's body, Ferrum's fields beside it.
    const { ferrum_pecan: description, ...rest } = extra
    return { error_message: JSON.stringify({ code: status, title: HTTP_TITLES[status] ?? 'Error', description, ...(code ? { ferrum_code: code } : {}), ...rest }) }
  }
  return {
    error_message: JSON.stringify({
      faultstring: message,
      faultcode: status >= 500 ? 'Server' : 'Client',
      debuginfo: null,
      ...(code ? { ferrum_code: code } : {}),
      ...(extra ?? {}),
    }),
  }
}

const HTTP_TITLES: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable' }

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s
}

/** The single error handler: every error leaves in Ironic's body; bad input is never a 500. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof FerrumError) {
    if (err.httpStatus >= 500) req.log.error({ err }, 'request failed')
    void reply.code(err.httpStatus).send(ironicErrorBody(err.message, err.httpStatus, err.code, err.details))
    return
  }
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) {
    let msg = err.message
    // Fastify's own codes (FST_ERR_…) are not part of Ferrum's contract: map them to registered ones.
    let code: ErrorCode = 'FERRUM_INVALID'
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      msg = `Unsupported Content-Type ${req.headers['content-type'] ?? ''}: send application/json.`
      code = 'FERRUM_UNSUPPORTED_MEDIA_TYPE'
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      msg = 'Request body is too large.'
      code = 'FERRUM_BODY_TOO_LARGE'
    } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      msg = 'Request body is empty: send a JSON document.'
      code = 'FERRUM_INVALID_JSON'
    }
    void reply.code(status).send(ironicErrorBody(msg, status, code))
    return
  }
  req.log.error({ err }, 'unexpected error')
  void reply.code(500).send(ironicErrorBody('Internal server error; see the Ferrum log for details.', 500, 'FERRUM_INTERNAL'))
}
