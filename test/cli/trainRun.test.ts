import { describe, expect, it } from 'vitest';
import { EXIT_INTERRUPTED, interruptOnCtrlC, runProgressLine } from '../../src/cli/trainRun';
import { settingsFromFlags } from '../../src/cli/settingsFlags';
import { SDE_SETTINGS } from '../../src/core/settings';

describe('Ctrl-C during training', () => {
  it('the first SIGINT asks the run to stop, the second exits at once with 130, and dispose stops listening', () => {
    const written: string[] = [];
    const exits: number[] = [];
    const before = process.listenerCount('SIGINT');
    const interrupt = interruptOnCtrlC('train-x', { write: (s: string) => written.push(s) > 0 }, (code) => exits.push(code));
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(interrupt.signal.aborted).toBe(false);

    process.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect(exits).toEqual([]);
    expect(written.join('')).toMatch(/train-x: stopping after this step and saving a checkpoint \(Ctrl-C again quits at once/);

    process.emit('SIGINT');
    expect(exits).toEqual([EXIT_INTERRUPTED]);
    expect(written.join('')).toMatch(/train-x: quit without saving; run the same command again to continue from the last checkpoint/);

    interrupt.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('training progress line', () => {
  it('shows the bar, step, loss, speed and the ETA of the steps still to run', () => {
    const line = runProgressLine('train-sde', { runId: 1, kind: 'sde', mode: null, phase: 'training', step: 50, totalSteps: 200, loss: 0.123456, stepsPerSecond: 2, etaSeconds: 75 }, 8);
    expect(line).toBe('train-sde [##......] step 50/200 25%  loss 0.1235  2.00 steps/s  ETA 1m15s');
  });
});

describe('--size for training', () => {
  it('takes multiples of 16 and says what is wrong otherwise', () => {
    expect(settingsFromFlags(SDE_SETTINGS, { size: '64x128' })).toEqual({ height: 64, width: 128 });
    expect(settingsFromFlags(SDE_SETTINGS, {})).toEqual({});
    expect(() => settingsFromFlags(SDE_SETTINGS, { size: '64-128' })).toThrow(/--size must be HxW/);
    expect(() => settingsFromFlags(SDE_SETTINGS, { size: '60x128' })).toThrow('--size (height) must be a multiple of 16 (got 60)');
  });
});
