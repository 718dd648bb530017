import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clipIntrinsics,
  clipOf,
  indexCityscapes,
  loadClipFrames,
  loadLabel,
  loadLabelledFrame,
  neighboursOf,
  readU16,
  type DatasetIndex,
  type LabelledFrame,
} from '../../src/core/data';
import { DataError } from '../../src/core/errors';
import { FIXTURE_TRAIN_IDS, cameraJson, tempDir, writeCityscapesFixture, type CityscapesFixture } from './fixtures';

let fx: CityscapesFixture;
let index: DatasetIndex;
const dirs: string[] = [];

beforeAll(async () => {
  const root = tempDir('cityscapes');
  dirs.push(root);
  fx = await writeCityscapesFixture(root);
  index = await indexCityscapes(root);
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const frameOf = (key: string): LabelledFrame => {
  const f = [...(index.splits.train?.frames ?? []), ...(index.splits.val?.frames ?? [])].find((x) => x.key === key);
  if (!f) throw new Error(`no frame ${key}`);
  return f;
};

describe('Cityscapes reader on a Cityscapes-layout fixture', () => {
  it('lists the labelled frames per split with their labels, cameras and depth', () => {
    expect(index.format).toBe('cityscapes');
    expect(index.classSet).toBe('cityscapes');
    expect(Object.keys(index.splits).sort()).toEqual(['train', 'val']);
    expect(index.splits.train!.frames.map((f) => f.key)).toEqual([fx.trainSnippetKey, fx.trainSingleKey]);
    expect(index.splits.val!.frames.map((f) => f.key)).toEqual([fx.valKey]);

    const a = frameOf(fx.trainSnippetKey);
    expect([a.width, a.height]).toEqual([16, 8]);
    expect(a.imagePath).toBe(join(fx.root, 'leftImg8bit/train/tc', `${fx.trainSnippetKey}_leftImg8bit.png`));
    // labelIds preferred over labelTrainIds by default
    expect(a.label).toEqual({ path: join(fx.root, 'gtFine/train/tc', `${fx.trainSnippetKey}_gtFine_labelIds.png`), encoding: 'cityscapes-labelIds' });
    expect(a.cameraPath).toBe(join(fx.root, 'camera/train/tc', `${fx.trainSnippetKey}_camera.json`));
    expect(a.depthPath).toBe(join(fx.root, 'depth_sequence/train/tc', `${fx.trainSnippetKey}_depth.png`));

    const b = frameOf(fx.trainSingleKey);
    expect(b.label?.encoding).toBe('cityscapes-trainIds');
    expect(b.clipKey).toBeUndefined();
    expect(b.cameraPath).toBeUndefined();
  });

  it('uses the labelTrainIds file when asked to', async () => {
    const other = await indexCityscapes(fx.root, { labels: 'labelTrainIds', splits: ['train'] });
    expect(Object.keys(other.splits)).toEqual(['train']);
    expect(other.splits.train!.frames[0]!.label?.encoding).toBe('cityscapes-trainIds');
  });

  it('gives the 30-frame snippet of a labelled frame in order, the labelled frame 20th', () => {
    const a = frameOf(fx.trainSnippetKey);
    const clip = clipOf(index, a);
    expect(clip.framePaths).toHaveLength(30);
    expect(clip.framePaths.map((p) => p.slice(-22, -16))).toEqual(Array.from({ length: 30 }, (_, i) => String(i).padStart(6, '0')));
    expect(clip.keyframeIndex).toBe(19);
    expect(a.indexInClip).toBe(19);
    expect(neighboursOf(index, a)).toEqual([clip.framePaths[18], clip.framePaths[20]]);
    expect(neighboursOf(index, a, [-19, 10])).toEqual([clip.framePaths[0], clip.framePaths[29]]);
    expect(() => neighboursOf(index, a, [11])).toThrow(/no frame at offset 11/);
    // the generator's extra folders
    expect(clip.depthPaths).toHaveLength(30);
    expect(clip.depthPaths![5]).toBe(join(fx.root, 'depth_sequence/train/tc/tc_000000_000005_depth.png'));
    expect(clip.posesPath).toBe(join(fx.root, 'poses/train/tc/tc_000000_poses.json'));
  });

  it('keeps a partial snippet to the consecutive frames that exist, within the same sequence', () => {
    const v = frameOf(fx.valKey);
    const clip = clipOf(index, v);
    expect(clip.framePaths.map((p) => p.slice(-29, -16))).toEqual(['000002_000038', '000002_000039', '000002_000040', '000002_000041', '000002_000042']);
    expect(v.indexInClip).toBe(2);
    expect(clip.depthPaths).toBeUndefined();
    expect(clip.posesPath).toBeUndefined();
  });

  it('reads intrinsics from the camera json and scales them to the training size', () => {
    const clip = clipOf(index, frameOf(fx.trainSnippetKey));
    expect(clip.intrinsics).toEqual({ fx: 20, fy: 21, cx: 8, cy: 4, width: 16, height: 8 });
    expect(clip.intrinsicsSource).toBe(join(fx.root, 'camera/train/tc', `${fx.trainSnippetKey}_camera.json`));
    expect(clipIntrinsics(clip, { height: 4, width: 8 })).toEqual({ fx: 10, fy: 10.5, cx: 4, cy: 2, width: 8, height: 4 });
    expect(clipIntrinsics(clip, { height: 16, width: 16 })).toEqual({ fx: 20, fy: 42, cx: 8, cy: 8, width: 16, height: 16 });
  });

  it('loads the image and the label converted from labelIds, resized', async () => {
    const a = frameOf(fx.trainSnippetKey);
    const full = await loadLabelledFrame(a);
    expect([full.image.width, full.image.height, full.image.channels]).toEqual([16, 8, 3]);
    expect(full.image.data[0]).toBe((19 * 8) % 256);
    // bands of 4 columns: trainIds 0 | 1 | 13 | 255
    expect(Array.from(full.label!.data.slice(0, 16))).toEqual(FIXTURE_TRAIN_IDS.flatMap((v) => [v, v, v, v]));

    const small = await loadLabelledFrame(a, { height: 4, width: 8 });
    expect([small.image.width, small.image.height]).toEqual([8, 4]);
    expect([small.label!.width, small.label!.height]).toEqual([8, 4]);
    expect(Array.from(small.label!.data.slice(0, 8))).toEqual(FIXTURE_TRAIN_IDS.flatMap((v) => [v, v]));
    // the labelTrainIds file of the same frame says the same
    const direct = await loadLabel({ path: a.label!.path.replace('_labelIds', '_labelTrainIds'), encoding: 'cityscapes-trainIds' }, { height: 4, width: 8 });
    expect(Array.from(direct.data)).toEqual(Array.from(small.label!.data));
  });

  it('loads snippet frames in order and their ground-truth depth', async () => {
    const clip = clipOf(index, frameOf(fx.trainSnippetKey));
    const frames = await loadClipFrames(clip, [18, 19, 20], { height: 4, width: 8 });
    expect(frames.map((f) => f.data[0])).toEqual([18 * 8, 19 * 8, 20 * 8]);
    const depth = await readU16(clip.depthPaths![7]!);
    expect(depth.data[0]).toBe(1007);
  });
});

describe('Cityscapes reader errors', () => {
  it('names a missing root, leftImg8bit and asked-for split folder', async () => {
    const empty = tempDir('cs-empty');
    dirs.push(empty);
    await expect(indexCityscapes(join(empty, 'nowhere'))).rejects.toThrow(/nowhere: Cityscapes root folder not found/);
    await expect(indexCityscapes(empty)).rejects.toThrow(new RegExp(`${empty}/leftImg8bit: folder not found`));
    await expect(indexCityscapes(fx.root, { splits: ['test'] })).rejects.toThrow(/leftImg8bit\/test: folder not found: split 'test'/);
    await expect(indexCityscapes(fx.root, { splits: ['test'] })).rejects.toBeInstanceOf(DataError);
  });

  it('asks for intrinsics when a snippet has no camera json, and accepts given ones', async () => {
    const root = tempDir('cs-nocam');
    dirs.push(root);
    await writeCityscapesFixture(root);
    rmSync(join(root, 'camera', 'val'), { recursive: true });
    await expect(indexCityscapes(root)).rejects.toThrow(/camera\/val\/tc: folder not found: the snippet of tc_000002_000040/);
    const given = await indexCityscapes(root, { intrinsics: { fx: 40, fy: 40, cx: 16, cy: 8, width: 32, height: 16 } });
    expect(given.splits.val!.clips[0]!.intrinsics).toEqual({ fx: 20, fy: 20, cx: 8, cy: 4, width: 16, height: 8 });
    // the train snippet keeps its own camera json
    expect(given.splits.train!.clips[0]!.intrinsics.fy).toBe(21);
  });

  it('names the camera json and the missing field', async () => {
    const root = tempDir('cs-badcam');
    dirs.push(root);
    await writeCityscapesFixture(root);
    const cam = join(root, 'camera/val/tc/tc_000002_000040_camera.json');
    writeFileSync(cam, JSON.stringify({ intrinsic: { fx: 20, fy: 20, u0: 8 } }));
    await expect(indexCityscapes(root)).rejects.toThrow(`${cam}: camera json is missing intrinsic.v0`);
    writeFileSync(cam, cameraJson(20, 20, 800, 400));
    await expect(indexCityscapes(root)).rejects.toThrow(/principal point \(800, 400\) lies outside the 16x8 image/);
  });

  it('names a snippet frame without its depth', async () => {
    const root = tempDir('cs-nodepth');
    dirs.push(root);
    await writeCityscapesFixture(root);
    const gone = join(root, 'depth_sequence/train/tc/tc_000000_000003_depth.png');
    rmSync(gone);
    await expect(indexCityscapes(root)).rejects.toThrow(`${gone}: depth file not found`);
  });
});
