import { resolve } from 'node:path';
import { UsageError } from '../../core/errors';
import { migrateProject } from '../../core/project/migrateProject';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  usage: `depthseg migrate --project DIR --db postgres://USER@HOST:PORT/DATABASE [--json]

Moves the SQLite project in DIR into the PostgreSQL database (an empty one: createdb NAME).
Every row is copied with its id in one transaction and checked (row counts, every mask's
bytes) before it commits; then DIR gets project.postgres.json naming the database, and
project.sqlite is kept as project.sqlite.migrated. Masks and checkpoints stay in DIR. If
anything fails, the SQLite project is left as it was. Close the app and stop training on
the project first: a process that still has it open would go on writing to the SQLite file.`,
  async run(argv) {
    const { flags } = parseArgs(argv, { project: 'string', db: 'string', json: 'boolean' });
    if (!flags.project) throw new UsageError('migrate needs --project DIR');
    if (!flags.db) throw new UsageError('migrate needs --db postgres://USER@HOST:PORT/DATABASE');
    const summary = await migrateProject(resolve(flags.project), flags.db);
    const total = Object.values(summary.rows).reduce((a, n) => a + n, 0);
    printResult(
      flags.json === true,
      summary,
      [
        `project ${summary.projectDir} now lives in ${summary.database}`,
        `  ${total} rows copied (${Object.entries(summary.rows).filter(([, n]) => n > 0).map(([t, n]) => `${n} ${t}`).join(', ')})`,
        `  ${summary.masks} masks checked byte for byte; the SQLite database is kept as ${summary.sqliteKeptAs}`,
      ].join('\n'),
    );
    return 0;
  },
};
