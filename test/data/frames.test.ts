import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clipIntrinsics,
  indexFrames,
  labelIdsToTrainIds,
  loadClipFrames,
  loadLabelledFrame,
  naturalCompare,
  readLabel,
  writePng,
  type Intrinsics,
} from '../../src/core/data';
import { DataError, UsageError } from '../../src/core/errors';
import { cameraJson, patternRgb, freshDirs } from './fixtures';
import { sharedDataset } from './sharedData';

const fresh = freshDirs();

describe('plain video frames reader', () => {
  it('orders frames by natural sort and reads one clip per sub-folder', async () => {
    const root = fresh('frames');
    // written out of order, mixed extensions and cases
    for (const [i, name] of ['f10.png', 'f2.jpg', 'f1.png', 'f9.JPEG', 'f100.png'].entries()) {
      await writePng(join(root, 'clipB', name), patternRgb(8, 4, i));
    }
    await writePng(join(root, 'clipA', 'only.png'), patternRgb(8, 4, 9));
    writeFileSync(join(root, 'clipA', 'notes.txt'), 'not a frame');
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(root, 'camera.json'), cameraJson(10, 10, 4, 2));
    const index = await indexFrames(root);
    expect(index.format).toBe('frames');
    expect(index.classSet).toBeNull();
    const clips = index.splits.train!.clips;
    expect(clips.map((c) => c.key)).toEqual(['clipA', 'clipB']);
    expect(clips[1]!.framePaths.map((p) => basename(p))).toEqual(['f1.png', 'f2.jpg', 'f9.JPEG', 'f10.png', 'f100.png']);
    expect(clips[1]!.intrinsicsSource).toBe(join(root, 'camera.json'));
    expect(clips[1]!.intrinsics).toEqual({ fx: 10, fy: 10, cx: 4, cy: 2, width: 8, height: 4 });
    // every frame is listed as an unlabelled frame of its clip
    const frames = index.splits.train!.frames;
    expect(frames).toHaveLength(6);
    expect(frames[3]).toMatchObject({ key: 'clipB/f9', clipKey: 'clipB', indexInClip: 2, width: 8, height: 4 });
    expect(frames[3]!.label).toBeUndefined();
  });

  it('reads a single folder of frames as one clip', async () => {
    const root = fresh('single');
    for (const n of [3, 1, 2]) await writePng(join(root, `frame_${n}.png`), patternRgb(8, 4, n));
    const index = await indexFrames(root, { horizontalFovDegrees: 90, split: 'val' });
    const clip = index.splits.val!.clips[0]!;
    expect(clip.key).toBe(basename(root));
    expect(clip.framePaths.map((p) => basename(p))).toEqual(['frame_1.png', 'frame_2.png', 'frame_3.png']);
    expect(clip.intrinsics.fx).toBeCloseTo(4, 10);
    expect(clip.intrinsicsSource).toBe('horizontal field of view 90 degrees');
    const loaded = await loadClipFrames(clip, [0, 2]);
    expect(loaded.map((f) => f.data[0])).toEqual([8, 24]);
  });

  it('prefers the clip camera.json, then the root one, then given intrinsics', async () => {
    const root = fresh('intrinsics');
    await writePng(join(root, 'a', '1.png'), patternRgb(8, 4, 0));
    await writePng(join(root, 'b', '1.png'), patternRgb(8, 4, 0));
    writeFileSync(join(root, 'camera.json'), cameraJson(10, 10, 4, 2));
    writeFileSync(join(root, 'b', 'camera.json'), cameraJson(12, 12, 4, 2));
    const fromFiles = await indexFrames(root);
    expect(fromFiles.splits.train!.clips.map((c) => c.intrinsics.fx)).toEqual([10, 12]);
    expect(fromFiles.splits.train!.clips[1]!.intrinsicsSource).toBe(join(root, 'b', 'camera.json'));
    const given: Intrinsics = { fx: 32, fy: 30, cx: 16, cy: 8, width: 32, height: 16 };
    const withGiven = await indexFrames(root, { intrinsics: given });
    expect(withGiven.splits.train!.clips.map((c) => c.intrinsics.fx)).toEqual([10, 12]);
    rmSync(join(root, 'camera.json'));
    const fromGiven = await indexFrames(root, { intrinsics: given });
    expect(fromGiven.splits.train!.clips[0]!.intrinsics).toEqual({ fx: 8, fy: 7.5, cx: 4, cy: 2, width: 8, height: 4 });
    expect(fromGiven.splits.train!.clips[0]!.intrinsicsSource).toBe('given intrinsics for 32x16 images');
    expect(fromGiven.splits.train!.clips[1]!.intrinsics.fx).toBe(12);
    const fromFov = await indexFrames(root, { horizontalFovDegrees: 90 });
    expect(fromFov.splits.train!.clips[0]!.intrinsics.fx).toBeCloseTo(4, 10);
    await expect(indexFrames(root, { intrinsics: given, horizontalFovDegrees: 60 })).rejects.toBeInstanceOf(UsageError);
  });

  it('names the folder when intrinsics, frames or the folder itself are missing', async () => {
    const root = fresh('nointr');
    await writePng(join(root, 'clip', '1.png'), patternRgb(8, 4, 0));
    await expect(indexFrames(root)).rejects.toThrow(`${join(root, 'clip')}: no camera intrinsics: put a camera.json`);
    await expect(indexFrames(join(root, 'missing'))).rejects.toThrow(/missing: frames folder not found/);
    const empty = fresh('noframes');
    mkdirSync(join(empty, 'sub'));
    await expect(indexFrames(empty, { horizontalFovDegrees: 90 })).rejects.toThrow(`${empty}: no frames`);
    writeFileSync(join(root, 'camera.json'), '{"intrinsic": {"fx": 1, "fy": 1}}');
    await expect(indexFrames(root)).rejects.toThrow(`${join(root, 'camera.json')}: camera json is missing intrinsic.u0, intrinsic.v0`);
    await expect(indexFrames(root)).rejects.toBeInstanceOf(DataError);
  });

  it('natural sort puts numbers in numeric order', () => {
    expect(['a10', 'a2', 'a1', 'b', 'a02'].sort(naturalCompare)).toEqual(['a1', 'a02', 'a2', 'a10', 'b']);
  });
});

const seqRoot = sharedDataset('cityscapes-seq');
// Intrinsics its README gives for 2048x1024
const CITYSCAPES_K: Intrinsics = { fx: 2262.52, fy: 2265.3, cx: 1096.98, cy: 513.14, width: 2048, height: 1024 };

describe.skipIf(!seqRoot)('real Cityscapes snippets through the frames reader (../shared/data/cityscapes-seq)', () => {
  it('finds 6 clips of 30 frames in order, with intrinsics scaled to the training size', async () => {
    const index = await indexFrames(seqRoot!, { intrinsics: CITYSCAPES_K });
    const clips = index.splits.train!.clips;
    // pseudo_labelIds holds only sub-folders, so it is no clip
    expect(clips.map((c) => c.key)).toEqual(['seq0000', 'seq0001', 'seq0002', 'seq0003', 'seq0004', 'seq0005']);
    for (const [s, clip] of clips.entries()) {
      expect(clip.framePaths.map((p) => basename(p))).toEqual(
        Array.from({ length: 30 }, (_, f) => `aachen_${String(s).padStart(6, '0')}_${String(f).padStart(6, '0')}_leftImg8bit.jpg`),
      );
      expect([clip.width, clip.height]).toEqual([2048, 1024]);
    }
    const k = clipIntrinsics(clips[0]!, { height: 128, width: 256 });
    expect(k.fx).toBeCloseTo(2262.52 / 8, 9);
    expect(k.fy).toBeCloseTo(2265.3 / 8, 9);
    expect(k.cx).toBeCloseTo(1096.98 / 8, 9);
    expect(k.cy).toBeCloseTo(513.14 / 8, 9);
    const [first, last] = await loadClipFrames(clips[0]!, [0, 29], { height: 128, width: 256 });
    expect([first!.width, first!.height, first!.channels, first!.data.length]).toEqual([256, 128, 3, 256 * 128 * 3]);
    // consecutive frames of a driving car differ, but not completely
    let diff = 0;
    for (let i = 0; i < first!.data.length; i++) diff += Math.abs(first!.data[i]! - last!.data[i]!);
    expect(diff / first!.data.length).toBeGreaterThan(1);
  });

  it('converts the pseudo labelIds to trainIds and pairs them with their frames', async () => {
    const labelPath = join(seqRoot!, 'pseudo_labelIds', 'seq0000', 'aachen_000000_000019_leftImg8bit.png');
    const raw = await readLabel(labelPath);
    const train = labelIdsToTrainIds(raw, labelPath);
    let roadIds = 0;
    let roadTrain = 0;
    let outside = 0;
    for (let i = 0; i < raw.data.length; i++) {
      if (raw.data[i] === 7) roadIds++;
      if (train.data[i] === 0) roadTrain++;
      if (train.data[i]! > 18 && train.data[i] !== 255) outside++;
    }
    expect(outside).toBe(0);
    expect(roadTrain).toBe(roadIds);
    expect(roadIds / raw.data.length).toBeGreaterThan(0.1); // a street scene has road
    const frame = {
      key: 'seq0000/19',
      split: 'train' as const,
      imagePath: join(seqRoot!, 'seq0000', 'aachen_000000_000019_leftImg8bit.jpg'),
      width: 2048,
      height: 1024,
      label: { path: labelPath, encoding: 'cityscapes-labelIds' as const },
    };
    const { image, label } = await loadLabelledFrame(frame, { height: 64, width: 128 });
    expect([image.width, image.height, label!.width, label!.height]).toEqual([128, 64, 128, 64]);
    const values = new Set(label!.data);
    expect([...values].every((v) => v <= 18 || v === 255)).toBe(true);
    expect(values.has(0)).toBe(true);
  });
});
