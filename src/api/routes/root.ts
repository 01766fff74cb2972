import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.js'
import { baseUrl, selfLinks } from '../links.js'
import { allows, MAX_VERSION, MIN_VERSION } from '../microversions.js'
import type { ApiVersion, Feature } from '../microversions.js'

/** Resources `GET /v1` links to, and the feature that makes each visible. */
const V1_RESOURCES: ReadonlyArray<readonly [string, Feature | null]> = [
  ['chassis', null],
  ['nodes', null],
  ['ports', null],
  ['drivers', null],
  ['portgroups', 'portgroups'],
  ['lookup', 'lookup_heartbeat'],
  ['heartbeat', 'lookup_heartbeat'],
  ['volume', 'volume'],
  ['conductors', 'conductors'],
  ['allocations', 'allocations'],
  ['events', 'events'],
  ['deploy_templates', 'deploy_templates'],
  ['shards', 'shards'],
  ['runbooks', 'runbooks'],
]

/** The resources visible at a version (exported for tests). */
export function visibleResources(v: ApiVersion): string[] {
  return V1_RESOURCES.filter(([, f]) => f === null || allows(v, f)).map(([r]) => r)
}

function versionDoc(base: string) {
  return {
    id: 'v1',
    links: [{ href: `${base}/v1/`, rel: 'self' }],
    status: 'CURRENT',
    min_version: MIN_VERSION,
    version: MAX_VERSION,
  }
}

export function registerRootRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/', async (req) => {
    const base = baseUrl(req, deps)
    return {
      name: 'Ferrum bare metal API (OpenStack Ironic compatible)',
      description: 'Ferrum provisions bare metal machines through an Ironic-compatible API.',
      default_version: versionDoc(base),
      versions: [versionDoc(base)],
    }
  })

  app.get('/v1', async (req) => {
    const base = baseUrl(req, deps)
    const doc: Record<string, unknown> = {
      id: 'v1',
      links: [
        { href: `${base}/v1/`, rel: 'self' },
        // Byte for byte what Ironic 21.4 answers, its doubled slashes included (its link helper
        // joins 'https://docs.openstack.org', '/ironic/latest/contributor/' and 'webapi.html' with '/').
        { href: 'https://docs.openstack.org//ironic/latest/contributor//webapi.html', rel: 'describedby', type: 'text/html' },
      ],
      // An object, as Ironic 21.4 answers at /v1.
      media_types: { base: 'application/json', type: 'application/vnd.openstack.ironic.v1+json' },
      version: versionDoc(base),
    }
    // Ironic's resource links on /v1 end with a slash.
    for (const r of visibleResources(req.apiVersion)) doc[r] = selfLinks(base, `${r}/`)
    return doc
  })
}
