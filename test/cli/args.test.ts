import { describe, expect, it } from 'vitest';
import { parseArgs, positiveInt } from '../../src/cli/args';
import { formatDuration } from '../../src/cli/progress';

describe('cli argument parsing', () => {
  const spec = { out: 'string', sequences: 'number', json: 'boolean' } as const;

  it('reads --name value, --name=value and boolean flags', () => {
    const a = parseArgs(['--out', '/tmp/x', '--sequences=4', '--json', 'extra'], spec);
    expect(a.flags).toEqual({ out: '/tmp/x', sequences: 4, json: true });
    expect(a.positional).toEqual(['extra']);
  });

  it('rejects unknown flags, missing values and non-numbers', () => {
    expect(() => parseArgs(['--outt', 'x'], spec)).toThrow(/unknown option --outt/);
    expect(() => parseArgs(['--out'], spec)).toThrow(/--out needs a value/);
    expect(() => parseArgs(['--sequences', 'four'], spec)).toThrow(/must be a number/);
    expect(() => parseArgs(['--json=1'], spec)).toThrow(/takes no value/);
  });

  it('checks positive integers', () => {
    expect(positiveInt('n', undefined, 3)).toBe(3);
    expect(() => positiveInt('n', 0, 3)).toThrow(/positive integer/);
    expect(() => positiveInt('n', 1.5, 3)).toThrow(/positive integer/);
  });

  it('formats durations for ETAs', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(65)).toBe('1m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(NaN)).toBe('?');
  });
});
