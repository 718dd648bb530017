/**
 * The project store: a project folder with masks/ and checkpoints/, its rows in an SQLite
 * database in the folder (the default) or in a PostgreSQL database the folder points at (a
 * team's). Every repository function takes an open ProjectStore and returns a promise.
 */
export * from './projectStore';
export * from './openProjectStore';
export * from './sqliteStore';
export * from './postgresStore';
export { copySqliteToPostgres, countRows, PROJECT_TABLES, type TableCounts } from './copyToPostgres';
export { checkPostgresUrl, readPostgresPointer, redactPostgresUrl, writePostgresPointer, type PostgresPointer } from './postgresPointer';
export * from './migrations';
export * from './storeErrors';
export type { SqlEngine } from './sqlSession';
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
export * from './accountRepo';
export * from './overview';
export * from './maskWork';
export * from './jobRepo';
