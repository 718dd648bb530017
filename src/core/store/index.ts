/** The project store: one SQLite database per project folder, with masks/ and checkpoints/ beside it. */
export * from './projectStore';
export * from './migrations';
export * from './storeErrors';
export { StoreError } from '../errors';
export { readTransaction, transaction, type JsonObject } from './sql';
export * from './projectRepo';
export * from './datasetRepo';
export * from './frameRepo';
export * from './maskRepo';
export * from './maskFiles';
export * from './selectionRepo';
export * from './runRepo';
export * from './featureCacheRepo';
export * from './settingsRepo';
export * from './overview';
