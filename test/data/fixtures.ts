/**
 * Tiny datasets written into temp folders by the tests themselves: a Cityscapes-layout tree
 * (with the synthetic generator's depth_sequence and poses folders) and a CamVid tree.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePng, writePngU16, type RasterU8 } from '../../src/core/data/imageIo';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `depthseg-${prefix}-`));
}

/** A maker of temp folders that are all removed after the test file's tests (call at top level). */
export function freshDirs(): (prefix: string) => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return (prefix) => {
    const d = tempDir(prefix);
    dirs.push(d);
    return d;
  };
}

/** An RGB image whose pixels encode (seed, x, y), so frames can be told apart after loading. */
export function patternRgb(width: number, height: number, seed: number): RasterU8 {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (seed * 8) % 256;
      data[i + 1] = (x * 16) % 256;
      data[i + 2] = (y * 16) % 256;
    }
  }
  return { width, height, channels: 3, data };
}

/** A one-channel map filled by f(x, y). */
export function labelMap(width: number, height: number, f: (x: number, y: number) => number): RasterU8 {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, channels: 1, data };
}

export const FIXTURE_SIZE = { height: 8, width: 16 };

/** labelIds of the fixture's labels: four vertical bands road | sidewalk | car | unlabeled (7, 8, 26, 0). */
export const FIXTURE_LABEL_IDS = [7, 8, 26, 0];
export const FIXTURE_TRAIN_IDS = [0, 1, 13, 255];
export const fixtureLabel = (ids: number[]): RasterU8 =>
  labelMap(FIXTURE_SIZE.width, FIXTURE_SIZE.height, (x) => ids[Math.floor((x * ids.length) / FIXTURE_SIZE.width)]!);

export function cameraJson(fx: number, fy: number, u0: number, v0: number): string {
  return JSON.stringify({
    extrinsic: { baseline: 0.2, pitch: 0, roll: 0, x: 1.7, y: 0, yaw: 0, z: 1.2 },
    intrinsic: { fx, fy, u0, v0 },
  });
}

const pad6 = (n: number): string => String(n).padStart(6, '0');

export interface CityscapesFixture {
  root: string;
  /** train: tc_000000_000019 with its full 30-frame snippet, depth and poses. */
  trainSnippetKey: string;
  /** train: tc_000001_000019 with a labelTrainIds label only, no snippet, no camera. */
  trainSingleKey: string;
  /** val: tc_000002_000040 whose sequence holds frames 38..42 only. */
  valKey: string;
}

/**
 * Writes a small Cityscapes-layout dataset (city 'tc', 8x16 images). Sequence frame n of
 * seq s has red channel 8 * (s * 50 + n) % 256 so a test can tell which frame it loaded.
 */
export async function writeCityscapesFixture(root: string): Promise<CityscapesFixture> {
  const { width, height } = FIXTURE_SIZE;
  const city = 'tc';
  const path = (top: string, split: string, name: string): string => join(root, top, split, city, name);
  const seed = (seq: number, frame: number): number => seq * 50 + frame;

  // train, seq 0: full snippet 0..29 around frame 19, labelIds and trainIds, camera, depth, poses
  let key = `${city}_000000_000019`;
  await writePng(path('leftImg8bit', 'train', `${key}_leftImg8bit.png`), patternRgb(width, height, seed(0, 19)));
  await writePng(path('gtFine', 'train', `${key}_gtFine_labelIds.png`), fixtureLabel(FIXTURE_LABEL_IDS));
  await writePng(path('gtFine', 'train', `${key}_gtFine_labelTrainIds.png`), fixtureLabel(FIXTURE_TRAIN_IDS));
  mkdirSync(join(root, 'camera', 'train', city), { recursive: true });
  writeFileSync(path('camera', 'train', `${key}_camera.json`), cameraJson(20, 21, 8, 4));
  const poses: { frame: string; cameraToWorld: number[] }[] = [];
  for (let f = 0; f < 30; f++) {
    const name = `${city}_000000_${pad6(f)}`;
    await writePng(path('leftImg8bit_sequence', 'train', `${name}_leftImg8bit.png`), patternRgb(width, height, seed(0, f)));
    await writePngU16(path('depth_sequence', 'train', `${name}_depth.png`), {
      width,
      height,
      data: new Uint16Array(width * height).fill(1000 + f),
    });
    poses.push({ frame: pad6(f), cameraToWorld: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, f, 0, 0, 0, 1] });
  }
  mkdirSync(join(root, 'poses', 'train', city), { recursive: true });
  writeFileSync(path('poses', 'train', `${city}_000000_poses.json`), JSON.stringify({ convention: 'camera-to-world', frames: poses }));
  const trainSnippetKey = key;

  // train, seq 1: labelled frame with only a labelTrainIds file, no sequence, no camera
  key = `${city}_000001_000019`;
  await writePng(path('leftImg8bit', 'train', `${key}_leftImg8bit.png`), patternRgb(width, height, seed(1, 19)));
  await writePng(path('gtFine', 'train', `${key}_gtFine_labelTrainIds.png`), fixtureLabel(FIXTURE_TRAIN_IDS));
  const trainSingleKey = key;

  // val, seq 2: labelled frame 40 whose sequence has frames 38..42 only; camera json, no depth
  key = `${city}_000002_000040`;
  await writePng(path('leftImg8bit', 'val', `${key}_leftImg8bit.png`), patternRgb(width, height, seed(2, 40)));
  await writePng(path('gtFine', 'val', `${key}_gtFine_labelIds.png`), fixtureLabel(FIXTURE_LABEL_IDS));
  mkdirSync(join(root, 'camera', 'val', city), { recursive: true });
  writeFileSync(path('camera', 'val', `${key}_camera.json`), cameraJson(20, 20, 8, 4));
  for (let f = 38; f <= 42; f++) {
    await writePng(path('leftImg8bit_sequence', 'val', `${city}_000002_${pad6(f)}_leftImg8bit.png`), patternRgb(width, height, seed(2, f)));
  }
  // a frame of another sequence in the same folder must not join the snippet
  await writePng(path('leftImg8bit_sequence', 'val', `${city}_000003_000043_leftImg8bit.png`), patternRgb(width, height, 1));
  return { root, trainSnippetKey, trainSingleKey, valKey: key };
}

/** CamVid layout with two train pairs and one val pair, 6x4 images, labels 0..11. */
export async function writeCamvidFixture(root: string): Promise<void> {
  const label = labelMap(6, 4, (x, y) => (x + y * 6) % 12);
  for (const [split, names] of [
    ['train', ['a_001.png', 'a_002.png']],
    ['val', ['b_001.png']],
  ] as const) {
    for (const [i, name] of names.entries()) {
      await writePng(join(root, split, name), patternRgb(6, 4, i));
      await writePng(join(root, `${split}annot`, name), label);
    }
  }
}

export interface TwoClipFramesFixture {
  root: string;
  /** The clip folders, in order. */
  clips: readonly string[];
  /** The frame names of every clip (the same in each): 000000.png, 000001.png, ... */
  names: readonly string[];
  /** The red channel of frame `n` of clip `c` (index into `clips`), the same over the whole image. */
  red: (c: number, n: number) => number;
}

/**
 * Plain video frames in two clip folders whose frame numbers restart, as exported video frames
 * do: `{root}/seq1/000000.png ..` and `{root}/seq2/000000.png ..`, each clip with its own
 * camera.json, 8x16 images. Frame n of clip c has red channel 8 * ((c + 1) * 50 + n) % 256, so
 * the outputs of two frames of the same name can be told apart.
 */
export async function writeTwoClipFramesFixture(root: string, framesPerClip = 3): Promise<TwoClipFramesFixture> {
  const { width, height } = FIXTURE_SIZE;
  const clips = ['seq1', 'seq2'];
  const names = Array.from({ length: framesPerClip }, (_, n) => `${pad6(n)}.png`);
  const seed = (c: number, n: number): number => (c + 1) * 50 + n;
  for (const [c, clip] of clips.entries()) {
    for (const [n, name] of names.entries()) await writePng(join(root, clip, name), patternRgb(width, height, seed(c, n)));
    writeFileSync(join(root, clip, 'camera.json'), cameraJson(20, 20, 8, 4));
  }
  return { root, clips, names, red: (c, n) => (seed(c, n) * 8) % 256 };
}
