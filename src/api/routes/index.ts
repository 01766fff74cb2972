import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.js'

/** Resource route registrations beyond root and nodes; each adds itself here. */
export const ROUTE_PLUGINS: ReadonlyArray<(app: FastifyInstance, deps: AppDeps) => void> = []
