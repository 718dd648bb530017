import { describe, expect, it } from 'vitest';
import { createProblems, fieldOfCreateError, type CreateForm } from '../../src/renderer/src/views/startForm';

const form = (o: Partial<CreateForm> = {}): CreateForm => ({
  source: 'synthetic',
  dir: '/p/new',
  dataset: '',
  format: '',
  sequences: 2,
  height: 64,
  width: 128,
  classes: [],
  ...o,
});

describe('the new-project form', () => {
  it('checks each field before anything is sent, in words', () => {
    const c = createProblems(form({ dir: ' ', sequences: 0, height: '', width: 5000 }));
    expect(c.params).toBeNull();
    expect(c.fields).toEqual({
      dir: 'Give a folder for the new project (it is created if missing).',
      sequences: 'The number of sequences must be from 1 to 200.',
      height: 'Give the height.',
      width: 'The width must be from 16 to 4096.',
    });
    expect(createProblems(form({ source: 'folder' })).fields).toEqual({ dataset: 'Give the folder that holds the dataset.' });
    expect(createProblems(form({ sequences: 2.5 })).fields.sequences).toBe('The number of sequences must be a whole number.');
  });

  it('sends synthetic settings, or the dataset with its format and the named classes of plain frames', () => {
    expect(createProblems(form()).params).toEqual({ dir: '/p/new', synthetic: { sequences: 2, height: 64, width: 128, seed: 1 } });
    const frames = form({
      source: 'folder',
      dataset: '/data/clips',
      format: 'frames',
      classes: [{ name: ' lane ', color: '#ffcc00' }, { name: '', color: null }, { name: 'kerb', color: null }],
    });
    expect(createProblems(frames).params).toEqual({ dir: '/p/new', dataset: '/data/clips', format: 'frames', classes: [{ name: 'lane', color: '#ffcc00' }, { name: 'kerb' }] });
    // An empty list: the core's default (Cityscapes); the rows of another format are not sent.
    expect(createProblems(form({ source: 'folder', dataset: '/d', format: 'frames' })).params).toEqual({ dir: '/p/new', dataset: '/d', format: 'frames' });
    expect(createProblems({ ...frames, format: 'camvid' }).params).toEqual({ dir: '/p/new', dataset: '/data/clips', format: 'camvid' });
  });

  it("names the class rows the label set's rules refuse", () => {
    const c = createProblems(
      form({ source: 'folder', dataset: '/d', format: 'frames', classes: [{ name: 'car', color: null }, { name: 'Car', color: null }, { name: 'ignore', color: null }] }),
    );
    expect(c.params).toBeNull();
    expect(c.classRows).toEqual({ 1: "Class name 'Car' is used twice (classes 1 and 2)", 2: "'ignore' is reserved for unlabelled pixels" });
    const one = createProblems(form({ source: 'folder', dataset: '/d', format: 'frames', classes: [{ name: 'car', color: null }] }));
    expect(one.fields.classes).toBe('A label set needs at least 2 classes (or leave the list empty for the 19 Cityscapes classes).');
    const unnamed = createProblems(form({ source: 'folder', dataset: '/d', format: 'frames', classes: [{ name: 'car', color: null }, { name: '', color: '#00ff00' }] }));
    expect(unnamed.classRows).toEqual({ 1: 'A class needs a name' });
  });

  it("puts the core's refusal next to the field it names", () => {
    const f = { source: 'folder' as const, dir: '/p/new', dataset: '/data/camvid/' };
    expect(fieldOfCreateError('the folder /data/camvid does not exist: check the path, or create a new project there', f)).toBe('dataset');
    expect(fieldOfCreateError('/p/new already holds a project: open it instead', f)).toBe('dir');
    expect(fieldOfCreateError('/data/camvid brings CamVid (11 classes) labels, so its project uses that label set; a label set of your own needs a dataset without labels (plain video frames)', f)).toBe('classes');
    expect(fieldOfCreateError('label set: class 2 name: a class needs a name', f)).toBe('classes');
    // One folder inside the other: the longer path named is the one meant.
    expect(fieldOfCreateError('/p/new/data: no frames found for format frames', { source: 'folder', dir: '/p/new', dataset: '/p/new/data' })).toBe('dataset');
    expect(fieldOfCreateError('/p/new already holds a project: open it instead', { source: 'folder', dir: '/p/new', dataset: '/p' })).toBe('dir');
    expect(fieldOfCreateError('out of memory', f)).toBe('form');
  });
});
