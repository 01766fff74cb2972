import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { DriverStep } from '../drivers/steps.js'
import { clearProgress, clearTeardown, currentStep, readProgress, teardownFrom, wipeProgress, withIndex, withPlan, withRequested, withTeardownFrom } from './step-progress.js'

const step: DriverStep = { interface: 'deploy', step: 'write_image', priority: 80, args: {} }

describe('step progress', () => {
  it('stores the plan, index and request under Ironic\'s keys', () => {
    let dii: Record<string, unknown> = { other: 1 }
    assert.deepEqual(readProgress(dii, 'deploy'), { steps: undefined, index: 0, requested: undefined })
    dii = withRequested(withIndex(withPlan(dii, 'deploy', [step]), 'deploy', 1), 'deploy', [{ interface: 'deploy', step: 'write_image' }])
    assert.deepEqual(dii, {
      other: 1,
      deploy_steps: [step],
      deploy_step_index: 1,
      requested_deploy_steps: [{ interface: 'deploy', step: 'write_image' }],
    })
    assert.deepEqual(readProgress(dii, 'deploy'), { steps: [step], index: 1, requested: [{ interface: 'deploy', step: 'write_image' }] })
    assert.deepEqual(readProgress(dii, 'clean').steps, undefined)
  })

  it('clears one phase, and disable_ramdisk only with clean or service progress', () => {
    const dii = { ...withPlan({ disable_ramdisk: true }, 'clean', [step]), ...withPlan({}, 'deploy', [step]) }
    assert.deepEqual(clearProgress(dii, 'deploy'), { disable_ramdisk: true, clean_steps: [step], clean_step_index: 0 })
    assert.deepEqual(clearProgress(dii, 'clean'), { deploy_steps: [step], deploy_step_index: 0 })
  })

  it('wipes the current step field with the progress', () => {
    const node = { driver_internal_info: withPlan({}, 'service', [step]), service_step: step } as unknown as NodeRecord
    assert.deepEqual(wipeProgress(node, 'service'), { driver_internal_info: {}, service_step: null })
    assert.deepEqual(wipeProgress(node, null), {})
    assert.deepEqual(currentStep(node, 'service'), step)
    assert.equal(currentStep({ ...node, service_step: {} } as NodeRecord, 'service'), null)
    assert.equal(currentStep(node, null), null)
  })

  it('remembers where a tear-down started and forgets it with the deploy progress', () => {
    const dii = withTeardownFrom(withPlan({}, 'deploy', [step]), 'rescue')
    assert.equal(teardownFrom(dii), 'rescue')
    assert.equal(teardownFrom({ ferrum_teardown_from: 'nonsense' }), undefined)
    assert.deepEqual(clearTeardown(dii), {})
  })
})
