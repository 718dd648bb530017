/**
 * Bad input through the readers: each problem is a DataError whose message names the file
 * and says what is wrong.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  clipOf,
  indexCamvid,
  indexCityscapes,
  indexFrames,
  loadClipFrames,
  loadImage,
  loadLabel,
  loadLabelledFrame,
  writePng,
  type LabelledFrame,
} from '../../src/core/data';
import { DataError } from '../../src/core/errors';
import { FIXTURE_SIZE, labelMap, patternRgb, freshDirs, writeCamvidFixture, writeCityscapesFixture } from './fixtures';
import { sharedDataset } from './sharedData';

const fresh = freshDirs();

/** Expects a DataError about `file` whose reason matches `reason`. */
async function expectDataError(p: Promise<unknown>, file: string, reason: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DataError);
  expect((e as DataError).file).toBe(file);
  expect((e as DataError).reason).toMatch(reason);
  expect((e as DataError).message).toContain(file);
}

/** Writes the first half of `src`'s bytes to `dst`. */
function cutInHalf(src: string, dst: string): void {
  const bytes = readFileSync(src);
  writeFileSync(dst, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

/** A random-looking textured image, so that its encoded file is large enough to cut. */
function texture(width: number, height: number): Uint8Array {
  let s = 12345;
  return new Uint8Array(width * height * 3).map(() => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24));
}

describe('bad input gets a DataError naming the file and the problem', () => {
  it('a missing folder', async () => {
    const root = fresh('bad-missing');
    await expectDataError(indexCityscapes(join(root, 'cs')), join(root, 'cs'), /folder not found/);
    await expectDataError(indexCamvid(join(root, 'cv')), join(root, 'cv'), /folder not found/);
    await expectDataError(indexFrames(join(root, 'fr')), join(root, 'fr'), /folder not found/);
  });

  it('a corrupt PNG (random bytes) at index time and at load time', async () => {
    const root = fresh('bad-corrupt');
    const fx = await writeCityscapesFixture(root);
    const index = await indexCityscapes(root);
    const frame = index.splits.train!.frames[0]!;
    const junk = Buffer.from(texture(100, 1));
    writeFileSync(frame.imagePath, junk);
    await expectDataError(loadLabelledFrame(frame, { height: 4, width: 8 }), frame.imagePath, /cannot decode image|cannot read image header/);
    await expectDataError(indexCityscapes(root), join(root, 'leftImg8bit/train/tc', `${fx.trainSnippetKey}_leftImg8bit.png`), /cannot read image header/);
    writeFileSync(frame.label!.path, junk);
    await expectDataError(loadLabel(frame.label!), frame.label!.path, /cannot decode image/);
  });

  it('a truncated PNG and a truncated JPEG', async () => {
    const root = fresh('bad-truncated');
    const img = { width: 64, height: 48, channels: 3, data: texture(64, 48) };
    const png = join(root, 'whole.png');
    await writePng(png, img, 0);
    const jpg = join(root, 'whole.jpg');
    await sharp(Buffer.from(img.data), { raw: { width: 64, height: 48, channels: 3 } }).jpeg({ quality: 90 }).toFile(jpg);
    for (const whole of [png, jpg]) {
      const cut = whole.replace('whole', 'cut');
      cutInHalf(whole, cut);
      await expect(loadImage(whole)).resolves.toMatchObject({ width: 64, height: 48 });
      await expectDataError(loadImage(cut), cut, /cannot decode image \(corrupt or truncated\?\)/);
      await expectDataError(loadImage(cut, { height: 12, width: 16 }), cut, /cannot decode image/);
    }
    // a truncated frame in a clip
    const clipDir = join(root, 'clips', 'c');
    for (const n of [1, 2, 3]) await writePng(join(clipDir, `${n}.png`), img, 0);
    cutInHalf(join(clipDir, '2.png'), join(clipDir, '2.png'));
    const index = await indexFrames(join(root, 'clips'), { horizontalFovDegrees: 70 });
    const clip = index.splits.train!.clips[0]!;
    await expect(loadClipFrames(clip, [0])).resolves.toHaveLength(1);
    await expectDataError(loadClipFrames(clip, [0, 1, 2], { height: 24, width: 32 }), join(clipDir, '2.png'), /cannot decode image/);
  });

  it('a label with values outside the class set', async () => {
    const root = fresh('bad-values');
    await writeCityscapesFixture(root);
    const index = await indexCityscapes(root);
    const frame = index.splits.train!.frames[0]!;
    await writePng(frame.label!.path, labelMap(FIXTURE_SIZE.width, FIXTURE_SIZE.height, (x) => (x < 2 ? 40 : 7)));
    await expectDataError(loadLabelledFrame(frame, { height: 4, width: 8 }), frame.label!.path, /values outside Cityscapes labelIds 0\.\.33: 40 \(16 px\)/);
    // one bad pixel is found even where a small training size would not sample it
    await writePng(frame.label!.path, labelMap(FIXTURE_SIZE.width, FIXTURE_SIZE.height, (x, y) => (x === 15 && y === 7 ? 99 : 7)));
    await expectDataError(loadLabel(frame.label!, { height: 1, width: 1 }), frame.label!.path, /: 99 \(1 px\)$/);

    const cv = fresh('bad-camvid');
    await writeCamvidFixture(cv);
    const cvIndex = await indexCamvid(cv);
    const cvFrame = cvIndex.splits.val!.frames[0]!;
    await writePng(cvFrame.label!.path, labelMap(6, 4, (x) => (x === 0 ? 12 : 3)));
    await expectDataError(loadLabelledFrame(cvFrame), cvFrame.label!.path, /outside CamVid classes 0\.\.10 and 11 \(void\): 12 \(4 px\)/);
  });

  it('an image and a label of different sizes', async () => {
    const root = fresh('bad-size');
    await writeCamvidFixture(root);
    const index = await indexCamvid(root);
    const frame = index.splits.train!.frames[0]!;
    await writePng(frame.label!.path, labelMap(3, 2, () => 1));
    await expectDataError(
      loadLabelledFrame(frame, { height: 4, width: 6 }),
      frame.label!.path,
      new RegExp(`label is 3x2 \\(WxH\\) but its image ${frame.imagePath.replace(/[.]/g, '\\.')} is 6x4`),
    );
  });

  it('a camera json with missing fields', async () => {
    const root = fresh('bad-camera');
    await writePng(join(root, 'clip', '1.png'), patternRgb(8, 4, 0));
    const cam = join(root, 'clip', 'camera.json');
    writeFileSync(cam, JSON.stringify({ extrinsic: { z: 1.5 }, intrinsic: { fx: 10, u0: 4 } }));
    await expectDataError(indexFrames(root), cam, /camera json is missing intrinsic\.fy, intrinsic\.v0/);
    writeFileSync(cam, JSON.stringify({ extrinsic: { z: 1.5 } }));
    await expectDataError(indexFrames(root), cam, /no "intrinsic" object/);
  });
});

const camvidRoot = sharedDataset('camvid');
const seqRoot = sharedDataset('cityscapes-seq');

describe.skipIf(!camvidRoot || !seqRoot)('real files cut in half (../shared/data)', () => {
  it('a real CamVid PNG pair and a real Cityscapes JPEG, truncated', async () => {
    const root = fresh('bad-real');
    const png = join(root, 'cut.png');
    cutInHalf(join(camvidRoot!, 'train', '0001TP_006690.png'), png);
    const labelPng = join(root, 'cut_label.png');
    cutInHalf(join(camvidRoot!, 'trainannot', '0001TP_006690.png'), labelPng);
    const jpg = join(root, 'cut.jpg');
    cutInHalf(join(seqRoot!, 'seq0000', 'aachen_000000_000000_leftImg8bit.jpg'), jpg);
    await expectDataError(loadImage(png, { height: 90, width: 120 }), png, /cannot decode image/);
    await expectDataError(loadImage(jpg, { height: 64, width: 128 }), jpg, /cannot decode image/);
    await expectDataError(loadLabel({ path: labelPng, encoding: 'camvid' }), labelPng, /cannot decode image/);
    const frame: LabelledFrame = {
      key: 'x',
      split: 'train',
      imagePath: join(camvidRoot!, 'train', '0001TP_006690.png'),
      width: 480,
      height: 360,
      label: { path: labelPng, encoding: 'camvid' },
    };
    await expectDataError(loadLabelledFrame(frame), labelPng, /cannot decode image/);
  });
});

// keep clipOf in the public surface exercised with a frame that has no clip
describe('frames without a clip', () => {
  it('say so by name', async () => {
    const root = fresh('noclip');
    await writeCityscapesFixture(root);
    const index = await indexCityscapes(root);
    const single = index.splits.train!.frames[1]!;
    expect(() => clipOf(index, single)).toThrow(`${single.imagePath}: frame has no video clip`);
  });
});
