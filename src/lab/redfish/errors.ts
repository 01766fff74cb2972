/**
 * Redfish error responses (DSP0266 §9.7 "Error responses"): an `error` object with a `code`, a
 * `message` and `@Message.ExtendedInfo`, whose entries carry MessageIds from the DMTF Base
 * message registry. Handlers throw `RedfishHttpError`; the server turns it into the body.
 */
export const BASE_REGISTRY = 'Base.1.16'

export interface RedfishMessage {
  messageId: string
  message: string
  args?: readonly string[]
  relatedProperties?: readonly string[]
  severity?: 'OK' | 'Warning' | 'Critical'
  resolution?: string
}

export class RedfishHttpError extends Error {
  readonly status: number
  readonly info: RedfishMessage
  readonly headers: Record<string, string>

  constructor(status: number, info: RedfishMessage, headers: Record<string, string> = {}) {
    super(info.message)
    this.name = 'RedfishHttpError'
    this.status = status
    this.info = info
    this.headers = headers
  }
}

/** The JSON body of an error response. */
export function errorBody(info: RedfishMessage): Record<string, unknown> {
  return {
    error: {
      code: `${BASE_REGISTRY}.GeneralError`,
      message: `${info.message} See @Message.ExtendedInfo for more information.`,
      '@Message.ExtendedInfo': [extendedInfo(info)],
    },
  }
}

/** One Message object, as used in error bodies, task Messages and settings Messages. */
export function extendedInfo(info: RedfishMessage): Record<string, unknown> {
  const severity = info.severity ?? 'Critical'
  return {
    '@odata.type': '#Message.v1_1_1.Message',
    MessageId: info.messageId,
    Message: info.message,
    MessageArgs: info.args ?? [],
    ...(info.relatedProperties ? { RelatedProperties: info.relatedProperties } : {}),
    Severity: severity,
    MessageSeverity: severity,
    Resolution: info.resolution ?? 'None.',
  }
}

const id = (name: string): string => `${BASE_REGISTRY}.${name}`

// One constructor per Base registry message the emulator uses.
export const errors = {
  notFound: (path: string): RedfishHttpError =>
    new RedfishHttpError(404, {
      messageId: id('ResourceNotFound'),
      message: `The requested resource of type Resource named '${path}' was not found.`,
      args: ['Resource', path],
      resolution: 'Provide a valid resource identifier and resubmit the request.',
    }),
  methodNotAllowed: (method: string, allow: readonly string[]): RedfishHttpError =>
    new RedfishHttpError(
      405,
      {
        messageId: id('OperationNotAllowed'),
        message: `The HTTP method ${method} is not allowed on this resource.`,
        resolution: `Use one of: ${allow.join(', ')}.`,
      },
      { Allow: allow.join(', ') },
    ),
  malformedJson: (): RedfishHttpError =>
    new RedfishHttpError(400, {
      messageId: id('MalformedJSON'),
      message: 'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
      resolution: 'Ensure that the request body is valid JSON and resubmit the request.',
    }),
  payloadTooLarge: (limit: number): RedfishHttpError =>
    new RedfishHttpError(
      413,
      {
        messageId: id('PayloadTooLarge'),
        message: `The request body is larger than the ${limit} bytes this service accepts.`,
      },
      { Connection: 'close' },
    ),
  noValidSession: (): RedfishHttpError =>
    new RedfishHttpError(
      401,
      {
        messageId: id('NoValidSession'),
        message: 'There is no valid session established with the implementation.',
        resolution: 'Establish a session before attempting any operations.',
      },
      { 'WWW-Authenticate': 'Basic realm="RedfishService"' },
    ),
  loginFailed: (): RedfishHttpError =>
    new RedfishHttpError(401, {
      messageId: id('InsufficientPrivilege'),
      message: 'The user name or password supplied is not valid.',
      resolution: 'Check the credentials and resubmit the request.',
    }),
  preconditionFailed: (): RedfishHttpError =>
    new RedfishHttpError(412, {
      messageId: id('PreconditionFailed'),
      message: 'The ETag supplied did not match the ETag required to change this resource.',
      resolution: 'Try the operation again using the appropriate ETag.',
    }),
  actionParameterMissing: (action: string, param: string): RedfishHttpError =>
    new RedfishHttpError(400, {
      messageId: id('ActionParameterMissing'),
      message: `The action ${action} requires the parameter ${param} to be present in the request body.`,
      args: [action, param],
      relatedProperties: [`#/${param}`],
    }),
  actionParameterNotInList: (value: string, param: string, action: string): RedfishHttpError =>
    new RedfishHttpError(400, {
      messageId: id('ActionParameterValueNotInList'),
      message: `The value '${value}' for the parameter ${param} in the action ${action} is not in the list of acceptable values.`,
      args: [value, param, action],
      relatedProperties: [`#/${param}`],
    }),
  propertyValueNotInList: (value: string, prop: string): RedfishHttpError =>
    new RedfishHttpError(400, {
      messageId: id('PropertyValueNotInList'),
      message: `The value '${value}' for the property ${prop} is not in the list of acceptable values.`,
      args: [value, prop],
      relatedProperties: [`#/${prop}`],
    }),
  propertyValueTypeError: (value: string, prop: string): RedfishHttpError =>
    new RedfishHttpError(400, {
      messageId: id('PropertyValueTypeError'),
      message: `The value '${value}' for the property ${prop} is not a type that the property can accept.`,
      args: [value, prop],
      relatedProperties: [`#/${prop}`],
    }),
  propertyUnknown: (prop: string): RedfishHttpError =>
    new RedfishHttpError(400, {
      messageId: id('PropertyUnknown'),
      message: `The property ${prop} is not in the list of valid properties for the resource.`,
      args: [prop],
      relatedProperties: [`#/${prop}`],
    }),
  propertyNotWritable: (prop: string): RedfishHttpError =>
    new RedfishHttpError(400, {
      messageId: id('PropertyNotWritable'),
      message: `The property ${prop} is a read only property and cannot be assigned a value.`,
      args: [prop],
      relatedProperties: [`#/${prop}`],
    }),
  conflict: (message: string): RedfishHttpError =>
    new RedfishHttpError(409, { messageId: id('ResourceInUse'), message }),
  imageFetchFailed: (url: string, reason: string): RedfishHttpError =>
    new RedfishHttpError(400, {
      messageId: id('CouldNotEstablishConnection'),
      message: `The service was unable to retrieve the image at '${url}': ${reason}`,
      args: [url],
      relatedProperties: ['#/Image'],
    }),
  internal: (message: string): RedfishHttpError =>
    new RedfishHttpError(500, { messageId: id('InternalError'), message }),
}

/** A short printable rendering of a client-supplied value, for message arguments. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.slice(0, 100)
  try {
    return String(JSON.stringify(value)).slice(0, 100)
  } catch {
    return String(value)
  }
}
