import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors';
import { frameOutputLayout, frameOutputPath, OutputLedger } from '../../src/core/project/frameOutputs';
import { initProject } from '../../src/core/project/initProject';
import { listFrames } from '../../src/core/store';
import { freshDirs, writeCamvidFixture, writeCityscapesFixture, writeTwoClipFramesFixture } from '../data/fixtures';

const temp = freshDirs();

describe('frameOutputPath: a frame keeps its folder within the dataset', () => {
  it('plain frames: the clip folder and the file name without extension', () => {
    expect(frameOutputPath({ format: 'frames' }, { imagePath: 'seq1/000000.png' })).toBe('seq1/000000');
    expect(frameOutputPath({ format: 'frames' }, { imagePath: 'seq2/000000.JPG' })).toBe('seq2/000000');
    // frames directly in the dataset root
    expect(frameOutputPath({ format: 'frames' }, { imagePath: 'frame_1.jpeg' })).toBe('frame_1');
  });

  it("Cityscapes: split/city, the same for leftImg8bit and leftImg8bit_sequence, without '_leftImg8bit'", () => {
    const cs = { format: 'cityscapes' } as const;
    expect(frameOutputPath(cs, { imagePath: 'leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png' })).toBe(
      'train/aachen/aachen_000000_000019',
    );
    expect(frameOutputPath(cs, { imagePath: 'leftImg8bit_sequence/train/aachen/aachen_000000_000018_leftImg8bit.png' })).toBe(
      'train/aachen/aachen_000000_000018',
    );
  });

  it('CamVid: the split folder', () => {
    expect(frameOutputPath({ format: 'camvid' }, { imagePath: 'train/0001TP_006690.png' })).toBe('train/0001TP_006690');
  });
});

describe('frameOutputLayout over real projects', () => {
  it('gives every frame of a two-clip plain-frames dataset its own path', async () => {
    const data = await writeTwoClipFramesFixture(temp('fo-frames'));
    const { open } = await initProject({ dir: temp('fo-proj'), dataset: data.root });
    const layout = await frameOutputLayout(open.store, open.project.id);
    const frames = await listFrames(open.store);
    const paths = frames.map((f) => layout.pathOf(f));
    await open.close();
    expect(paths).toEqual(data.clips.flatMap((c) => data.names.map((n) => `${c}/${n.replace('.png', '')}`)));
    expect(new Set(paths).size).toBe(frames.length);
  });

  it('Cityscapes and CamVid frames: split/city and split, all distinct', async () => {
    const cs = temp('fo-cs');
    await writeCityscapesFixture(cs);
    const csProject = await initProject({ dir: temp('fo-cs-proj'), dataset: cs });
    const csLayout = await frameOutputLayout(csProject.open.store, csProject.open.project.id);
    const csPaths = (await listFrames(csProject.open.store)).map((f) => csLayout.pathOf(f));
    await csProject.open.close();
    expect(csPaths).toContain('train/tc/tc_000000_000019');
    expect(csPaths).toContain('train/tc/tc_000000_000000');
    expect(csPaths).toContain('val/tc/tc_000002_000040');
    expect(new Set(csPaths).size).toBe(csPaths.length);

    const cv = temp('fo-cv');
    await writeCamvidFixture(cv);
    const cvProject = await initProject({ dir: temp('fo-cv-proj'), dataset: cv });
    const cvLayout = await frameOutputLayout(cvProject.open.store, cvProject.open.project.id);
    const cvPaths = (await listFrames(cvProject.open.store)).map((f) => cvLayout.pathOf(f, { section: 'gtFine' }));
    await cvProject.open.close();
    expect(cvPaths.sort()).toEqual(['gtFine/train/a_001', 'gtFine/train/a_002', 'gtFine/val/b_001']);
  });

  it('prefixes the dataset name where the project holds several datasets', async () => {
    const parent = temp('fo-two');
    const a = await writeTwoClipFramesFixture(join(parent, 'drive-a'), 2);
    const b = await writeTwoClipFramesFixture(join(parent, 'drive-b'), 2);
    const dir = temp('fo-two-proj');
    await (await initProject({ dir, dataset: a.root })).open.close();
    const { open } = await initProject({ dir, dataset: b.root });
    const layout = await frameOutputLayout(open.store, open.project.id);
    const frames = await listFrames(open.store);
    const paths = frames.map((f) => layout.pathOf(f));
    const exported = frames.map((f) => layout.pathOf(f, { section: 'gtFine' }));
    const images = frames.map((f) => layout.imageOf(f));
    await open.close();
    expect(paths).toEqual([
      'drive-a/seq1/000000',
      'drive-a/seq1/000001',
      'drive-a/seq2/000000',
      'drive-a/seq2/000001',
      'drive-b/seq1/000000',
      'drive-b/seq1/000001',
      'drive-b/seq2/000000',
      'drive-b/seq2/000001',
    ]);
    expect(exported[0]).toBe('drive-a/gtFine/seq1/000000');
    expect(images[4]).toBe(join(b.root, 'seq1', '000000.png'));
  });
});

describe('OutputLedger', () => {
  it('refuses, before anything is written, files claimed by two frames, naming both frames', () => {
    const out = temp('ledger');
    const ledger = new OutputLedger(out);
    ledger.claim('/data/seq1/000000.png', 'seq1/000000_disp.png');
    ledger.claim('/data/seq1/000000.jpg', 'seq1/000000_disp.png');
    ledger.claim('/data/seq2/000000.png', 'seq2/000000_disp.png');
    expect(ledger.collisions()).toEqual([{ path: join(out, 'seq1', '000000_disp.png'), frames: ['/data/seq1/000000.png', '/data/seq1/000000.jpg'] }]);
    let error: unknown;
    try {
      ledger.refuseCollisions();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).file).toBe(out);
    expect((error as DataError).message).toContain('1 output file would be written by more than one frame');
    expect((error as DataError).message).toContain('/data/seq1/000000.png and /data/seq1/000000.jpg would both write seq1/000000_disp.png.');
  });

  it('writes a claimed file once, creating its folder, counts it and refuses a second write', async () => {
    const out = temp('ledger-w');
    const ledger = new OutputLedger(out);
    const path = ledger.claim('/data/seq1/000000.png', 'seq1/000000_disp.png');
    ledger.refuseCollisions();
    await ledger.write(path, (p) => writeFileSync(p, 'first'));
    expect(ledger.files).toBe(1);
    await expect(ledger.write(path, (p) => writeFileSync(p, 'second'))).rejects.toThrow(/already written in this run.*\/data\/seq1\/000000\.png/);
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(ledger.files).toBe(1);
    // a file nobody claimed is not written either
    const stray = join(out, 'seq2', '000000_disp.png');
    await expect(ledger.write(stray, (p) => writeFileSync(p, 'x'))).rejects.toThrow(/was not claimed/);
    expect(existsSync(stray)).toBe(false);
  });

  it('refuses an output path that leaves the output folder', () => {
    const ledger = new OutputLedger(temp('ledger-out'));
    expect(() => ledger.claim('/data/x.png', '../x_disp.png')).toThrow(/outside the output folder/);
  });
});
