/**
 * Cityscapes layout (docs/dataset-layout.md), real or written by the synthetic generator:
 * labelled frames in leftImg8bit/{split}/{city}, their labels in gtFine, their 30-frame
 * snippets in leftImg8bit_sequence, intrinsics in camera; the generator's depth_sequence and
 * poses folders are exposed as paths where present.
 */
import { join, resolve } from 'node:path';
import { DataError } from '../errors';
import { readCameraJson, scaleIntrinsics, type Intrinsics } from './camera';
import { SPLITS, type Clip, type DatasetIndex, type DatasetSplit, type LabelFile, type LabelledFrame, type Split } from './datasetTypes';
import type { Size } from './imageIo';
import { isDirectory, listDirs, listFiles, mapLimit, readImageSize, requireDirectory } from './scan';

/** Frames of a snippet before and after its labelled frame (the 20th of 30). */
export const SNIPPET_BEFORE = 19;
export const SNIPPET_AFTER = 10;

export interface CityscapesIndexOptions {
  /** Splits to read; each must exist. Default: those of train, val, test under leftImg8bit. */
  readonly splits?: readonly Split[];
  /** Label file to use where gtFine has both (default 'labelIds'; the other is used when it is alone). */
  readonly labels?: 'labelIds' | 'labelTrainIds';
  /** Intrinsics for snippets without a camera json (scaled to the frame size). */
  readonly intrinsics?: Intrinsics;
}

const LABELLED_FRAME = /^(.+)_(\d{6})_(\d{6})_leftImg8bit\.png$/;

const pad6 = (n: number): string => String(n).padStart(6, '0');

/** Folder of one split and city inside one of the dataset's top folders. */
interface CityFolders {
  readonly root: string;
  readonly split: Split;
  readonly city: string;
}

const cityDir = (c: CityFolders, top: string): string => join(c.root, top, c.split, c.city);

/** File names of a city folder under `top`, or null where that folder does not exist. */
function namesIn(c: CityFolders, top: string): Set<string> | null {
  const dir = cityDir(c, top);
  return isDirectory(dir) ? new Set(listFiles(dir)) : null;
}

function labelFor(c: CityFolders, key: string, gt: Set<string> | null, prefer: 'labelIds' | 'labelTrainIds'): LabelFile | undefined {
  if (!gt) return undefined;
  const ids = `${key}_gtFine_labelIds.png`;
  const train = `${key}_gtFine_labelTrainIds.png`;
  const order: [string, LabelFile['encoding']][] =
    prefer === 'labelIds'
      ? [[ids, 'cityscapes-labelIds'], [train, 'cityscapes-trainIds']]
      : [[train, 'cityscapes-trainIds'], [ids, 'cityscapes-labelIds']];
  for (const [name, encoding] of order) if (gt.has(name)) return { path: join(cityDir(c, 'gtFine'), name), encoding };
  return undefined;
}

interface CityContents {
  readonly gt: Set<string> | null;
  readonly sequence: Set<string> | null;
  readonly camera: Set<string> | null;
  readonly depth: Set<string> | null;
  readonly poses: Set<string> | null;
}

async function snippetClip(
  c: CityFolders,
  contents: CityContents,
  seq: string,
  frame: number,
  key: string,
  labelledSize: Size,
  options: CityscapesIndexOptions,
): Promise<{ clip: Clip; indexInClip: number } | null> {
  const { sequence } = contents;
  const seqName = (n: number): string => `${c.city}_${seq}_${pad6(n)}_leftImg8bit.png`;
  if (!sequence || !sequence.has(seqName(frame))) return null;
  let first = frame;
  while (first > Math.max(0, frame - SNIPPET_BEFORE) && sequence.has(seqName(first - 1))) first--;
  let last = frame;
  while (last < frame + SNIPPET_AFTER && sequence.has(seqName(last + 1))) last++;
  if (last === first) return null;

  const seqDir = cityDir(c, 'leftImg8bit_sequence');
  const numbers = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const framePaths = numbers.map((n) => join(seqDir, seqName(n)));
  const size = await readImageSize(framePaths[0]!);
  if (size.width !== labelledSize.width || size.height !== labelledSize.height) {
    throw new DataError(
      framePaths[0]!,
      `snippet frame is ${size.width}x${size.height} but its labelled frame ${key} is ${labelledSize.width}x${labelledSize.height}`,
    );
  }

  const cameraName = `${key}_camera.json`;
  let intrinsics: Intrinsics;
  let intrinsicsSource: string;
  if (contents.camera?.has(cameraName)) {
    intrinsicsSource = join(cityDir(c, 'camera'), cameraName);
    intrinsics = readCameraJson(intrinsicsSource, size);
  } else if (options.intrinsics) {
    intrinsics = scaleIntrinsics(options.intrinsics, size);
    intrinsicsSource = `given intrinsics for ${options.intrinsics.width}x${options.intrinsics.height} images`;
  } else {
    const where = contents.camera ? join(cityDir(c, 'camera'), cameraName) : cityDir(c, 'camera');
    throw new DataError(
      where,
      `${contents.camera ? 'camera json' : 'folder'} not found: the snippet of ${key} in leftImg8bit_sequence needs intrinsics (add Cityscapes' camera files or give intrinsics)`,
    );
  }

  let depthPaths: string[] | undefined;
  if (contents.depth) {
    const depthDir = cityDir(c, 'depth_sequence');
    depthPaths = numbers.map((n) => {
      const name = `${c.city}_${seq}_${pad6(n)}_depth.png`;
      if (!contents.depth!.has(name)) throw new DataError(join(depthDir, name), 'depth file not found (the snippet frame has no depth)');
      return join(depthDir, name);
    });
  }
  const posesName = `${c.city}_${seq}_poses.json`;
  const posesPath = contents.poses?.has(posesName) ? join(cityDir(c, 'poses'), posesName) : undefined;

  const clip: Clip = {
    key,
    split: c.split,
    framePaths,
    width: size.width,
    height: size.height,
    intrinsics,
    intrinsicsSource,
    keyframeIndex: frame - first,
    ...(depthPaths ? { depthPaths } : {}),
    ...(posesPath ? { posesPath } : {}),
  };
  return { clip, indexInClip: frame - first };
}

async function indexCity(c: CityFolders, options: CityscapesIndexOptions): Promise<DatasetSplit> {
  const contents: CityContents = {
    gt: namesIn(c, 'gtFine'),
    sequence: namesIn(c, 'leftImg8bit_sequence'),
    camera: namesIn(c, 'camera'),
    depth: namesIn(c, 'depth_sequence'),
    poses: namesIn(c, 'poses'),
  };
  const imageDir = cityDir(c, 'leftImg8bit');
  const matches = listFiles(imageDir)
    .map((name) => LABELLED_FRAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === c.city);
  const results = await mapLimit(matches, 8, async (m) => {
    const [name, city, seq, frameText] = m as unknown as [string, string, string, string];
    const key = `${city}_${seq}_${frameText}`;
    const imagePath = join(imageDir, name);
    const size = await readImageSize(imagePath);
    const label = labelFor(c, key, contents.gt, options.labels ?? 'labelIds');
    const cameraName = `${key}_camera.json`;
    const depthName = `${key}_depth.png`;
    const snippet = await snippetClip(c, contents, seq, Number(frameText), key, size, options);
    const frame: LabelledFrame = {
      key,
      split: c.split,
      imagePath,
      width: size.width,
      height: size.height,
      ...(label ? { label } : {}),
      ...(snippet ? { clipKey: snippet.clip.key, indexInClip: snippet.indexInClip } : {}),
      ...(contents.camera?.has(cameraName) ? { cameraPath: join(cityDir(c, 'camera'), cameraName) } : {}),
      ...(contents.depth?.has(depthName) ? { depthPath: join(cityDir(c, 'depth_sequence'), depthName) } : {}),
    };
    return { frame, clip: snippet?.clip };
  });
  return {
    frames: results.map((r) => r.frame),
    clips: results.flatMap((r) => (r.clip ? [r.clip] : [])),
  };
}

/**
 * Indexes a Cityscapes-layout root: every labelled frame of each split with its label,
 * camera json and depth where present, and the snippet around it (as a clip whose
 * keyframeIndex is the labelled frame) where leftImg8bit_sequence has its neighbours. A
 * snippet is the run of consecutive sequence frames around the labelled frame within
 * -19..+10. Labels load as Cityscapes trainIds (class set 'cityscapes').
 */
export async function indexCityscapes(rootPath: string, options: CityscapesIndexOptions = {}): Promise<DatasetIndex> {
  const root = resolve(rootPath);
  requireDirectory(root, 'Cityscapes root folder not found');
  const images = join(root, 'leftImg8bit');
  requireDirectory(images, 'folder not found: a Cityscapes root needs leftImg8bit/{split}/{city}/');
  let splits: readonly Split[];
  if (options.splits) {
    splits = options.splits;
    for (const s of splits) requireDirectory(join(images, s), `folder not found: split '${s}' was asked for`);
  } else {
    splits = SPLITS.filter((s) => isDirectory(join(images, s)));
    if (splits.length === 0) throw new DataError(images, 'no split folder (train, val or test) in this folder');
  }
  const out: Partial<Record<Split, DatasetSplit>> = {};
  for (const split of splits) {
    const parts: DatasetSplit[] = [];
    for (const city of listDirs(join(images, split))) parts.push(await indexCity({ root, split, city }, options));
    out[split] = { frames: parts.flatMap((p) => p.frames), clips: parts.flatMap((p) => p.clips) };
  }
  return { format: 'cityscapes', root, classSet: 'cityscapes', splits: out };
}
