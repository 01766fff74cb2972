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

const HTTP_TITLES: Record<number, string> = { 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable' }

interface AjvError {
  instancePath?: string
  keyword?: string
  message?: string
  params?: Record<string, unknown>
}

/** Turns a schema validation failure into a message naming the field, the value and the rule. */
export function validationMessage(err: FastifyError & { validation?: AjvError[] }, body: unknown): string {
  const v = err.validation?.[0]
  if (!v) return err.message
  const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
  if (v.keyword === 'additionalProperties') {
    const extra = String(v.params?.additionalProperty ?? '')
    const at = path ? `${path}.${extra}` : extra
    return `Unknown attribute for argument ${err.validationContext ?? 'body'}: ${at}. Remove it; see the API reference for the fields this resource accepts.`
  }
  if (v.keyword === 'required') {
    const missing = String(v.params?.missingProperty ?? '')
    return `Mandatory field missing: ${path ? `${path}.` : ''}${missing}.`
  }
  const value = path ? lookup(body, path.split('.')) : body
  // A malformed UUID gets Ironic's text (common/args.py's uuid check).
  if (err.validation?.some((e) => e.keyword === 'format' && e.params?.format === 'uuid' && (e.instancePath ?? '') === (v.instancePath ?? '')) && typeof value === 'string') return `Expected UUID for ${path || 'uuid'}: ${value}`
  const shown = JSON.stringify(value)
  return `Invalid input for field/attribute ${path || err.validationContext || 'body'}. Value: ${shown === undefined ? 'undefined' : truncate(shown, 200)}. ${v.message ?? 'is invalid'}`
}

function lookup(v: unknown, parts: string[]): unknown {
  let cur = v
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[p]
  }
  return cur
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s
}

/** The single error handler: every error leaves in Ironic's body; bad input is never a 500. */
export function errorHandler(err: FastifyError & { validation?: AjvError[] }, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof FerrumError) {
    if (err.httpStatus >= 500) req.log.error({ err }, 'request failed')
    void reply.code(err.httpStatus).send(ironicErrorBody(err.message, err.httpStatus, err.code, err.details))
    return
  }
  if (err.validation) {
    void reply.code(400).send(ironicErrorBody(validationMessage(err, req.body), 400, 'FERRUM_INVALID'))
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
