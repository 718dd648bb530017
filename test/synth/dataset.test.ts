import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITYSCAPES_LABELS, LABEL_ID_TO_TRAIN_ID } from '../../src/core/labels';
import { indexCityscapes } from '../../src/core/data/cityscapes';
import { readLabel, readRgb, readU16 } from '../../src/core/data/imageIo';
import { DataError, UsageError } from '../../src/core/errors';
import { assignSplits, generateSynthDataset, type SynthSummary } from '../../src/core/synth';

const size = { height: 64, width: 128 };
const SEQUENCES = 5;
let rootA = '';
let rootB = '';
let summary: SynthSummary;
const progress: { done: number; total: number; snippet: string }[] = [];

beforeAll(async () => {
  rootA = mkdtempSync(join(tmpdir(), 'synth-a-'));
  rootB = mkdtempSync(join(tmpdir(), 'synth-b-'));
  summary = await generateSynthDataset({ out: rootA, sequences: SEQUENCES, size, seed: 42, onProgress: (p) => progress.push(p) });
  await generateSynthDataset({ out: rootB, sequences: SEQUENCES, size, seed: 42 });
});
afterAll(() => {
  rmSync(rootA, { recursive: true, force: true });
  rmSync(rootB, { recursive: true, force: true });
});

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

const pad6 = (n: number) => String(n).padStart(6, '0');
const splitOf = (i: number) => assignSplits(SEQUENCES, 0.25)[i]!;

describe('synthetic dataset layout (docs/dataset-layout.md)', () => {
  it('writes every path of every snippet, and nothing else', () => {
    const expected: string[] = ['synth.json'];
    for (let i = 0; i < SEQUENCES; i++) {
      const split = splitOf(i);
      const key = `synth_${pad6(i)}_000019`;
      const city = (kind: string) => `${kind}/${split}/synth`;
      expected.push(
        `${city('leftImg8bit')}/${key}_leftImg8bit.png`,
        `${city('gtFine')}/${key}_gtFine_labelIds.png`,
        `${city('gtFine')}/${key}_gtFine_labelTrainIds.png`,
        `${city('camera')}/${key}_camera.json`,
        `${city('poses')}/synth_${pad6(i)}_poses.json`,
      );
      for (let f = 0; f < 30; f++) {
        expected.push(`${city('leftImg8bit_sequence')}/synth_${pad6(i)}_${pad6(f)}_leftImg8bit.png`);
        expected.push(`${city('depth_sequence')}/synth_${pad6(i)}_${pad6(f)}_depth.png`);
      }
    }
    expect(listFiles(rootA)).toEqual(expected.sort());
  });

  it('splits every 4th sequence into val, at least one sequence in each split', () => {
    expect(assignSplits(4, 0.25)).toEqual(['train', 'train', 'train', 'val']);
    expect(assignSplits(2, 0.25)).toEqual(['train', 'val']);
    expect(assignSplits(2, 0.01)).toEqual(['train', 'val']);
    expect(assignSplits(3, 0.9)).toEqual(['train', 'val', 'val']);
    expect(assignSplits(1, 0.25)).toEqual(['train']);
    expect(assignSplits(8, 0)).toEqual(Array(8).fill('train'));
    expect(assignSplits(8, 0.25).filter((s) => s === 'val')).toHaveLength(2);
    expect(summary.train + summary.val).toBe(SEQUENCES);
    expect(summary.val).toBe(1);
  });

  it('writes images of the asked size, a copy of frame 19 as the labelled frame, 16-bit depth', async () => {
    const key = 'synth_000000';
    const seq = await readRgb(join(rootA, 'leftImg8bit_sequence/train/synth', `${key}_000019_leftImg8bit.png`));
    const labelled = await readRgb(join(rootA, 'leftImg8bit/train/synth', `${key}_000019_leftImg8bit.png`));
    expect([seq.width, seq.height]).toEqual([size.width, size.height]);
    expect(Buffer.from(labelled.data).equals(Buffer.from(seq.data))).toBe(true);
    const depth = await readU16(join(rootA, 'depth_sequence/train/synth', `${key}_000000_depth.png`));
    expect([depth.width, depth.height]).toEqual([size.width, size.height]);
    const positive = Array.from(depth.data).filter((d) => d > 0);
    expect(positive.length).toBeGreaterThan(depth.data.length / 3);
    // near road at the bottom of the image is a few metres away, in centimetres
    const bottom = depth.data[(size.height - 1) * size.width + size.width / 2]!;
    expect(bottom).toBeGreaterThan(150);
    expect(bottom).toBeLessThan(1500);
    expect(Math.max(...positive)).toBeGreaterThan(5000);
  });

  it('labels use Cityscapes labelIds, trainIds follow the lookup table, and many classes appear', async () => {
    const valid = new Set(CITYSCAPES_LABELS.map((l) => l.id));
    const seen = new Set<number>();
    for (let i = 0; i < SEQUENCES; i++) {
      const dir = join(rootA, 'gtFine', splitOf(i), 'synth');
      const ids = await readLabel(join(dir, `synth_${pad6(i)}_000019_gtFine_labelIds.png`));
      const train = await readLabel(join(dir, `synth_${pad6(i)}_000019_gtFine_labelTrainIds.png`));
      expect([ids.width, ids.height]).toEqual([size.width, size.height]);
      for (let p = 0; p < ids.data.length; p++) {
        const id = ids.data[p]!;
        if (!valid.has(id)) throw new Error(`labelId ${id} is not a Cityscapes labelId`);
        seen.add(id);
        if (train.data[p] !== LABEL_ID_TO_TRAIN_ID[id]) throw new Error(`trainId ${train.data[p]} for labelId ${id}`);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(10);
    for (const name of ['road', 'sidewalk', 'building', 'vegetation', 'sky', 'car', 'pole']) {
      expect(seen.has(CITYSCAPES_LABELS.find((l) => l.name === name)!.id)).toBe(true);
    }
    expect(Object.keys(summary.labelHistogram).map(Number).sort((a, b) => a - b)).toEqual([...seen].sort((a, b) => a - b));
  });

  it('writes a Cityscapes camera json, poses json with rigid camera-to-world matrices, and synth.json', () => {
    const cam = JSON.parse(readFileSync(join(rootA, 'camera/train/synth/synth_000000_000019_camera.json'), 'utf8'));
    expect(cam.intrinsic).toEqual({ fx: 0.7 * size.width, fy: 0.7 * size.width, u0: size.width / 2, v0: size.height / 2 });
    expect(cam.extrinsic.z).toBeGreaterThan(1.3);
    const poses = JSON.parse(readFileSync(join(rootA, 'poses/train/synth/synth_000000_poses.json'), 'utf8'));
    expect(poses.convention).toMatch(/camera-to-world, 4x4 row-major/);
    let travelled = 0;
    for (const [i, f] of poses.frames.entries()) {
      const m = f.cameraToWorld as number[];
      expect(m).toHaveLength(16);
      expect(m.slice(12)).toEqual([0, 0, 0, 1]);
      // rotation part orthonormal
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          const d = m[a]! * m[b]! + m[4 + a]! * m[4 + b]! + m[8 + a]! * m[8 + b]!;
          expect(d).toBeCloseTo(a === b ? 1 : 0, 9);
        }
      }
      // camera 1.4-1.7 m above the ground (y down, ground at 0), looking roughly forward
      expect(-m[7]!).toBeGreaterThan(1.35);
      expect(-m[7]!).toBeLessThan(1.75);
      if (i > 0) {
        const p = poses.frames[i - 1].cameraToWorld as number[];
        travelled = Math.hypot(m[3]! - p[3]!, m[11]! - p[11]!);
        // 5-15 m/s (with a little acceleration) at 17 fps
        expect(travelled).toBeGreaterThan(4 / 17);
        expect(travelled).toBeLessThan(16.5 / 17);
      }
    }
    const meta = JSON.parse(readFileSync(join(rootA, 'synth.json'), 'utf8'));
    expect(meta).toMatchObject({ seed: 42, sequences: SEQUENCES, size, city: 'synth', fps: 17, labelledFrame: 19 });
    expect(meta.sequenceSettings).toHaveLength(SEQUENCES);
  });

  it('reports progress once per snippet', () => {
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5]);
    expect(progress[0]).toEqual({ done: 1, total: 5, snippet: 'synth_000000_000019' });
  });

  it('is read back by the Cityscapes reader with snippets, depth and poses', async () => {
    const index = await indexCityscapes(rootA);
    const clips = [...(index.splits.train?.clips ?? []), ...(index.splits.val?.clips ?? [])];
    expect(clips).toHaveLength(SEQUENCES);
    for (const c of clips) {
      expect(c.framePaths).toHaveLength(30);
      expect(c.keyframeIndex).toBe(19);
      expect(c.depthPaths).toHaveLength(30);
      expect(c.posesPath).toBeDefined();
      expect(c.intrinsics.fx).toBeCloseTo(0.7 * size.width);
    }
  });
});

describe('determinism and variety', () => {
  it('the same seed and options give byte-identical files', () => {
    const files = listFiles(rootA);
    expect(listFiles(rootB)).toEqual(files);
    for (const f of files) {
      if (!readFileSync(join(rootA, f)).equals(readFileSync(join(rootB, f)))) throw new Error(`${f} differs between two runs`);
    }
  });

  it('another seed gives other images, and sequences differ from each other', async () => {
    const root = mkdtempSync(join(tmpdir(), 'synth-c-'));
    try {
      await generateSynthDataset({ out: root, sequences: 1, size, seed: 43 });
      const f = 'leftImg8bit/train/synth/synth_000000_000019_leftImg8bit.png';
      expect(readFileSync(join(root, f)).equals(readFileSync(join(rootA, f)))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const a = readFileSync(join(rootA, 'synth.json'), 'utf8');
    const settings = JSON.parse(a).sequenceSettings.map((s: { settings: unknown }) => JSON.stringify(s.settings));
    expect(new Set(settings).size).toBe(SEQUENCES);
  });

  it('driving cars move between frames while the camera moves on', async () => {
    // frames 0 and 29 of a sequence differ a lot: the camera travelled 8-26 m
    const dir = join(rootA, 'leftImg8bit_sequence/train/synth');
    const a = await readRgb(join(dir, 'synth_000000_000000_leftImg8bit.png'));
    const b = await readRgb(join(dir, 'synth_000000_000029_leftImg8bit.png'));
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) diff += Math.abs(a.data[i]! - b.data[i]!);
    expect(diff / a.data.length).toBeGreaterThan(5);
  });
});

describe('bad options', () => {
  it('are refused with a UsageError naming the problem', async () => {
    const out = join(tmpdir(), 'synth-never-written');
    const base = { out, sequences: 1, size, seed: 1 };
    await expect(generateSynthDataset({ ...base, sequences: 0 })).rejects.toThrow(UsageError);
    await expect(generateSynthDataset({ ...base, sequences: 1.5 })).rejects.toThrow(/sequences/);
    await expect(generateSynthDataset({ ...base, size: { height: 16, width: 128 } })).rejects.toThrow(/size/);
    await expect(generateSynthDataset({ ...base, size: { height: 64, width: 4096 } })).rejects.toThrow(/size/);
    await expect(generateSynthDataset({ ...base, valFraction: 1 })).rejects.toThrow(/valFraction/);
    await expect(generateSynthDataset({ ...base, seed: Number.NaN })).rejects.toThrow(/seed/);
    expect(existsSync(out)).toBe(false);
  });

  it('an output path that is a file fails with a DataError naming the folder', async () => {
    const file = join(rootA, 'synth.json');
    await expect(generateSynthDataset({ out: file, sequences: 1, size, seed: 1 })).rejects.toThrow(DataError);
    await expect(generateSynthDataset({ out: file, sequences: 1, size, seed: 1 })).rejects.toThrow(/synth\.json.*cannot create the output folder/);
  });
});
