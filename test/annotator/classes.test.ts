import { describe, expect, it } from 'vitest';
import { TRAIN_CLASSES as CORE_CLASSES } from '../../src/core/labels';
import {
  IGNORE_ID,
  PALETTE_CLASSES,
  TRAIN_CLASSES,
  classById,
  classForKey,
} from '../../src/renderer/src/annotator/classes';

describe('annotator classes', () => {
  it('match the core Cityscapes table: trainIds, names and colours', () => {
    expect(TRAIN_CLASSES).toHaveLength(19);
    expect(TRAIN_CLASSES.map((c) => [c.trainId, c.name, [...c.color]])).toEqual(
      CORE_CLASSES.map((c) => [c.trainId, c.name, [...c.color]]),
    );
  });

  it('every shortcut picks exactly one class', () => {
    const keys = PALETTE_CLASSES.map((c) => `${c.shift ? 'S-' : ''}${c.keyCode}`);
    expect(new Set(keys).size).toBe(20);
    expect(classForKey('Digit1', false)?.name).toBe('road');
    expect(classForKey('Digit0', false)?.name).toBe('terrain');
    expect(classForKey('Digit1', true)?.name).toBe('sky');
    expect(classForKey('Digit9', true)?.name).toBe('bicycle');
    expect(classForKey('Digit0', true)?.trainId).toBe(IGNORE_ID);
    expect(classForKey('KeyB', false)).toBeUndefined();
    expect(classById(13)?.name).toBe('car');
    expect(classById(255)?.name).toBe('ignore');
    expect(classById(40)).toBeUndefined();
  });
});
