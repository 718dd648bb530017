/**
 * Guessing a dataset's format from its folder structure (see docs/dataset-layout.md).
 */
import { join, resolve } from 'node:path';
import { DataError } from '../errors';
import type { DatasetFormat } from './datasetTypes';
import { isDirectory, isImageFile, listDirs, listFiles, requireDirectory } from './scan';

/**
 * 'cityscapes' when the folder has leftImg8bit/, 'camvid' when it has train/ and
 * trainannot/, 'frames' when it or one of its sub-folders holds images; otherwise a
 * DataError naming the folder.
 */
export function detectFormat(rootPath: string): DatasetFormat {
  const root = resolve(rootPath);
  requireDirectory(root, 'dataset folder not found');
  if (isDirectory(join(root, 'leftImg8bit'))) return 'cityscapes';
  if (isDirectory(join(root, 'train')) && isDirectory(join(root, 'trainannot'))) return 'camvid';
  if (listFiles(root).some(isImageFile)) return 'frames';
  if (listDirs(root).some((d) => listFiles(join(root, d)).some(isImageFile))) return 'frames';
  throw new DataError(
    root,
    'cannot tell the dataset format: expected leftImg8bit/ (Cityscapes), train/ and trainannot/ (CamVid), or images in the folder or its sub-folders (video frames)',
  );
}
