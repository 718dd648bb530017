/**
 * Plain video frames: `{root}/{clip}/*.png|jpg|jpeg`, one clip per sub-folder (or the root
 * itself when it holds the frames), frames in natural order of their file names.
 *
 * Intrinsics per clip, first match wins: `{root}/{clip}/camera.json`, `{root}/camera.json`
 * (Cityscapes camera format), then intrinsics or a horizontal field of view given in the
 * options (as with the Cityscapes reader, a calibration file beats a stated value, so a
 * default field of view passed by a caller never hides a real calibration). None of them is
 * an error.
 */
import { basename, join, parse, resolve } from 'node:path';
import { DataError, UsageError } from '../errors';
import { intrinsicsFromHorizontalFov, readCameraJson, scaleIntrinsics, type Intrinsics } from './camera';
import type { Clip, DatasetIndex, LabelledFrame, Split } from './datasetTypes';
import type { Size } from './imageIo';
import { isFile, isImageFile, listDirs, listFiles, mapLimit, readImageSize, requireDirectory } from './scan';

export interface FramesIndexOptions {
  /** Split the clips go to (default 'train'). */
  readonly split?: Split;
  /** Intrinsics for clips without a camera.json, scaled to each clip's frame size. */
  readonly intrinsics?: Intrinsics;
  /** Horizontal field of view in degrees (centred pinhole, square pixels) for clips without a camera.json. */
  readonly horizontalFovDegrees?: number;
}

export const CAMERA_JSON = 'camera.json';

function clipIntrinsicsFor(root: string, dir: string, size: Size, options: FramesIndexOptions): { k: Intrinsics; source: string } {
  for (const p of [join(dir, CAMERA_JSON), join(root, CAMERA_JSON)]) {
    if (isFile(p)) return { k: readCameraJson(p, size), source: p };
  }
  if (options.intrinsics) {
    const given = options.intrinsics;
    return { k: scaleIntrinsics(given, size), source: `given intrinsics for ${given.width}x${given.height} images` };
  }
  if (options.horizontalFovDegrees !== undefined) {
    return {
      k: intrinsicsFromHorizontalFov(options.horizontalFovDegrees, size),
      source: `horizontal field of view ${options.horizontalFovDegrees} degrees`,
    };
  }
  throw new DataError(
    dir,
    `no camera intrinsics: put a ${CAMERA_JSON} (Cityscapes camera format) in this folder or in ${root}, or give a horizontal field of view`,
  );
}

/**
 * Indexes a folder of video clips. Every frame is listed as an unlabelled frame of its clip.
 * The frames of a clip are taken to share the size of its first frame.
 */
export async function indexFrames(rootPath: string, options: FramesIndexOptions = {}): Promise<DatasetIndex> {
  if (options.intrinsics && options.horizontalFovDegrees !== undefined) {
    throw new UsageError('give either intrinsics or a horizontal field of view, not both');
  }
  const root = resolve(rootPath);
  requireDirectory(root, 'frames folder not found');
  const split = options.split ?? 'train';
  const own = listFiles(root).filter(isImageFile);
  const clipDirs = own.length > 0 ? [{ key: basename(root), dir: root, names: own }] : listDirs(root)
    .map((name) => ({ key: name, dir: join(root, name), names: listFiles(join(root, name)).filter(isImageFile) }))
    .filter((c) => c.names.length > 0);
  if (clipDirs.length === 0) {
    throw new DataError(root, 'no frames: expected image files (png, jpg, jpeg) in this folder or in its sub-folders');
  }
  const clips = await mapLimit(clipDirs, 8, async ({ key, dir, names }): Promise<Clip> => {
    const framePaths = names.map((n) => join(dir, n));
    const size = await readImageSize(framePaths[0]!);
    const { k, source } = clipIntrinsicsFor(root, dir, size, options);
    return { key, split, framePaths, width: size.width, height: size.height, intrinsics: k, intrinsicsSource: source };
  });
  const frames: LabelledFrame[] = clips.flatMap((c) =>
    c.framePaths.map((p, i) => ({
      key: `${c.key}/${parse(p).name}`,
      split,
      imagePath: p,
      width: c.width,
      height: c.height,
      clipKey: c.key,
      indexInClip: i,
    })),
  );
  return { format: 'frames', root, classSet: null, splits: { [split]: { frames, clips } } };
}
