/**
 * The throw-away PostgreSQL server (postgresServer.ts) for a Vitest file: started once per test
 * file (usePostgres() in a describe block registers beforeAll/afterAll) and stopped with the
 * file. Where PostgreSQL is not installed the PostgreSQL cases skip with a message, except
 * under CI=true, where they fail: CI installs it (.ci/run) and must run them.
 */
import { afterAll, beforeAll } from 'vitest';
import { postgresMissing, startPostgresCluster, type PostgresCluster } from './postgresServer';

export { postgresBinDir, postgresMissing, startPostgresCluster, type PostgresCluster } from './postgresServer';

/**
 * Starts one cluster for the calling test file (before its first test) and stops it after
 * the last; `cluster()` hands it to a test. Does nothing where PostgreSQL is missing.
 */
export function usePostgres(): { cluster(): PostgresCluster } {
  let running: PostgresCluster | undefined;
  beforeAll(async () => {
    if (postgresMissing() === undefined) running = await startPostgresCluster();
  }, 120_000);
  afterAll(() => running?.stop());
  return {
    cluster() {
      if (!running) throw new Error(postgresMissing() ?? 'the PostgreSQL test cluster did not start');
      return running;
    },
  };
}
