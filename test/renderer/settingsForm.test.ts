import { describe, expect, it } from 'vitest';
import { SDE_SETTINGS, SEG_SETTINGS_IN_APP, type Setting } from '../../src/core/api/contract';
import { defaultOf, defaultsOf } from '../../src/core/settings';
import { checkForm, fieldHint, fieldProblem, formFrom, formSettings, listInWords, rangeText } from '../../src/renderer/src/training/settingsForm';

const setting = (key: string): Setting => [...SDE_SETTINGS, ...SEG_SETTINGS_IN_APP].find((s) => s.key === key)!;

describe('training settings forms from the declarations', () => {
  it('hold every declared setting, numbers as text (learning rates as 2e-4)', () => {
    const form = formFrom(SDE_SETTINGS, defaultsOf(SDE_SETTINGS));
    expect(Object.keys(form)).toEqual(SDE_SETTINGS.map((s) => s.key));
    expect(form['lr']).toBe('2e-4');
    expect(form['steps']).toBe('2000');
    expect(form['net']).toBe('small');
    expect(form['flip']).toBe(true);
    const seg = formFrom(SEG_SETTINGS_IN_APP, { sdeRunId: null });
    expect(seg['sdeRunId']).toBeNull();
    expect(Object.keys(seg)).not.toContain('sdeCheckpoint');
  });

  it("name what is wrong in the core's words, as typed", () => {
    expect(fieldProblem(setting('steps'), '-5')).toBe('must be at least 1');
    expect(fieldProblem(setting('steps'), '2.5')).toBe('must be a whole number');
    expect(fieldProblem(setting('lr'), 'abc')).toBe('must be a number');
    expect(fieldProblem(setting('lr'), '0')).toBe('must be above 0');
    expect(fieldProblem(setting('height'), '7')).toBe('must be at least 32');
    expect(fieldProblem(setting('height'), '40')).toBe('must be a multiple of 16');
    expect(fieldProblem(setting('height'), 48)).toBeNull();
    expect(fieldProblem(setting('steps'), '  ')).toBe('needs a value');
    expect(fieldProblem(setting('lr'), '2e-4')).toBeNull();
  });

  it('list the fields to fix and send parsed values, leaving "the newest SDE run" to the core', () => {
    const form = formFrom(SEG_SETTINGS_IN_APP, { sdeRunId: null });
    expect(checkForm(SEG_SETTINGS_IN_APP, form).invalid).toEqual([]);
    form['steps'] = '-5';
    form['lr'] = 'abc';
    form['height'] = '7';
    const check = checkForm(SEG_SETTINGS_IN_APP, form);
    expect(check.problems).toEqual({ steps: 'must be at least 1', lr: 'must be a number', height: 'must be at least 32' });
    expect(listInWords(check.invalid)).toBe('Height, Steps and Learning rate');
    form['steps'] = '3';
    form['lr'] = '1e-3';
    form['height'] = '32';
    const sent = formSettings(SEG_SETTINGS_IN_APP, form);
    expect(sent).toMatchObject({ steps: 3, lr: 0.001, height: 32, mode: defaultOf(SEG_SETTINGS_IN_APP, 'mode'), mix: defaultOf(SEG_SETTINGS_IN_APP, 'mix') });
    expect(sent).not.toHaveProperty('sdeRunId');
    form['sdeRunId'] = 4;
    expect(formSettings(SEG_SETTINGS_IN_APP, form)['sdeRunId']).toBe(4);
  });

  it("hint at what a field does, what it takes and its declared default; inherited ones say it is the SDE run's", () => {
    expect(fieldHint(setting('steps'))).toBe('optimiser steps (1 to 1000000); default: 2000');
    expect(rangeText(setting('lr'))).toBe('above 0, up to 10');
    const segHeight = SEG_SETTINGS_IN_APP.find((s) => s.key === 'height')!;
    expect(fieldHint(segHeight)).toBe("training image height in pixels (a multiple of 16) (32 to 2048); default: the SDE run's, else 128");
    expect(listInWords(['Steps'])).toBe('Steps');
    expect(listInWords([])).toBe('');
  });
});
