/**
 * Who is asking. The API builds one per request from its authentication and passes it to every
 * ConductorApi method, so policy and per-project checks can be made where the work is done.
 */

/** The caller of one request. Plain data: it crosses the conductor's RPC seam as JSON. */
export interface RequestContext {
  readonly requestId?: string
  /** User id (null under noauth). */
  readonly user: string | null
  readonly userName?: string | null
  /** Project id of a project-scoped token. */
  readonly project: string | null
  readonly projectName?: string | null
  /** Lower-case role names. */
  readonly roles: readonly string[]
  /** System scope. */
  readonly system: 'all' | null
  readonly authStrategy: 'noauth' | 'http_basic' | 'keystone'
}

/** The context of every request under noauth: nobody in particular, and everything is allowed. */
export const NOAUTH_CONTEXT: RequestContext = Object.freeze({
  user: null,
  project: null,
  roles: Object.freeze([]) as readonly string[],
  system: null,
  authStrategy: 'noauth',
})
