/**
 * What the training commands (train-sde, train-seg, demo) share: Ctrl-C as a stop request
 * (checkpoint, pause, exit 130; a second Ctrl-C quits at once), a progress line built from
 * the run's own progress events (its ETA counts only the steps still to run, so it is right
 * after a resume), and the outcome as text or one JSON object.
 */
import { join, resolve } from 'node:path';
import { openProject, type OpenProject } from '../core/project/openProject';
import type { TrainOptions } from '../core/project/trainSde';
import { getSetting, latestCheckpoint, listRuns } from '../core/store';
import { reclaimStaleRuns } from '../core/project/runLoop';
import { printResult } from './command';
import { engineOptions } from './engineFlags';
import { UsageError } from '../core/errors';
import type { RunOutcome, RunProgress } from '../core/project/runLoop';
import { MODEL_SUBDIR } from '../core/project/projectModels';
import { formatDuration } from './progress';

/** Exit code of a command stopped with Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stops listening for Ctrl-C. */
  dispose(): void;
}

/**
 * The first Ctrl-C (SIGINT) aborts `signal`: the run finishes its step, saves a checkpoint
 * and pauses. A second one exits at once (the next start takes the run back as paused from
 * its last checkpoint).
 */
export function interruptOnCtrlC(
  command: string,
  stream: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
  exit: (code: number) => void = (code) => process.exit(code),
): Interrupt {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (!controller.signal.aborted) {
      stream.write(`\n${command}: stopping after this step and saving a checkpoint (Ctrl-C again quits at once, losing the steps since the last checkpoint)\n`);
      controller.abort();
      return;
    }
    stream.write(`\n${command}: quit without saving; run the same command again to continue from the last checkpoint\n`);
    exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

/** The flags every training command takes beside its settings. */
export const RUN_FLAGS = { resume: 'number', 'checkpoint-every': 'number', json: 'boolean' } as const;

export const RUN_USAGE = `  --resume RUN          continue paused run RUN from its newest checkpoint, with the settings it stored
  --checkpoint-every N  steps between checkpoints (default a tenth of the run, at least 25)
  --json                print the outcome as one JSON object`;

export function integerFlag(name: string, value: number | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer >= ${min} (got ${value})`);
  return value;
}

function fieldText(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

/** One progress line: bar, step, loss, speed and ETA. */
export function runProgressLine(label: string, p: RunProgress, width = 24): string {
  const total = p.totalSteps;
  const filled = total > 0 ? Math.min(width, Math.round((width * p.step) / total)) : width;
  const pct = total > 0 ? Math.floor((100 * p.step) / total) : 100;
  const parts = [`${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${p.step}/${total} ${pct}%`];
  if (p.loss !== undefined) parts.push(`loss ${fieldText(p.loss)}`);
  if (p.stepsPerSecond !== undefined && Number.isFinite(p.stepsPerSecond)) parts.push(`${p.stepsPerSecond.toPrecision(3)} steps/s`);
  parts.push(`ETA ${p.etaSeconds !== undefined ? formatDuration(p.etaSeconds) : '?'}`);
  return parts.join('  ');
}

/**
 * Shows a run's progress events: on a terminal one line redrawn in place (at most 10 times a
 * second), in a log a line at the first step and then every few seconds; phase messages
 * (resuming; evaluating, in a log) on their own lines; the outcome is the command's to print.
 * Silent when quiet.
 */
export function runProgressPrinter(
  label: string,
  opts: { quiet?: boolean; stream?: NodeJS.WriteStream; logEveryMs?: number } = {},
): { onProgress: (p: RunProgress) => void; finish(): void } {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const every = tty ? 100 : (opts.logEveryMs ?? 5000);
  let last = -Infinity;
  let open = false;
  const endLine = (): void => {
    if (open) stream.write('\n');
    open = false;
  };
  return {
    onProgress(p) {
      if (opts.quiet) return;
      if (p.phase === 'training') {
        const t = performance.now();
        if (t - last < every && p.step < p.totalSteps) return;
        last = t;
        if (tty) {
          stream.write(`\r${runProgressLine(label, p)}\x1b[K`);
          open = true;
        } else stream.write(`${runProgressLine(label, p)}\n`);
        return;
      }
      if (p.phase === 'loading' || (p.phase === 'evaluating' && !tty)) {
        endLine();
        const what = p.message ?? (p.phase === 'evaluating' ? `evaluating at step ${p.step}` : p.phase);
        stream.write(`${label}: ${what}\n`);
      }
    },
    finish: endLine,
  };
}

/** The outcome of a run for scripts: flat, with the model folder where there is one. */
export function outcomeJson(o: RunOutcome): Record<string, unknown> {
  return {
    runId: o.run.id,
    kind: o.run.kind,
    mode: o.run.mode,
    status: o.status,
    step: o.step,
    totalSteps: typeof o.run.config['steps'] === 'number' ? o.run.config['steps'] : null,
    resumedFrom: o.resumedFrom ?? null,
    checkpointDir: o.checkpointDir ?? null,
    modelDir: o.checkpointDir ? join(o.checkpointDir, MODEL_SUBDIR) : null,
    metrics: o.metrics,
    config: o.run.config,
    error: o.error ?? null,
  };
}

/** Exit code of a finished command for its outcome: 0 done, 130 paused, 1 failed. */
export function outcomeExitCode(o: RunOutcome): number {
  return o.status === 'done' ? 0 : o.status === 'paused' ? EXIT_INTERRUPTED : 1;
}

/** The first line a person reads about a run's outcome; `command` is the CLI command that continues a paused run. */
export function outcomeHeadline(what: string, o: RunOutcome, command: string, projectDir?: string): string {
  const resumed = o.resumedFrom !== undefined ? ` (resumed from step ${o.resumedFrom})` : '';
  switch (o.status) {
    case 'done':
      return `${what} run #${o.run.id} done: ${o.step} steps${resumed}; model in ${o.checkpointDir ? join(o.checkpointDir, MODEL_SUBDIR) : '(none)'}`;
    case 'paused':
      return `${what} run #${o.run.id} paused at step ${o.step}${o.checkpointDir ? ' (checkpoint saved)' : ''}: continue it with depthseg ${command} --project ${projectDir ?? 'DIR'} --resume ${o.run.id}`;
    case 'failed':
      return `${what} run #${o.run.id} failed at step ${o.step}: ${o.error ?? 'unknown error'}`;
  }
}

/**
 * Runs one training command on a project: opens it, starts the engine (the project's
 * backend setting applies), wires Ctrl-C and the progress line, prints the outcome (the
 * `describe` lines, or JSON with --json) and returns the exit code; always closes everything.
 */
export async function runTrainingCommand(
  command: 'train-sde' | 'train-seg',
  flags: Parameters<typeof engineOptions>[0] & { project: string; json?: boolean },
  run: { resume: number | undefined; checkpointEvery: number | undefined },
  train: (p: OpenProject, opts: TrainOptions) => Promise<RunOutcome>,
  describe: (o: RunOutcome, p: OpenProject) => string[],
): Promise<number> {
  const quiet = flags.json === true;
  const p = await openProject(resolve(flags.project));
  const { initEngine, shutdownEngine } = await import('../core/engine/backend');
  const interrupt = interruptOnCtrlC(command);
  const progress = runProgressPrinter(command, { quiet });
  try {
    await initEngine(engineOptions(flags, await getSetting(p.store, 'engine.backend')));
    if (run.resume === undefined) {
      // A new run never takes up a paused one: say which are waiting, and how to continue them.
      await reclaimStaleRuns(p.store, p.project.id);
      const kind = command === 'train-sde' ? 'sde' : 'seg';
      for (const r of (await listRuns(p.store, p.project.id, kind)).filter((x) => x.status === 'paused')) {
        const step = (await latestCheckpoint(p.store, r.id))?.step ?? 0;
        process.stderr.write(`${command}: run #${r.id} (${kind}) is paused at step ${step}: this starts a new run; continue that one with --resume ${r.id}\n`);
      }
    }
    const outcome = await train(p, {
      signal: interrupt.signal,
      onProgress: progress.onProgress,
      ...(run.checkpointEvery !== undefined ? { checkpointEvery: run.checkpointEvery } : {}),
      ...(run.resume !== undefined ? { resume: run.resume } : {}),
    });
    progress.finish();
    printResult(quiet, outcomeJson(outcome), describe(outcome, p).join('\n'));
    return outcomeExitCode(outcome);
  } finally {
    progress.finish();
    interrupt.dispose();
    await p.close();
    shutdownEngine();
  }
}
