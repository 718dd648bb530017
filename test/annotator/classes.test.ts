import { describe, expect, it } from 'vitest';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET, customLabelSet, TRAIN_CLASSES as CORE_CLASSES } from '../../src/core/labels';
import { IGNORE_ID, KEYED_CLASSES, classTable, keyOf } from '../../src/renderer/src/annotator/classes';

describe('annotator classes: a function of the label set', () => {
  it("are the Cityscapes set's 19 classes for a Cityscapes project: ids, names and colours", () => {
    const t = classTable(CITYSCAPES_LABEL_SET);
    expect(t.classes).toHaveLength(19);
    expect(t.classes.map((c) => [c.id, c.name, [...c.color]])).toEqual(CORE_CLASSES.map((c) => [c.trainId, c.name, [...c.color]]));
    expect(t.palette.map((c) => c.name).at(-1)).toBe('ignore');
  });

  it('every Cityscapes shortcut picks exactly one class', () => {
    const t = classTable(CITYSCAPES_LABEL_SET);
    const keys = t.palette.map((c) => `${c.shift ? 'S-' : ''}${c.keyCode}`);
    expect(new Set(keys).size).toBe(20);
    expect(t.forKey('Digit1', false)?.name).toBe('road');
    expect(t.forKey('Digit0', false)?.name).toBe('terrain');
    expect(t.forKey('Digit1', true)?.name).toBe('sky');
    expect(t.forKey('Digit9', true)?.name).toBe('bicycle');
    expect(t.forKey('Digit0', true)?.id).toBe(IGNORE_ID);
    expect(t.forKey('KeyB', false)).toBeUndefined();
    expect(t.byId(13)?.name).toBe('car');
    expect(t.byId(255)?.name).toBe('ignore');
    expect(t.byId(40)).toBeUndefined();
  });

  it("are CamVid's 11 for a CamVid project: its ids (car = 8), colours and keys 1..9, 0, Shift+1", () => {
    const t = classTable(CAMVID_LABEL_SET);
    expect(t.classes.map((c) => c.name)).toEqual(['sky', 'building', 'pole', 'road', 'pavement', 'tree', 'sign/symbol', 'fence', 'car', 'pedestrian', 'bicyclist']);
    expect(t.byId(8)).toMatchObject({ name: 'car', color: [64, 0, 128], keyHint: '9' });
    expect(t.forKey('Digit9', false)?.id).toBe(8);
    expect(t.forKey('Digit1', true)?.name).toBe('bicyclist');
    expect(t.forKey('Digit2', true)).toBeUndefined();
    expect(t.byId(13)).toBeUndefined();
    expect(t.colors[8]).toEqual([64, 0, 128]);
  });

  it('a custom set of 25: ids 0..18 have keys, the rest none (palette click only); Shift+0 stays ignore', () => {
    const t = classTable(customLabelSet(Array.from({ length: 25 }, (_, i) => ({ name: `c${i}` }))));
    expect(t.classes.filter((c) => c.keyCode !== null)).toHaveLength(KEYED_CLASSES);
    expect(t.byId(18)?.keyHint).toBe('⇧9');
    expect(t.byId(19)).toMatchObject({ name: 'c19', keyHint: null, keyCode: null });
    expect(t.byId(24)?.keyHint).toBeNull();
    expect(t.forKey('Digit0', true)?.id).toBe(IGNORE_ID);
    expect(keyOf(100)).toEqual({ keyHint: null, keyCode: null, shift: false });
  });
});
