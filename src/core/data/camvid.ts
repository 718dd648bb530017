/**
 * CamVid as distributed with the SegNet tutorial: `train/ trainannot/ val/ valannot/`
 * (optionally `test/ testannot/`), RGB PNGs and 8-bit grey labels paired by file name;
 * label values 0..10 are the 11 classes, 11 is void (ignored).
 */
import { join, parse, resolve } from 'node:path';
import { DataError } from '../errors';
import type { DatasetIndex, DatasetSplit, LabelledFrame, Split } from './datasetTypes';
import { isDirectory, isImageFile, listFiles, mapLimit, readImageSize, requireDirectory } from './scan';

async function indexSplit(root: string, split: Split, labelled: boolean): Promise<DatasetSplit> {
  const imageDir = join(root, split);
  const labelDir = join(root, `${split}annot`);
  const images = listFiles(imageDir).filter(isImageFile);
  const labels = new Set(labelled ? listFiles(labelDir).filter(isImageFile) : []);
  if (labelled) {
    const imageNames = new Set(images);
    for (const name of labels) {
      if (!imageNames.has(name)) throw new DataError(join(labelDir, name), `label has no image of the same name in ${imageDir}`);
    }
    for (const name of images) {
      if (!labels.has(name)) throw new DataError(join(imageDir, name), `image has no label: expected ${join(labelDir, name)}`);
    }
  }
  const frames = await mapLimit(images, 16, async (name): Promise<LabelledFrame> => {
    const imagePath = join(imageDir, name);
    const size = await readImageSize(imagePath);
    const frame: LabelledFrame = { key: `${split}/${parse(name).name}`, split, imagePath, width: size.width, height: size.height };
    return labelled ? { ...frame, label: { path: join(labelDir, name), encoding: 'camvid' } } : frame;
  });
  return { frames, clips: [] };
}

/**
 * Indexes a CamVid folder. `train`, `trainannot`, `val` and `valannot` must exist; `test` is
 * read when present (labelled when `testannot` is there too). Every image needs a label of
 * the same file name and every label an image. The labels' class set is 'camvid'.
 */
export async function indexCamvid(rootPath: string): Promise<DatasetIndex> {
  const root = resolve(rootPath);
  requireDirectory(root, 'CamVid root folder not found');
  for (const sub of ['train', 'trainannot', 'val', 'valannot']) {
    requireDirectory(join(root, sub), `folder not found: CamVid needs train/, trainannot/, val/ and valannot/ in ${root}`);
  }
  const splits: Partial<Record<Split, DatasetSplit>> = {
    train: await indexSplit(root, 'train', true),
    val: await indexSplit(root, 'val', true),
  };
  if (isDirectory(join(root, 'test'))) splits.test = await indexSplit(root, 'test', isDirectory(join(root, 'testannot')));
  return { format: 'camvid', root, classSet: 'camvid', splits };
}
