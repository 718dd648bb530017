import { resolve } from 'node:path';
import { UsageError } from '../../core/errors';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE, engineOptions } from '../engineFlags';
import { runProgressPrinter } from '../trainRun';

const WORKER_FLAGS = {
  project: 'string',
  db: 'string',
  name: 'string',
  once: 'boolean',
  heartbeat: 'number',
  'stale-after': 'number',
  poll: 'number',
  ...ENGINE_FLAGS,
} as const;

function seconds(flag: string, v: number): number {
  if (!(v > 0)) throw new UsageError(`--${flag} must be a positive number of seconds (got ${v})`);
  return v;
}

export const workerCommand: CliCommand = {
  name: 'worker',
  usage: `depthseg worker --project DIR [--db URL] [--name NAME] [--once]
                [--heartbeat S] [--stale-after S] [--poll S] [--backend B] [--threads N]

Trains a team project's jobs on this machine: Retrain and SDE pretraining started in the app
on a PostgreSQL project wait in the database until a worker takes them. The worker takes the
next job, trains it, and writes progress, metrics and checkpoints where the team sees them;
a job whose worker stopped answering is taken over and continues from its last checkpoint.
DIR is the project folder as this machine sees it (a shared mount: checkpoints are written
there); it holds project.postgres.json, which names the database. Ctrl-C finishes the step,
saves a checkpoint and gives the job back to the queue; a second Ctrl-C quits at once.
See docs/team-workers.md.
  --db URL         the project's database; refused when DIR's project.postgres.json names another
  --name NAME      how this worker shows in the app (default HOST:PID)
  --once           take one job, run it, exit (exit code 0 when it ended done)
  --heartbeat S    seconds between heartbeats (default 5)
  --stale-after S  take over a job whose heartbeat is older than S seconds (default 30)
  --poll S         seconds between looks for a job while idle (default 2)
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, WORKER_FLAGS);
    if (!flags.project) throw new UsageError('worker needs --project DIR: the project folder as this machine sees it (it holds project.postgres.json)');
    const projectDir = resolve(flags.project);
    const { readPostgresPointer, projectEngine, redactPostgresUrl } = await import('../../core/store');
    if (flags.db !== undefined) {
      if (projectEngine(projectDir) !== 'postgres') throw new UsageError(`${projectDir} holds no project.postgres.json: give the team project's folder as this machine sees it (a shared mount)`);
      const named = readPostgresPointer(projectDir).url;
      if (named !== flags.db) throw new UsageError(`${projectDir} belongs to ${redactPostgresUrl(named)}, not ${redactPostgresUrl(flags.db)}`);
    }
    // The machine chooses its engine (flags, else DEPTHSEG_BACKEND, else auto): a GPU box and a CPU box serve the same project.
    const engine = engineOptions(flags);
    const { runQueueWorker } = await import('../../core/jobs/queueWorker');
    const controller = new AbortController();
    const onSigint = (): void => {
      if (!controller.signal.aborted) {
        process.stderr.write('\nworker: stopping after this step: the job saves a checkpoint and goes back to the queue (Ctrl-C again quits at once)\n');
        controller.abort();
        return;
      }
      process.stderr.write('\nworker: quit without saving; another worker takes the job over from its last checkpoint\n');
      process.exit(130);
    };
    process.on('SIGINT', onSigint);
    const progress = runProgressPrinter('worker', { logEveryMs: 2000 });
    try {
      const ended = await runQueueWorker({
        projectDir,
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        ...(engine.backend !== undefined ? { backend: engine.backend } : {}),
        ...(engine.threads !== undefined ? { threads: engine.threads } : {}),
        ...(flags.heartbeat !== undefined ? { heartbeatS: seconds('heartbeat', flags.heartbeat) } : {}),
        ...(flags['stale-after'] !== undefined ? { staleAfterS: seconds('stale-after', flags['stale-after']) } : {}),
        ...(flags.poll !== undefined ? { pollS: seconds('poll', flags.poll) } : {}),
        once: flags.once === true,
        signal: controller.signal,
        log: (line) => {
          progress.finish();
          process.stderr.write(`worker: ${line}\n`);
        },
        onProgress: progress.onProgress,
      });
      progress.finish();
      if (controller.signal.aborted) return 130;
      return flags.once && ended[0]?.outcome !== 'done' ? 1 : 0;
    } finally {
      progress.finish();
      process.off('SIGINT', onSigint);
    }
  },
};
