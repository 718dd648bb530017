export * from './imageIo';

export * from './datasetTypes';
export * from './camera';
export * from './labels';
export * from './load';
export * from './cityscapes';
export * from './camvid';
export * from './frames';
export * from './detectFormat';
export { naturalCompare, readImageSize, requireInsideRoot } from './scan';
