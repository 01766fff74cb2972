import { errors } from './errors.js'
import { ROOT, collection, odataId } from './model.js'
import type { RedfishService } from './service.js'
import { MONITORS_PATH, TASKS_PATH } from './tasks.js'

const SESSIONS = `${ROOT}/SessionService/Sessions`

/** Service root, version document, SessionService, TaskService and an empty Registries collection. */
export function registerRootRoutes(svc: RedfishService): void {
  const r = svc.router
  const p = svc.personality

  r.get('/redfish', () => ({ status: 200, body: { v1: `${ROOT}/` } }))

  r.get(ROOT, () => ({
    status: 200,
    etag: true,
    body: {
      '@odata.type': '#ServiceRoot.v1_15_0.ServiceRoot',
      '@odata.id': `${ROOT}/`,
      Id: 'RootService',
      Name: 'Root Service',
      RedfishVersion: '1.17.0',
      UUID: svc.uuid,
      Vendor: p.vendor,
      Product: p.product,
      ProtocolFeaturesSupported: {
        ExpandQuery: { ExpandAll: false, Levels: false, Links: false, NoLinks: false },
        FilterQuery: false,
        SelectQuery: false,
        OnlyMemberQuery: false,
        ExcerptQuery: false,
      },
      Systems: odataId(`${ROOT}/Systems`),
      Managers: odataId(`${ROOT}/Managers`),
      Chassis: odataId(`${ROOT}/Chassis`),
      SessionService: odataId(`${ROOT}/SessionService`),
      TaskService: odataId(`${ROOT}/TaskService`),
      Registries: odataId(`${ROOT}/Registries`),
      Links: { Sessions: odataId(SESSIONS) },
      ...(p.rootOem ? { Oem: p.rootOem(svc.systems[0].machine.hardware.serialNumber) } : {}),
    },
  }))

  r.get(`${ROOT}/odata`, () => ({
    status: 200,
    body: {
      '@odata.context': '/redfish/v1/$metadata',
      value: ['Systems', 'Managers', 'Chassis', 'SessionService', 'TaskService', 'Registries'].map((n) => ({
        name: n,
        kind: 'Singleton',
        url: `${ROOT}/${n}`,
      })),
    },
  }))

  r.get(`${ROOT}/Registries`, () => ({
    status: 200,
    body: collection(`${ROOT}/Registries`, 'MessageRegistryFileCollection', 'Registry File Collection', []),
  }))

  r.get(`${ROOT}/SessionService`, () => ({
    status: 200,
    etag: true,
    body: {
      '@odata.type': '#SessionService.v1_1_8.SessionService',
      '@odata.id': `${ROOT}/SessionService`,
      Id: 'SessionService',
      Name: 'Session Service',
      ServiceEnabled: true,
      SessionTimeout: 1800,
      Status: { State: 'Enabled', Health: 'OK' },
      Sessions: odataId(SESSIONS),
    },
  }))

  r.get(SESSIONS, () => ({
    status: 200,
    body: collection(SESSIONS, 'SessionCollection', 'Session Collection', svc.sessions.list().map((s) => `${SESSIONS}/${s.id}`)),
  }))

  r.on('POST', SESSIONS, (ctx) => {
    const { UserName, Password } = ctx.body
    if (UserName === undefined) throw errors.actionParameterMissing('CreateSession', 'UserName')
    if (Password === undefined) throw errors.actionParameterMissing('CreateSession', 'Password')
    const s = svc.sessions.create(UserName, Password)
    return {
      status: 201,
      headers: { 'X-Auth-Token': s.token, Location: `${SESSIONS}/${s.id}` },
      body: renderSession(s.id, s.userName, s.createdAt),
    }
  })

  r.get(`${SESSIONS}/:id`, (ctx) => {
    const s = svc.sessions.get(ctx.params.id)
    if (!s) throw errors.notFound(ctx.path)
    return { status: 200, body: renderSession(s.id, s.userName, s.createdAt) }
  })

  r.on('DELETE', `${SESSIONS}/:id`, (ctx) => {
    if (!svc.sessions.delete(ctx.params.id)) throw errors.notFound(ctx.path)
    return { status: 204 }
  })

  r.get(`${ROOT}/TaskService`, () => ({
    status: 200,
    etag: true,
    body: {
      '@odata.type': '#TaskService.v1_2_0.TaskService',
      '@odata.id': `${ROOT}/TaskService`,
      Id: 'TaskService',
      Name: 'Task Service',
      ServiceEnabled: true,
      CompletedTaskOverWritePolicy: 'Oldest',
      LifeCycleEventOnTaskStateChange: false,
      DateTime: svc.now().toISOString(),
      Status: { State: 'Enabled', Health: 'OK' },
      Tasks: odataId(TASKS_PATH),
    },
  }))

  r.get(TASKS_PATH, () => ({
    status: 200,
    body: collection(TASKS_PATH, 'TaskCollection', 'Task Collection', svc.tasks.list().map((t) => `${TASKS_PATH}/${t.id}`)),
  }))

  r.get(`${TASKS_PATH}/:id`, (ctx) => {
    const t = svc.tasks.get(ctx.params.id)
    if (!t) throw errors.notFound(ctx.path)
    return { status: 200, body: svc.tasks.render(t) }
  })

  // The task monitor: 202 (with the Task) while running, then the operation's own response.
  r.get(`${MONITORS_PATH}/:id`, (ctx) => {
    const t = svc.tasks.get(ctx.params.id)
    if (!t) throw errors.notFound(ctx.path)
    if (svc.tasks.isRunning(t)) return svc.tasks.accepted(t)
    return t.result ?? { status: 204 }
  })
}

function renderSession(id: string, userName: string, created: Date): Record<string, unknown> {
  return {
    '@odata.type': '#Session.v1_6_0.Session',
    '@odata.id': `${SESSIONS}/${id}`,
    Id: id,
    Name: `User Session ${id}`,
    UserName: userName,
    CreatedTime: created.toISOString(),
  }
}
