export * from './labelSet';
export * from './cityscapes';
export * from './camvid';
export * from './encodings';
export * from './projectLabelSet';
