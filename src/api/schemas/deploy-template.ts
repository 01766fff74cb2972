import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'
import { ValidationError } from '../../domain/errors.js'

/** Interfaces whose steps a deploy template may name (Ironic's DEPLOYING_INTERFACE_PRIORITY). */
export const DEPLOY_STEP_INTERFACES = ['power', 'management', 'deploy', 'bios', 'raid'] as const

/** One deploy step of a template (Ironic's DEPLOY_STEP_SCHEMA). */
export const DeployStepSchema = Type.Object(
  {
    interface: Type.Union(DEPLOY_STEP_INTERFACES.map((i) => Type.Literal(i))),
    step: Type.String({ minLength: 1, maxLength: 255 }),
    args: Type.Record(Type.String(), Type.Unknown()),
    priority: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1, pattern: '^[0-9]+$' })]),
  },
  { additionalProperties: false },
)

/** POST /v1/deploy_templates. */
export const DeployTemplateBody = Type.Object(
  {
    uuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    steps: Type.Array(DeployStepSchema, { minItems: 1 }),
    extra: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false },
)
export type DeployTemplateBody = Static<typeof DeployTemplateBody>

/** A template after a JSON Patch (same rules, uuid fixed). */
export const DeployTemplatePatched = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    steps: Type.Array(DeployStepSchema, { minItems: 1 }),
    extra: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  },
  { additionalProperties: false },
)

/** Normalised steps (priority as a number); rejects two steps with the same interface and name. */
export function normaliseDeploySteps(steps: Static<typeof DeployStepSchema>[]): { interface: string; step: string; args: Record<string, unknown>; priority: number }[] {
  const seen = new Set<string>()
  const dups = new Set<string>()
  for (const s of steps) {
    const key = `interface: ${s.interface}, step: ${s.step}`
    if (seen.has(key)) dups.add(key)
    seen.add(key)
  }
  if (dups.size > 0) {
    throw new ValidationError(
      `Deploy template invalid: Duplicate deploy steps. A deploy template cannot have multiple deploy steps with the same interface and step. Duplicates: ${[...dups].join('; ')}`,
      { code: 'INVALID_DEPLOY_TEMPLATE' },
    )
  }
  return steps.map((s) => ({ interface: s.interface, step: s.step, args: s.args, priority: Number(s.priority) }))
}
