/**
 * Job kinds that work on a project folder inside the worker thread, so the process that
 * hosts the UI never trains: 'train-sde' (self-supervised depth pretraining), 'train-seg'
 * (segmentation, by default multi-task with DepthMix) and 'select-round' (one selection round:
 * "suggest N more"). Each opens the project with its own database connection, reports the
 * core's own progress events as `report` messages (and training steps as `progress`), and
 * turns the job's cancel into the run's stop request: the run saves a checkpoint and pauses,
 * and a resume job (the run's id) continues it.
 */
import { z } from 'zod';
import { UsageError } from '../../errors';
import { netPreset } from '../../ml/nets';
import { openProject } from '../../project/openProject';
import type { RunOutcome, RunProgress } from '../../project/runLoop';
import { runSelectionRound, type SelectionProgress, type SelectionRoundSummary } from '../../project/selectFrames';
import { trainSde } from '../../project/trainSde';
import { trainSeg } from '../../project/trainSeg';
import { SELECTION_METHODS } from '../../selection/combinedSelection';
import type { JobContext, JobKind } from '../registry';

/** What a project job reports beside its steps (the `data` of its `report` messages). */
export type ProjectJobReport = { readonly type: 'run'; readonly progress: RunProgress } | { readonly type: 'selection'; readonly progress: SelectionProgress };

/** A training job's result: the run's outcome as plain data. */
export interface TrainJobResult {
  readonly runId: number;
  readonly kind: string;
  readonly mode: string | null;
  readonly status: RunOutcome['status'];
  readonly step: number;
  readonly resumedFrom: number | null;
  readonly metrics: RunOutcome['metrics'];
  readonly checkpointDir: string | null;
  readonly error: string | null;
}

export type SelectJobResult = SelectionRoundSummary;

function parse<T extends z.ZodTypeAny>(schema: T, raw: unknown, kind: string): z.infer<T> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new UsageError(`${kind} parameters: ${r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

const trainParams = z
  .object({
    projectDir: z.string().min(1),
    /** A new run's settings (trainSde's / trainSeg's schema checks them). */
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Continue this paused run instead (with the settings it stored). */
    resume: z.number().int().positive().optional(),
    checkpointEvery: z.number().int().positive().optional(),
  })
  .strict();
export type TrainJobParams = z.input<typeof trainParams>;

/**
 * Aborts the run's signal once the job is cancelled: checked at every progress event (the
 * training loop may never yield to the event loop between steps) and every 200 ms otherwise.
 */
function cancelSignal(ctx: JobContext<unknown>): { signal: AbortSignal; check(): void; dispose(): void } {
  const controller = new AbortController();
  const check = (): void => {
    if (!controller.signal.aborted && ctx.isCancelled()) controller.abort();
  };
  const timer = setInterval(check, 200);
  check();
  return { signal: controller.signal, check, dispose: () => clearInterval(timer) };
}

function trainKind(name: 'train-sde' | 'train-seg', train: typeof trainSde | typeof trainSeg): JobKind<z.infer<typeof trainParams>, TrainJobResult> {
  return {
    name,
    parseParams: (raw) => parse(trainParams, raw, name),
    async run(ctx) {
      const p = await openProject(ctx.params.projectDir);
      const cancel = cancelSignal(ctx as JobContext<unknown>);
      let lastLoss = Number.NaN;
      try {
        const outcome = await train(p, ctx.params.settings as Parameters<typeof train>[1], {
          signal: cancel.signal,
          ...(ctx.params.resume !== undefined ? { resume: ctx.params.resume } : {}),
          ...(ctx.params.checkpointEvery !== undefined ? { checkpointEvery: ctx.params.checkpointEvery } : {}),
          onProgress: (e) => {
            if (e.loss !== undefined) lastLoss = e.loss;
            if (e.phase === 'training') ctx.progress({ step: e.step, totalSteps: e.totalSteps, loss: lastLoss });
            ctx.report({ type: 'run', progress: e } satisfies ProjectJobReport);
            cancel.check();
          },
        });
        return {
          runId: outcome.run.id,
          kind: outcome.run.kind,
          mode: outcome.run.mode,
          status: outcome.status,
          step: outcome.step,
          resumedFrom: outcome.resumedFrom ?? null,
          metrics: outcome.metrics,
          checkpointDir: outcome.checkpointDir ?? null,
          error: outcome.error ?? null,
        };
      } finally {
        cancel.dispose();
        await p.close();
      }
    },
  };
}

export const trainSdeJob = trainKind('train-sde', trainSde);
export const trainSegJob = trainKind('train-seg', trainSeg);

const selectParams = z
  .object({
    projectDir: z.string().min(1),
    budget: z.number().int().positive(),
    method: z.enum(SELECTION_METHODS),
    seed: z.number().int().default(0),
    studentSteps: z.number().int().positive().default(500),
    studentNet: z.enum(['tiny', 'small', 'reference']).default('small'),
  })
  .strict();
export type SelectJobParams = z.input<typeof selectParams>;

/** A selection round; a cancel stops it between phases' batches without storing a round. */
export const selectRoundJob: JobKind<z.infer<typeof selectParams>, SelectJobResult> = {
  name: 'select-round',
  parseParams: (raw) => parse(selectParams, raw, 'select-round'),
  async run(ctx) {
    const o = ctx.params;
    const p = await openProject(o.projectDir);
    try {
      return await runSelectionRound(p, {
        budget: o.budget,
        method: o.method,
        seed: o.seed,
        studentSteps: o.studentSteps,
        studentNet: netPreset(o.studentNet),
        onProgress: (e) => {
          if (ctx.isCancelled()) throw new UsageError('the selection round was cancelled; no frames were added');
          ctx.report({ type: 'selection', progress: e } satisfies ProjectJobReport);
          if (e.loss !== undefined) ctx.progress({ step: e.done, totalSteps: e.total, loss: e.loss });
        },
      });
    } finally {
      await p.close();
    }
  },
};
