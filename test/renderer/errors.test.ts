import { describe, expect, it } from 'vitest';
import { validateCall } from '../../src/core/api/contract';
import { errorText, isProjectClosed, projectClosedError } from '../../src/renderer/src/api/errors';

const refusal = (method: string, params: unknown): Error => {
  try {
    validateCall(method, params);
  } catch (e) {
    return e as Error;
  }
  throw new Error('the call was accepted');
};

describe('errors as the window shows them', () => {
  it('never shows a schema dump: a boundary refusal reads as the fields and what is wrong', () => {
    const e = refusal('trainingStartSeg', { projectId: 1, settings: { steps: -5, lr: 'abc' } });
    expect(e.message).toMatch(/^invalid params for trainingStartSeg: /);
    expect(errorText(e)).toBe('Not sent: steps must be at least 1; lr must be a number');
    expect(errorText(new Error("Error invoking remote method 'depthseg-api': UsageError: no labelled frames yet"))).toBe('no labelled frames yet');
    expect(errorText('plain')).toBe('plain');
  });

  it("knows the core's ProjectClosedError by its name, or by its sentence where only the message survived", () => {
    const sentence = "this window's project was closed in another window: reopen it to go on (nothing was saved or changed by this action)";
    expect(isProjectClosed(Object.assign(new Error(sentence), { name: 'ProjectClosedError' }))).toBe(true);
    expect(isProjectClosed(new Error(`Error invoking remote method 'depthseg-api': Error: ${sentence}`))).toBe(true);
    expect(isProjectClosed(projectClosedError('not open here'))).toBe(true);
    expect(isProjectClosed(new Error('disk full'))).toBe(false);
  });
});
